// moim-server's command line.
#include "server_process.hpp"

#include <gtest/gtest.h>

namespace moim::test {
namespace {

TEST(ServerFlags, HelpPrintsUsageAndExitsZero) {
  const RunResult result = run_server_binary({"--help"});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  for (const char* flag : {"--port", "--address", "--root", "--cert", "--key", "--allow-origin",
                           "--max-connections-per-address", "--help"}) {
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
  };
  for (const auto& args : cases) {
    const RunResult result = run_server_binary(args);
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    EXPECT_EQ(result.exit_code, 2) << joined << "-> " << result.out;
    EXPECT_NE(result.out.find("moim-server:"), std::string::npos) << joined << "-> " << result.out;
  }
}

}  // namespace
}  // namespace moim::test
