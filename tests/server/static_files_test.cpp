// Unit tests of the server's static file helpers (no sockets).
#include "static_files.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

namespace moim::server {
namespace {

TEST(ServerStaticFiles, MimeTypes) {
  EXPECT_EQ(mime_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type("/a/b/APP.JS"), "text/javascript");
  EXPECT_EQ(mime_type("moim.wasm"), "application/wasm");
  EXPECT_EQ(mime_type("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type("x.json"), "application/json");
  EXPECT_EQ(mime_type("x.png"), "image/png");
  EXPECT_EQ(mime_type("x.svg"), "image/svg+xml");
  EXPECT_EQ(mime_type("x.ttf"), "font/ttf");
  EXPECT_EQ(mime_type("x.otf"), "font/otf");
  EXPECT_EQ(mime_type("x.woff2"), "font/woff2");
  EXPECT_EQ(mime_type("favicon.ico"), "image/x-icon");
  EXPECT_EQ(mime_type("data.bin"), "application/octet-stream");
  EXPECT_EQ(mime_type("noext"), "application/octet-stream");
  EXPECT_EQ(mime_type("dir.d/noext"), "application/octet-stream");
}

TEST(ServerStaticFiles, PercentDecode) {
  EXPECT_EQ(percent_decode("a%20b"), "a b");
  EXPECT_EQ(percent_decode("%2e%2E"), "..");
  EXPECT_EQ(percent_decode("plain"), "plain");
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%2"));
  EXPECT_FALSE(percent_decode("%zz"));
  EXPECT_FALSE(percent_decode("a%00b"));
}

TEST(ServerStaticFiles, TargetToRelativePath) {
  EXPECT_EQ(target_to_relative_path("/"), "index.html");
  EXPECT_EQ(target_to_relative_path("/?x=1"), "index.html");
  EXPECT_EQ(target_to_relative_path("/app.js?v=2#frag"), "app.js");
  EXPECT_EQ(target_to_relative_path("/a//b/./c.css"), "a/b/c.css");
  EXPECT_EQ(target_to_relative_path("/sub/"), "sub/index.html");
  EXPECT_EQ(target_to_relative_path("/my%20file.txt"), "my file.txt");
  EXPECT_EQ(target_to_relative_path("/a..b.js"), "a..b.js");
  for (const char* bad : {"", "index.html", "http://x/", "/..", "/../x", "/a/../b", "/%2e%2e/x", "/a%2f..%2fb",
                          "/a\\b", "/%5c", "/%00", "/%"}) {
    EXPECT_FALSE(target_to_relative_path(bad)) << bad;
  }
}

TEST(ServerStaticFiles, LookupFindsOnlyRegularFilesUnderRoot) {
  const auto root = std::filesystem::temp_directory_path() / ("moim-static-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "d");
  std::ofstream(root / "index.html") << "i";
  std::ofstream(root / "d" / "index.html") << "d";
  std::ofstream(root / "app.js") << "a";

  EXPECT_EQ(lookup_static_file(root, "/").status, StaticLookup::Status::Found);
  EXPECT_EQ(lookup_static_file(root, "/").file, root / "index.html");
  EXPECT_EQ(lookup_static_file(root, "/app.js").file, root / "app.js");
  EXPECT_EQ(lookup_static_file(root, "/d").file, root / "d" / "index.html");
  EXPECT_EQ(lookup_static_file(root, "/d/").file, root / "d" / "index.html");
  EXPECT_EQ(lookup_static_file(root, "/missing").status, StaticLookup::Status::NotFound);
  EXPECT_EQ(lookup_static_file(root, "/app.js/").status, StaticLookup::Status::NotFound);
  EXPECT_EQ(lookup_static_file(root, "/../etc/passwd").status, StaticLookup::Status::BadRequest);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace moim::server
