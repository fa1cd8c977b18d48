// Unit tests of the server's static file helpers (no sockets): paths, content types, the in-memory
// site with its precompressed siblings, Accept-Encoding, Cache-Control and entity tags.
#include "static_files.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>
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

// A temporary folder, removed at the end of the test.
class TempRoot {
 public:
  TempRoot() : path_(std::filesystem::temp_directory_path() / ("moim-static-" + std::to_string(::getpid()) + "-" +
                                                               std::to_string(counter_++))) {
    std::filesystem::create_directories(path_);
  }
  ~TempRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& relative, std::string_view content) const {
    const auto file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(ServerStaticFiles, SiteFindsOnlyRegularFilesUnderRoot) {
  TempRoot root;
  root.write("index.html", "i");
  root.write("d/index.html", "d");
  root.write("app.js", "a");
  std::vector<std::string> warnings;
  const StaticSite site = StaticSite::load(root.path(), &warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(site.file_count(), 3u);

  using Status = StaticSite::Lookup::Status;
  EXPECT_EQ(site.find("/").status, Status::Found);
  EXPECT_EQ(site.find("/").asset->identity.body, "i");
  EXPECT_EQ(site.find("/app.js").asset->identity.body, "a");
  EXPECT_EQ(site.find("/app.js").asset->content_type, "text/javascript");
  EXPECT_EQ(site.find("/d").path, "d/index.html");
  EXPECT_EQ(site.find("/d/").path, "d/index.html");
  EXPECT_EQ(site.find("/missing").status, Status::NotFound);
  EXPECT_EQ(site.find("/app.js/").status, Status::NotFound);
  EXPECT_EQ(site.find("/../etc/passwd").status, Status::BadRequest);
}

TEST(ServerStaticFiles, SiteLeavesOutDotfilesAndLinksOutOfTheRoot) {
  TempRoot root, outside;
  root.write("index.html", "i");
  root.write(".env", "secret");
  root.write(".git/config", "[core]");
  root.write("d/.htpasswd", "x");
  root.write("d/.well-known/thing", "x");
  root.write("d/page.html", "p");
  outside.write("secret.key", "KEY");
  std::filesystem::create_symlink(outside.path() / "secret.key", root.path() / "key.txt");
  std::filesystem::create_symlink(outside.path(), root.path() / "out");
  std::filesystem::create_symlink(root.path() / "d" / "page.html", root.path() / "alias.html");
  std::filesystem::create_symlink(root.path() / ".env", root.path() / "env.txt");
  std::filesystem::create_symlink(root.path() / "missing", root.path() / "broken.txt");
  std::vector<std::string> warnings;
  const StaticSite site = StaticSite::load(root.path(), &warnings);
  using Status = StaticSite::Lookup::Status;
  for (const char* hidden : {"/.env", "/.git/config", "/d/.htpasswd", "/d/.well-known/thing", "/key.txt",
                             "/out/secret.key", "/env.txt", "/broken.txt"}) {
    EXPECT_EQ(site.find(hidden).status, Status::NotFound) << hidden;
  }
  EXPECT_EQ(site.find("/alias.html").asset->identity.body, "p");  // a link inside the root is fine
  EXPECT_EQ(site.find("/d/page.html").asset->identity.body, "p");
  EXPECT_EQ(site.file_count(), 3u);
  EXPECT_EQ(warnings.size(), 3u);  // key.txt, out, broken.txt: said at start-up
}

TEST(ServerStaticFiles, SiteHoldsContentAfterTheFilesChange) {
  TempRoot root;
  root.write("app.js", "first");
  const StaticSite site = StaticSite::load(root.path());
  root.write("app.js", "second");
  root.write("new.js", "new");
  EXPECT_EQ(site.find("/app.js").asset->identity.body, "first");
  EXPECT_EQ(site.find("/new.js").status, StaticSite::Lookup::Status::NotFound);
}

TEST(ServerStaticFiles, MissingRootIsAnEmptySite) {
  const StaticSite site = StaticSite::load("/nonexistent/moim-site");
  EXPECT_EQ(site.file_count(), 0u);
  EXPECT_EQ(site.find("/").status, StaticSite::Lookup::Status::NotFound);
}

TEST(ServerStaticFiles, PrecompressedSiblingsBelongToTheirFile) {
  TempRoot root;
  root.write("app.js", "plain");
  root.write("app.js.br", "BR");
  root.write("app.js.gz", "GZ");
  root.write("only.gz", "a download");  // no "only" next to it: an ordinary file
  const StaticSite site = StaticSite::load(root.path());
  const auto app = site.find("/app.js");
  ASSERT_EQ(app.status, StaticSite::Lookup::Status::Found);
  ASSERT_TRUE(app.asset->brotli && app.asset->gzip);
  EXPECT_EQ(app.asset->encoded(ContentCoding::Brotli).body, "BR");
  EXPECT_EQ(app.asset->encoded(ContentCoding::Gzip).body, "GZ");
  EXPECT_EQ(app.asset->encoded(ContentCoding::Identity).body, "plain");
  // Three different tags: a cache must never mix up the encodings.
  EXPECT_NE(app.asset->brotli->etag, app.asset->identity.etag);
  EXPECT_NE(app.asset->gzip->etag, app.asset->identity.etag);
  EXPECT_NE(app.asset->gzip->etag, app.asset->brotli->etag);
  // Siblings are not served under their own names.
  EXPECT_EQ(site.find("/app.js.br").status, StaticSite::Lookup::Status::NotFound);
  EXPECT_EQ(site.find("/app.js.gz").status, StaticSite::Lookup::Status::NotFound);
  EXPECT_EQ(site.find("/only.gz").asset->identity.body, "a download");
  EXPECT_EQ(site.file_count(), 2u);
}

TEST(ServerStaticFiles, StaleSiblingIsIgnored) {
  TempRoot root;
  root.write("app.js.br", "old BR");
  root.write("app.js", "rebuilt");
  std::filesystem::last_write_time(root.path() / "app.js.br",
                                   std::filesystem::last_write_time(root.path() / "app.js") - std::chrono::hours(1));
  std::vector<std::string> warnings;
  const StaticSite site = StaticSite::load(root.path(), &warnings);
  EXPECT_FALSE(site.find("/app.js").asset->brotli.has_value());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("app.js.br"), std::string::npos) << warnings[0];
}

TEST(ServerStaticFiles, AcceptEncodingQualities) {
  using C = ContentCoding;
  const AcceptEncoding none(std::nullopt);
  EXPECT_EQ(none.quality(C::Identity), 1000);
  EXPECT_EQ(none.quality(C::Brotli), 0);
  EXPECT_EQ(none.quality(C::Gzip), 0);

  const AcceptEncoding chrome(std::string_view("gzip, deflate, br, zstd"));
  EXPECT_EQ(chrome.quality(C::Brotli), 1000);
  EXPECT_EQ(chrome.quality(C::Gzip), 1000);
  EXPECT_GT(chrome.quality(C::Identity), 0);

  const AcceptEncoding weighted(std::string_view("BR;q=0.5 , GZip ; Q=0.25,identity;q=0"));
  EXPECT_EQ(weighted.quality(C::Brotli), 500);
  EXPECT_EQ(weighted.quality(C::Gzip), 250);
  EXPECT_EQ(weighted.quality(C::Identity), 0);

  const AcceptEncoding star(std::string_view("*;q=0.1, br;q=0"));
  EXPECT_EQ(star.quality(C::Brotli), 0);
  EXPECT_EQ(star.quality(C::Gzip), 100);
  EXPECT_EQ(star.quality(C::Identity), 100);

  EXPECT_EQ(AcceptEncoding(std::string_view("x-gzip")).quality(C::Gzip), 1000);
  EXPECT_EQ(AcceptEncoding(std::string_view("gzip;q=1.000")).quality(C::Gzip), 1000);
  EXPECT_EQ(AcceptEncoding(std::string_view("gzip;q=0.")).quality(C::Gzip), 0);
  // Malformed entries are skipped, the rest still counts.
  for (const char* bad : {"br;q=2", "br;q=1.5", "br;q=0.0001", "br;q=abc", "br;q", "b r", "br;q=-1"}) {
    const std::string header = std::string(bad) + ", gzip";
    EXPECT_EQ(AcceptEncoding(std::string_view(header)).quality(C::Brotli), 0) << bad;
    EXPECT_EQ(AcceptEncoding(std::string_view(header)).quality(C::Gzip), 1000) << bad;
  }
}

TEST(ServerStaticFiles, AcceptEncodingChoice) {
  using C = ContentCoding;
  const auto choose = [](std::optional<std::string_view> header, bool br = true, bool gz = true) {
    return AcceptEncoding(header).choose(br, gz);
  };
  EXPECT_EQ(choose(std::nullopt), C::Identity);
  EXPECT_EQ(choose(""), C::Identity);
  EXPECT_EQ(choose("gzip, deflate, br"), C::Brotli);
  EXPECT_EQ(choose("gzip, deflate, br", false, true), C::Gzip);
  EXPECT_EQ(choose("gzip, deflate, br", false, false), C::Identity);
  EXPECT_EQ(choose("gzip, deflate"), C::Gzip);
  EXPECT_EQ(choose("br"), C::Brotli);
  EXPECT_EQ(choose("br", false, true), C::Identity);
  EXPECT_EQ(choose("br;q=0, gzip"), C::Gzip);
  EXPECT_EQ(choose("br;q=0, gzip;q=0"), C::Identity);
  EXPECT_EQ(choose("gzip;q=1, br;q=0.5"), C::Gzip);
  EXPECT_EQ(choose("gzip;q=0.5, br;q=0.8"), C::Brotli);
  EXPECT_EQ(choose("br;q=0.1"), C::Brotli);          // unlisted identity loses to anything accepted
  EXPECT_EQ(choose("identity, br;q=0.5"), C::Identity);  // listed identity keeps its weight
  EXPECT_EQ(choose("*"), C::Brotli);
  EXPECT_EQ(choose("*;q=0"), C::Identity);           // nothing acceptable: identity anyway
  EXPECT_EQ(choose("deflate, compress"), C::Identity);
}

TEST(ServerStaticFiles, CacheControlByName) {
  EXPECT_TRUE(is_content_hashed("moim.0123abcd.js"));
  EXPECT_TRUE(is_content_hashed("/a/b/moim-glue.deadbeef.js"));
  EXPECT_TRUE(is_content_hashed("moim.8411ac39.wasm"));
  EXPECT_TRUE(is_content_hashed("x.y.12345678.tar.gz"));
  EXPECT_FALSE(is_content_hashed("moim.js"));
  EXPECT_FALSE(is_content_hashed("moim.0123ABCD.js"));  // the build writes lower case
  EXPECT_FALSE(is_content_hashed("moim.0123abc.js"));
  EXPECT_FALSE(is_content_hashed("moim.0123abcde.js"));
  EXPECT_FALSE(is_content_hashed("moim.0123abcd"));  // no extension after the hash
  EXPECT_FALSE(is_content_hashed("d.0123abcd.x/moim.js"));  // only the file name counts

  EXPECT_EQ(cache_control_for("moim.0123abcd.wasm"), "public, max-age=31536000, immutable");
  EXPECT_EQ(cache_control_for("index.html"), "no-cache");
  EXPECT_EQ(cache_control_for("sub/index.html"), "no-cache");
  EXPECT_EQ(cache_control_for("fonts/hangul.ttf"), "public, max-age=3600");
  EXPECT_EQ(cache_control_for("moim.css"), "public, max-age=3600");
}

TEST(ServerStaticFiles, EntityTags) {
  const std::string tag = make_etag("content");
  EXPECT_EQ(tag.size(), 18u);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_EQ(make_etag("content"), tag);
  EXPECT_NE(make_etag("Content"), tag);
  EXPECT_EQ(make_etag("content", "-br"), tag.substr(0, 17) + "-br\"");

  EXPECT_TRUE(if_none_match_matches(tag, tag));
  EXPECT_TRUE(if_none_match_matches("W/" + tag, tag));
  EXPECT_TRUE(if_none_match_matches(R"("other", )" + tag, tag));
  EXPECT_TRUE(if_none_match_matches(R"("a,b" ,W/"c",)" + tag + " ", tag));
  EXPECT_TRUE(if_none_match_matches(" * ", tag));
  EXPECT_FALSE(if_none_match_matches(R"("other")", tag));
  EXPECT_FALSE(if_none_match_matches("", tag));
  EXPECT_FALSE(if_none_match_matches(tag.substr(1, 16), tag));  // unquoted
  EXPECT_FALSE(if_none_match_matches(R"("unterminated, )" + tag, tag));
  EXPECT_FALSE(if_none_match_matches(R"(junk )" + tag, tag));
}

}  // namespace
}  // namespace moim::server
