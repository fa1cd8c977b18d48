// Real Janus for the tests, started the way ./run.sh starts it (scripts/janus.sh, which writes the
// configuration into a data folder and replaces itself with janus), and a blocking client of its API
// for checking what Janus itself says (list, exists, destroy with a wrong secret ...).
#pragma once

#include "ws_test_client.hpp"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moim::test {

// A free TCP port on 127.0.0.1 (bound and released: another process could take it meanwhile).
unsigned short free_tcp_port();

// The repository's scripts/janus.sh.
std::filesystem::path janus_script();

class JanusProcess {
 public:
  // `scripts/janus.sh --data-dir <dir> --port <port> <extra...>` under `setpriv --pdeathsig KILL` (so
  // Janus dies with the test process, whatever happens to it), its output in <dir>/../janus-<port>.log;
  // waits up to 15 s until the port accepts connections. nullptr and `error` (with the log) otherwise.
  static std::unique_ptr<JanusProcess> start(const std::filesystem::path& dir, unsigned short port, std::string& error,
                                             const std::vector<std::string>& extra = {});
  ~JanusProcess();  // SIGKILL if still running
  JanusProcess(const JanusProcess&) = delete;
  JanusProcess& operator=(const JanusProcess&) = delete;

  pid_t pid() const { return pid_; }
  unsigned short port() const { return port_; }
  std::string log() const;
  // Janus logs from a thread of its own, behind what it does: waits up to `timeout` for `text`.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  bool alive();
  // Sends `signal` and waits up to `timeout` for the exit; its status (as from waitpid) or nullopt.
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // "address:port" of every TCP socket the process listens on (from /proc).
  std::vector<std::string> listening_tcp() const;

 private:
  JanusProcess() = default;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::filesystem::path log_;
  std::optional<int> status_;
};

// The Janus API over a blocking WebSocket (subprotocol janus-protocol): each call adds a transaction
// and returns Janus's answer to it (acks and events in between are skipped), or nullopt on timeout.
class JanusApi {
 public:
  explicit JanusApi(unsigned short port);
  std::optional<nlohmann::json> call(nlohmann::json message, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // create + attach to the VideoRoom plugin with this API secret; false (and why) if Janus refused.
  bool open_videoroom(const std::string& api_secret, std::string& why);
  // A VideoRoom request on the attached handle: plugindata.data of the answer, or the whole answer
  // when it has none (a core error).
  nlohmann::json videoroom(nlohmann::json body);
  // The next message that is not an answer (an event such as "timeout"), or nullopt.
  std::optional<nlohmann::json> next_event(std::chrono::milliseconds timeout);

  std::uint64_t session() const { return session_; }

 private:
  std::unique_ptr<WsClient> ws_;
  std::string api_secret_;
  std::uint64_t session_ = 0, handle_ = 0;
  int next_ = 1;
  std::vector<nlohmann::json> events_;
};

}  // namespace moim::test
