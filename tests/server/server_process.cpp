#include "server_process.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace moim::test {
namespace {

using Clock = std::chrono::steady_clock;

// Spawns the server with stdout (and optionally stderr) on a pipe; returns the pid or -1.
pid_t spawn_server(const std::vector<std::string>& args, bool capture_stderr, int& read_fd, std::string& error,
                   const SpawnOptions& spawn = {}) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  if (capture_stderr) posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  if (!spawn.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, spawn.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
  }

  std::vector<std::string> argv_storage = spawn.command_prefix;
  argv_storage.push_back(server_binary());
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    error = "posix_spawn " + argv_storage[0] + ": " + std::strerror(rc);
    return -1;
  }
  read_fd = fds[0];
  return pid;
}

// Reads from `fd` until `done(text)` holds, EOF, or the deadline. Returns what was read.
template <class Done>
std::string read_until(int fd, Clock::time_point deadline, Done done) {
  std::string text;
  char chunk[512];
  while (!done(text)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  return text;
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

// MOIM_SERVER_BINARY in the environment runs the tests against another build of the server (test.sh
// points it at the ASan + UBSan one in build/asan); by default, the one built next to the tests.
std::string server_binary() {
  const char* other = std::getenv("MOIM_SERVER_BINARY");
  return other && *other ? other : MOIM_SERVER_BINARY;
}

std::unique_ptr<ServerProcess> ServerProcess::start(const std::filesystem::path& root, std::string& error,
                                                   const std::vector<std::string>& extra_args,
                                                   const SpawnOptions& spawn) {
  std::unique_ptr<ServerProcess> process(new ServerProcess);
  // Nothing persisted unless a test passes its own --data-dir (a later flag wins). Test clients ping
  // only when a test says so: a 120 s heartbeat timeout keeps a slow run (ASan on a loaded machine)
  // from losing silent bystanders a test asks about later; tests of silence pass their own.
  std::vector<std::string> args = {"--address", "127.0.0.1", "--port", "0", "--root", root.string(), "--data-dir", "",
                                   "--heartbeat-timeout", "120"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process->pid_ = spawn_server(args, /*capture_stderr=*/false, process->stdout_fd_, error, spawn);
  if (process->pid_ < 0) return nullptr;

  static constexpr std::string_view kMarker = "listening on http";  // http:// or https://
  const std::string out = read_until(process->stdout_fd_, Clock::now() + std::chrono::seconds(10),
                                     [](const std::string& text) {
                                       const std::size_t at = text.find(kMarker);
                                       return at != std::string::npos && text.find('\n', at) != std::string::npos;
                                     });
  const std::size_t at = out.find(kMarker);
  const std::size_t eol = at == std::string::npos ? std::string::npos : out.find('\n', at);
  if (eol == std::string::npos) {
    error = "server did not print its listening line; stdout was: '" + out + "'";
    return nullptr;  // the destructor stops the process
  }
  const std::string line = out.substr(at, eol - at);
  const std::size_t colon = line.rfind(':');
  try {
    process->port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
  } catch (const std::exception&) {
    error = "cannot parse the port in '" + line + "'";
    return nullptr;
  }
  return process;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exit_status_) {
    if (!terminate()) {
      ::kill(pid_, SIGKILL);
      wait_for_exit(pid_, std::chrono::seconds(5));
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

bool ServerProcess::alive() {
  if (exit_status_) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = status;
    return false;
  }
  return r == 0;
}

std::optional<int> ServerProcess::terminate(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  ::kill(pid_, SIGTERM);
  exit_status_ = wait_for_exit(pid_, timeout);
  if (!exit_status_) {
    std::fprintf(stderr, "moim-server (pid %d) still running %lld ms after SIGTERM; its threads:\n", static_cast<int>(pid_),
                 static_cast<long long>(timeout.count()));
    const std::string tasks = "/proc/" + std::to_string(pid_) + "/task";
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
      const auto read = [](const std::filesystem::path& path) {
        std::ifstream in(path);
        std::string text;
        std::getline(in, text);
        return text;
      };
      std::fprintf(stderr, "  %s %s: %s, in %s\n", task.path().filename().c_str(), read(task.path() / "comm").c_str(),
                   read(task.path() / "stat").substr(0, 60).c_str(), read(task.path() / "wchan").c_str());
    }
  }
  return exit_status_;
}

RunResult run_server_binary(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  RunResult result;
  std::string error;
  int fd = -1;
  const pid_t pid = spawn_server(args, /*capture_stderr=*/true, fd, error);
  if (pid < 0) {
    result.out = error;
    return result;
  }
  const auto deadline = Clock::now() + timeout;
  result.out = read_until(fd, deadline, [](const std::string&) { return false; });  // until EOF
  ::close(fd);
  std::optional<int> status = wait_for_exit(pid, std::chrono::milliseconds(500));
  if (!status) {
    ::kill(pid, SIGKILL);
    wait_for_exit(pid, std::chrono::seconds(5));
    return result;
  }
  if (WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
  return result;
}

}  // namespace moim::test
