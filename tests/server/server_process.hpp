// Runs the real moim-server binary as a child process for the process-level tests.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace moim::test {

// Path of the moim-server binary under test: set by CMake, or MOIM_SERVER_BINARY in the environment.
std::string server_binary();

// How to start the server, beyond its flags.
struct SpawnOptions {
  // Run the server through this command (e.g. {"/usr/bin/prlimit", "--nofile=256:256", "--"}).
  std::vector<std::string> command_prefix;
  // Where its stderr (the log) goes; empty: the test's own stderr.
  std::filesystem::path stderr_path;
};

class ServerProcess {
 public:
  // Starts `moim-server --address 127.0.0.1 --port 0 --root <root> <extra_args...>` and waits (up to
  // 10 s) for its "listening on http(s)://...:PORT" line. Returns nullptr and sets `error` on failure.
  static std::unique_ptr<ServerProcess> start(const std::filesystem::path& root, std::string& error,
                                              const std::vector<std::string>& extra_args = {},
                                              const SpawnOptions& spawn = {});

  ~ServerProcess();  // SIGTERM, then SIGKILL if it has not exited within 5 s
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  // True while the process has not exited (reaps it if it has).
  bool alive();
  // Sends SIGTERM and waits; returns the exit status (as from waitpid) or nullopt on timeout, after
  // printing what each of the server's threads is blocked in (a server that does not stop is a bug
  // to find). The wait is long because a sanitized server (tests/tsan.sh) on a busy machine has been
  // seen to take over 5 s to exit, once in a few hundred runs; a healthy one takes milliseconds.
  std::optional<int> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  unsigned short port_ = 0;
  std::optional<int> exit_status_;
};

struct RunResult {
  int exit_code = -1;  // -1 when it did not exit normally or timed out
  std::string out;     // stdout and stderr together
};

// Runs moim-server with `args` to completion (for flag tests), killing it after `timeout`.
RunResult run_server_binary(const std::vector<std::string>& args,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace moim::test
