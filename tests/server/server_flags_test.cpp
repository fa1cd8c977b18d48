// moim-server's command line.
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace moim::test {
namespace {

TEST(ServerFlags, HelpPrintsUsageAndExitsZero) {
  const RunResult result = run_server_binary({"--help"});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  for (const char* flag : {"--port", "--address", "--root", "--cert", "--key", "--allow-origin",
                           "--max-connections-per-address", "--stun-port", "--stun-uri", "--turn-uri",
                           "--turn-secret-file", "--turn-ttl", "--ice-policy", "--janus-url", "--janus-api-secret-file",
                           "--janus-admin-key-file", "--max-capacity", "--mesh-max", "--help"}) {
    EXPECT_NE(result.out.find(flag), std::string::npos) << flag << " missing from: " << result.out;
  }
}

TEST(ServerFlags, BadValuesExitWithCode2) {
  const std::vector<std::vector<std::string>> cases = {
      {"--port", "abc"},       {"--port", "70000"},   {"--port", "-1"},          {"--port", ""},
      {"--port"},              {"--port=12x"},        {"--address", "nowhere"},  {"--address", "1.2.3"},
      {"--root", "/nonexistent/moim"}, {"--bogus"},   {"extra"},
      {"--allow-origin", "moim.example"}, {"--allow-origin", "ftp://moim.example"},
      {"--allow-origin", "https://moim.example/path"}, {"--allow-origin"}, {"--allow-origin="},
      {"--max-connections-per-address", "x"}, {"--max-connections-per-address", "-1"},
      {"--max-connections-per-address", "2000000"}, {"--max-connections-per-address"},
      {"--cert", ""}, {"--cert", "/nonexistent/cert.pem"}, {"--key", "/nonexistent/key.pem"},
      // ICE servers
      {"--turn-uri", "http://turn.example"}, {"--turn-uri", "stun:{host}:3478"}, {"--turn-uri", "turn:{host}:0"},
      {"--turn-uri", "turn:{host}:3478?transport=sctp"}, {"--turn-uri", "turn:a\"b:3478"}, {"--turn-uri"},
      {"--turn-uri", "turn:{host}:3478"},  // without --turn-secret-file
      {"--turn-secret-file", "/nonexistent/secret"},  // without --turn-uri
      {"--turn-secret-file", "", "--turn-uri", "turn:{host}"},
      {"--stun-uri", "turn:stun.example"}, {"--stun-uri", "stun:{host}:3478?transport=udp"}, {"--stun-uri", ""},
      {"--turn-ttl", "59"}, {"--turn-ttl", "86401"}, {"--turn-ttl", "1h"}, {"--turn-ttl", "-5"},
      {"--stun-port", "65536"}, {"--stun-port", "-1"}, {"--stun-port", "udp"}, {"--stun-port"},
      {"--ice-policy", "none"}, {"--ice-policy", "RELAY"}, {"--ice-policy"},
      {"--ice-policy", "relay"},  // without --turn-uri nobody could connect
      {"--turn-uri", "turn:{host}", "--turn-secret-file", "/nonexistent/secret"},  // unreadable
      {"--turn-uri", "turn:{host}", "--turn-secret-file", "/tmp", "--data-dir", ""},  // a folder
      // Room sizes (issue 15): up to 50; mesh rooms from 2 up to --max-capacity
      {"--max-capacity", "51"}, {"--max-capacity", "1"}, {"--mesh-max", "1"}, {"--mesh-max", "9"}, {"--mesh-max", "51"}, {"--mesh-max"},
      {"--mesh-max", "six"}, {"--mesh-max", "6", "--max-capacity", "4"}, {"--max-capacity", "8", "--mesh-max", "9"},
      // Janus
      {"--janus-url", "http://127.0.0.1:8188"}, {"--janus-url", "wss://janus.example"}, {"--janus-url", "ws://h:0"},
      {"--janus-url", "127.0.0.1:8188"}, {"--janus-url"}, {"--janus-url", ""},
      {"--janus-api-secret-file", "/nonexistent/api-secret"},  // without --janus-url
      {"--janus-admin-key-file", "/nonexistent/admin-key"},    // without --janus-url
      {"--janus-url", "ws://127.0.0.1:8188", "--janus-api-secret-file", ""},
      {"--janus-url", "ws://127.0.0.1:8188", "--janus-api-secret-file", "/nonexistent/api-secret", "--data-dir", ""},
      {"--janus-url", "ws://127.0.0.1:8188", "--janus-admin-key-file", "/tmp", "--data-dir", ""},
      {"--stun-uri", "stun:a", "--stun-uri", "stun:b", "--stun-uri", "stun:c", "--stun-uri", "stun:d", "--stun-uri",
       "stun:e", "--stun-uri", "stun:f", "--stun-uri", "stun:g", "--stun-uri", "stun:h", "--stun-uri", "stun:i"},
  };
  for (const auto& args : cases) {
    const RunResult result = run_server_binary(args);
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    EXPECT_EQ(result.exit_code, 2) << joined << "-> " << result.out;
    EXPECT_NE(result.out.find("moim-server:"), std::string::npos) << joined << "-> " << result.out;
  }
}

// Issue 15: --max-capacity up to 50 and --mesh-max within it start the server; without --mesh-max a
// smaller --max-capacity brings the mesh limit down with it (every room a mesh room), no error.
TEST(ServerFlags, RoomSizesWithinTheLimitsStart) {
  const std::filesystem::path site =
      std::filesystem::temp_directory_path() / ("moim-sizes-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(site);
  for (const std::vector<std::string>& sizes : std::vector<std::vector<std::string>>{
           {"--max-capacity", "50", "--mesh-max", "8"},
           {"--mesh-max", "2"},
           {"--max-capacity", "4"},
           {"--max-capacity", "8", "--mesh-max", "8"}}) {
    std::vector<std::string> args = {"--port", "0", "--address", "127.0.0.1", "--data-dir", "", "--root", site.string()};
    args.insert(args.end(), sizes.begin(), sizes.end());
    const RunResult ok = run_server_binary(args, std::chrono::milliseconds(1500));
    EXPECT_NE(ok.out.find("listening on http"), std::string::npos) << sizes.at(1) << ": " << ok.out;
  }
  std::filesystem::remove_all(site);
}

// --turn-secret-file is read once at start; a file that cannot be a secret stops the server with
// exit code 2 and says why.
TEST(ServerFlags, TurnSecretFileMustBePrivateAndHoldOneLine) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("moim-secret-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& content, std::filesystem::perms perms) {
    const std::filesystem::path path = dir / name;
    std::ofstream(path, std::ios::binary) << content;
    std::filesystem::permissions(path, perms);
    return path.string();
  };
  using std::filesystem::perms;
  const perms private_file = perms::owner_read | perms::owner_write;
  struct Case {
    std::string path;
    std::string says;
  };
  const std::vector<Case> cases = {
      {write("world-readable", "secret\n", private_file | perms::others_read), "readable by group or others (mode 0604)"},
      {write("group-readable", "secret\n", private_file | perms::group_read), "readable by group or others (mode 0640)"},
      {write("empty", "", private_file), "is empty"},
      {write("only-newline", "\n", private_file), "is empty"},
      {write("two-lines", "one\ntwo\n", private_file), "one line"},
      {write("nul", std::string("se\0cret", 7), private_file), "one line"},
      {write("huge", std::string(5000, 's'), private_file), "bytes"},
      {(dir / "missing").string(), "cannot open"},
  };
  for (const Case& c : cases) {
    const RunResult result = run_server_binary(
        {"--port", "0", "--data-dir", "", "--turn-uri", "turn:{host}:3478", "--turn-secret-file", c.path});
    EXPECT_EQ(result.exit_code, 2) << c.path << " -> " << result.out;
    EXPECT_NE(result.out.find(c.says), std::string::npos) << c.path << " -> " << result.out;
  }
  // A private one-line file (with or without its final newline) is taken; the server starts
  // (and is stopped by the timeout: exit_code -1).
  const std::filesystem::path site = dir / "site";
  std::filesystem::create_directories(site);
  const std::string good = write("good", "secret\r\n", private_file);
  const RunResult ok = run_server_binary({"--port", "0", "--address", "127.0.0.1", "--data-dir", "", "--root", site.string(),
                                          "--turn-uri", "turn:{host}:3478", "--turn-secret-file", good},
                                         std::chrono::milliseconds(3000));
  EXPECT_NE(ok.out.find("listening on http"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("turn:{host}:3478 (TURN credentials valid 3600 s)"), std::string::npos) << ok.out;
  // Not inside the folder the server publishes.
  const RunResult published = run_server_binary({"--port", "0", "--data-dir", "", "--root", dir.string(), "--turn-uri",
                                                 "turn:{host}:3478", "--turn-secret-file", good});
  EXPECT_EQ(published.exit_code, 2) << published.out;
  EXPECT_NE(published.out.find("would publish the TURN secret"), std::string::npos) << published.out;
  std::filesystem::remove_all(dir);
}

// Janus's secrets are read the same way: private, one line, outside the published folder.
TEST(ServerFlags, JanusSecretFilesMustBePrivate) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("moim-janus-secret-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  using std::filesystem::perms;
  const std::filesystem::path open_file = dir / "api-secret";
  std::ofstream(open_file) << "secret\n";
  std::filesystem::permissions(open_file, perms::owner_read | perms::owner_write | perms::others_read);
  const RunResult readable = run_server_binary({"--port", "0", "--data-dir", "", "--janus-url", "ws://127.0.0.1:8188",
                                                "--janus-api-secret-file", open_file.string()});
  EXPECT_EQ(readable.exit_code, 2) << readable.out;
  EXPECT_NE(readable.out.find("--janus-api-secret-file '" + open_file.string() + "' is readable by group or others"),
            std::string::npos) << readable.out;
  EXPECT_NE(readable.out.find("can use Janus's API"), std::string::npos) << readable.out;
  const std::filesystem::path key = dir / "admin-key";
  std::ofstream(key) << "";
  std::filesystem::permissions(key, perms::owner_read | perms::owner_write);
  const RunResult empty = run_server_binary({"--port", "0", "--data-dir", "", "--janus-url", "ws://127.0.0.1:8188",
                                             "--janus-admin-key-file", key.string()});
  EXPECT_EQ(empty.exit_code, 2) << empty.out;
  EXPECT_NE(empty.out.find("is empty: put the VideoRoom plugin's admin_key in it"), std::string::npos) << empty.out;
  std::ofstream(key) << "key\n";
  const RunResult published = run_server_binary({"--port", "0", "--data-dir", "", "--root", dir.string(), "--janus-url",
                                                 "ws://127.0.0.1:8188", "--janus-admin-key-file", key.string()});
  EXPECT_EQ(published.exit_code, 2) << published.out;
  EXPECT_NE(published.out.find("would publish the VideoRoom admin key"), std::string::npos) << published.out;
  std::filesystem::remove_all(dir);
}

TEST(ServerFlags, TurnTtlMustOutliveTheResumeWindow) {
  const RunResult result = run_server_binary({"--resume-grace", "60", "--session-max-age", "600", "--turn-ttl", "100"});
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.out.find("--turn-ttl must be at least 138"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace moim::test
