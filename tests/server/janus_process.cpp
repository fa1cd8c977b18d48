#include "janus_process.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace moim::test {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

unsigned short free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  unsigned short port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

std::filesystem::path janus_script() { return std::filesystem::path(MOIM_SOURCE_DIR) / "scripts" / "janus.sh"; }

namespace {

bool port_open(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 || Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::unique_ptr<JanusProcess> JanusProcess::start(const std::filesystem::path& dir, unsigned short port, std::string& error,
                                                  const std::vector<std::string>& extra) {
  std::unique_ptr<JanusProcess> process(new JanusProcess);
  process->port_ = port;
  process->log_ = dir.parent_path() / ("janus-" + std::to_string(port) + ".log");
  std::vector<std::string> args = {"/usr/bin/setpriv", "--pdeathsig", "KILL", "/bin/bash", janus_script().string(),
                                   "--data-dir",       dir.string(),  "--port", std::to_string(port)};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, process->log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int rc = ::posix_spawn(&process->pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    process->pid_ = -1;
    error = std::string("posix_spawn setpriv: ") + std::strerror(rc);
    return nullptr;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (!port_open(port)) {
    if (!process->alive()) {
      error = "janus.sh exited before Janus listened on port " + std::to_string(port) + "; its log:\n" + process->log();
      return nullptr;
    }
    if (Clock::now() >= deadline) {
      error = "Janus did not listen on port " + std::to_string(port) + " within 15 s; its log:\n" + process->log();
      return nullptr;  // the destructor kills it
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return process;
}

JanusProcess::~JanusProcess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    wait_exit(pid_, std::chrono::seconds(5));
  }
}

std::string JanusProcess::log() const {
  std::ifstream in(log_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool JanusProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (log().find(text) == std::string::npos) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

bool JanusProcess::alive() {
  if (status_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

std::optional<int> JanusProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (status_) return status_;
  ::kill(pid_, signal);
  status_ = wait_exit(pid_, timeout);
  return status_;
}

std::vector<std::string> JanusProcess::listening_tcp() const {
  // The process's sockets by inode, then the listening ones among the system's TCP sockets.
  std::set<std::string> inodes;
  const std::string fd_dir = "/proc/" + std::to_string(pid_) + "/fd";
  if (DIR* dir = ::opendir(fd_dir.c_str())) {
    while (dirent* entry = ::readdir(dir)) {
      char target[256];
      const std::string path = fd_dir + "/" + entry->d_name;
      const ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      if (std::strncmp(target, "socket:[", 8) == 0) inodes.insert(std::string(target + 8, std::strlen(target + 8) - 1));
    }
    ::closedir(dir);
  }
  std::vector<std::string> found;
  for (const char* table : {"tcp", "tcp6"}) {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/net/" + table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
      if (state != "0A" || inodes.count(inode) == 0) continue;  // 0A: LISTEN
      const std::size_t colon = local.find(':');
      const std::string hex = local.substr(0, colon);
      const unsigned port = std::stoul(local.substr(colon + 1), nullptr, 16);
      std::string address;
      if (hex.size() == 8) {
        in_addr a{};
        a.s_addr = static_cast<in_addr_t>(std::stoul(hex, nullptr, 16));
        char text[INET_ADDRSTRLEN];
        address = ::inet_ntop(AF_INET, &a, text, sizeof text);
      } else {
        in6_addr a{};
        for (int word = 0; word < 4; ++word) {
          const std::uint32_t value = static_cast<std::uint32_t>(std::stoul(hex.substr(word * 8, 8), nullptr, 16));
          std::memcpy(&a.s6_addr[word * 4], &value, 4);
        }
        char text[INET6_ADDRSTRLEN];
        address = std::string("[") + ::inet_ntop(AF_INET6, &a, text, sizeof text) + "]";
      }
      found.push_back(address + ":" + std::to_string(port));
    }
  }
  return found;
}

// ---- the API --------------------------------------------------------------------------------------

JanusApi::JanusApi(unsigned short port)
    : ws_(std::make_unique<WsClient>(port, "/", WsOptions{{}, {{"Sec-WebSocket-Protocol", "janus-protocol"}}})) {}

std::optional<json> JanusApi::call(json message, std::chrono::milliseconds timeout) {
  const std::string transaction = "test-" + std::to_string(next_++);
  message["transaction"] = transaction;
  if (!ws_->send_json(message)) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::optional<json> got = ws_->read(std::max(left, std::chrono::milliseconds(1)));
    if (!got) return std::nullopt;
    if (got->value("transaction", "") != transaction) {
      events_.push_back(std::move(*got));
      continue;
    }
    if (got->value("janus", "") == "ack" && message.value("janus", "") != "keepalive") continue;
    return got;
  }
  return std::nullopt;
}

bool JanusApi::open_videoroom(const std::string& api_secret, std::string& why) {
  api_secret_ = api_secret;
  json create = {{"janus", "create"}};
  if (!api_secret.empty()) create["apisecret"] = api_secret;
  const std::optional<json> session = call(create);
  if (!session || session->value("janus", "") != "success") {
    why = session ? session->dump() : "no answer to create";
    return false;
  }
  session_ = (*session)["data"]["id"].get<std::uint64_t>();
  json attach = {{"janus", "attach"}, {"session_id", session_}, {"plugin", "janus.plugin.videoroom"}};
  if (!api_secret.empty()) attach["apisecret"] = api_secret;
  const std::optional<json> handle = call(attach);
  if (!handle || handle->value("janus", "") != "success") {
    why = handle ? handle->dump() : "no answer to attach";
    return false;
  }
  handle_ = (*handle)["data"]["id"].get<std::uint64_t>();
  return true;
}

json JanusApi::videoroom(json body) {
  json message = {{"janus", "message"}, {"session_id", session_}, {"handle_id", handle_}, {"body", std::move(body)}};
  if (!api_secret_.empty()) message["apisecret"] = api_secret_;
  const std::optional<json> answer = call(message);
  if (!answer) return json{{"no-answer", true}};
  if (answer->contains("plugindata")) return (*answer)["plugindata"]["data"];
  return *answer;
}

std::optional<json> JanusApi::next_event(std::chrono::milliseconds timeout) {
  if (!events_.empty()) {
    json event = std::move(events_.front());
    events_.erase(events_.begin());
    return event;
  }
  return ws_->read(timeout);
}

}  // namespace moim::test
