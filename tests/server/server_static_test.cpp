// The real moim-server serving a built-like site: precompressed siblings negotiated with
// Accept-Encoding, Vary, Cache-Control by kind of file, ETag / If-None-Match, HEAD.
#include "http_test_client.hpp"
#include "server_fixture.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <fstream>
#include <string>

namespace moim::test {
namespace {

namespace http = boost::beast::http;
using Headers = HttpClient::Headers;
using Response = http::response<http::string_body>;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kHour = "public, max-age=3600";

// The sibling files hold markers, not real compressed data: the server never decodes them, it only
// picks which bytes to send (real .br/.gz files are checked in the end-to-end tests, by Chromium).
const std::string kWasm = std::string("\0asm\1\0\0\0", 8) + std::string(4000, 'w');
const std::string kWasmBr = "brotli bytes of the wasm";
const std::string kWasmGz = "gzip bytes of the wasm";
const std::string kFont = std::string(3000, 'f');
const std::string kFontGz = "gzip bytes of the font";

class ServerStatic : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    // The site is read at start-up: write the extra files, then restart on the same root.
    ASSERT_TRUE(server_->terminate().has_value());
    write(root_ / "moim.0123abcd.wasm", kWasm);
    write(root_ / "moim.0123abcd.wasm.br", kWasmBr);
    write(root_ / "moim.0123abcd.wasm.gz", kWasmGz);
    write(root_ / "index.html.br", "brotli bytes of index.html");
    std::filesystem::create_directories(root_ / "fonts");
    write(root_ / "fonts" / "hangul.ttf", kFont);
    write(root_ / "fonts" / "hangul.ttf.gz", kFontGz);
    std::string error;
    server_ = ServerProcess::start(root_, error);
    ASSERT_NE(server_, nullptr) << error;
  }

  static void write(const std::filesystem::path& path, std::string_view content) {
    std::ofstream(path, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
  }

  std::optional<Response> get(const std::string& target, const Headers& headers = {},
                              http::verb method = http::verb::get) {
    HttpClient client(port());
    return client.request(method, target, headers);
  }
};

std::string header(const Response& response, http::field field) { return std::string(response[field]); }
bool has(const Response& response, http::field field) { return response.find(field) != response.end(); }

TEST_F(ServerStatic, BrotliWhenAccepted) {
  const auto response = get("/moim.0123abcd.wasm", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_EQ(header(*response, http::field::content_encoding), "br");
  EXPECT_EQ(header(*response, http::field::content_type), "application/wasm");  // of the original
  EXPECT_EQ(header(*response, http::field::content_length), std::to_string(kWasmBr.size()));
  EXPECT_EQ(header(*response, http::field::vary), "Accept-Encoding");
  EXPECT_EQ(response->body(), kWasmBr);
}

TEST_F(ServerStatic, GzipWhenBrotliIsNotAcceptedOrMissing) {
  const auto wasm = get("/moim.0123abcd.wasm", {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_TRUE(wasm.has_value());
  EXPECT_EQ(header(*wasm, http::field::content_encoding), "gzip");
  EXPECT_EQ(header(*wasm, http::field::content_type), "application/wasm");
  EXPECT_EQ(wasm->body(), kWasmGz);
  // The font has only a .gz: a client that prefers br still gets gzip.
  const auto font = get("/fonts/hangul.ttf", {{"Accept-Encoding", "br, gzip"}});
  ASSERT_TRUE(font.has_value());
  EXPECT_EQ(header(*font, http::field::content_encoding), "gzip");
  EXPECT_EQ(header(*font, http::field::content_type), "font/ttf");
  EXPECT_EQ(font->body(), kFontGz);
}

TEST_F(ServerStatic, IdentityWithoutAcceptEncoding) {
  const auto response = get("/moim.0123abcd.wasm");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_FALSE(has(*response, http::field::content_encoding));
  EXPECT_EQ(header(*response, http::field::content_length), std::to_string(kWasm.size()));
  EXPECT_EQ(header(*response, http::field::vary), "Accept-Encoding");  // it has other forms
  EXPECT_EQ(response->body(), kWasm);
}

TEST_F(ServerStatic, QualityZeroRefusesACoding) {
  const auto no_br = get("/moim.0123abcd.wasm", {{"Accept-Encoding", "br;q=0, gzip"}});
  ASSERT_TRUE(no_br.has_value());
  EXPECT_EQ(header(*no_br, http::field::content_encoding), "gzip");
  const auto neither = get("/moim.0123abcd.wasm", {{"Accept-Encoding", "br;q=0, gzip;q=0"}});
  ASSERT_TRUE(neither.has_value());
  EXPECT_FALSE(has(*neither, http::field::content_encoding));
  EXPECT_EQ(neither->body(), kWasm);
  const auto star = get("/moim.0123abcd.wasm", {{"Accept-Encoding", "*;q=0.5, br;q=0"}});
  ASSERT_TRUE(star.has_value());
  EXPECT_EQ(header(*star, http::field::content_encoding), "gzip");
  // Two Accept-Encoding lines count as one list.
  const auto split = get("/moim.0123abcd.wasm", {{"Accept-Encoding", "gzip"}, {"Accept-Encoding", "br"}});
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(header(*split, http::field::content_encoding), "br");
}

TEST_F(ServerStatic, VaryOnlyWhereThereIsAChoice) {
  const auto js = get("/app.js", {{"Accept-Encoding", "br, gzip"}});  // no siblings
  ASSERT_TRUE(js.has_value());
  EXPECT_FALSE(has(*js, http::field::vary));
  EXPECT_FALSE(has(*js, http::field::content_encoding));
  const auto index = get("/", {{"Accept-Encoding", "gzip"}});  // has a .br only
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(header(*index, http::field::vary), "Accept-Encoding");
  EXPECT_FALSE(has(*index, http::field::content_encoding));
  EXPECT_EQ(index->body(), kIndexHtml);
}

TEST_F(ServerStatic, CacheControlByKindOfFile) {
  const auto hashed = get("/moim.0123abcd.wasm");
  ASSERT_TRUE(hashed.has_value());
  EXPECT_EQ(header(*hashed, http::field::cache_control), kImmutable);
  for (const std::string target : {"/", "/index.html", "/sub/", "/sub/index.html"}) {
    const auto index = get(target);
    ASSERT_TRUE(index.has_value()) << target;
    EXPECT_EQ(header(*index, http::field::cache_control), "no-cache") << target;
  }
  for (const std::string target : {"/fonts/hangul.ttf", "/app.js", "/app.wasm"}) {
    const auto other = get(target);
    ASSERT_TRUE(other.has_value()) << target;
    EXPECT_EQ(header(*other, http::field::cache_control), kHour) << target;
    EXPECT_FALSE(header(*other, http::field::etag).empty()) << target;
  }
  const auto missing = get("/nope.js");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->result(), http::status::not_found);
  EXPECT_EQ(header(*missing, http::field::cache_control), "no-cache");
}

TEST_F(ServerStatic, EtagRevalidationAnswers304) {
  const auto first = get("/fonts/hangul.ttf");
  ASSERT_TRUE(first.has_value());
  const std::string etag = header(*first, http::field::etag);
  ASSERT_FALSE(etag.empty());

  HttpClient client(port());  // one connection: 304 must leave it usable
  const auto again = client.request(http::verb::get, "/fonts/hangul.ttf", Headers{{"If-None-Match", etag}});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->result(), http::status::not_modified);
  EXPECT_TRUE(again->body().empty());
  EXPECT_EQ(header(*again, http::field::etag), etag);
  EXPECT_EQ(header(*again, http::field::cache_control), kHour);
  EXPECT_EQ(header(*again, http::field::vary), "Accept-Encoding");

  const auto listed = client.request(http::verb::get, "/fonts/hangul.ttf",
                                     Headers{{"If-None-Match", "\"something-else\", W/" + etag}});
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->result(), http::status::not_modified);

  const auto changed = client.request(http::verb::get, "/fonts/hangul.ttf", Headers{{"If-None-Match", "\"old\""}});
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(changed->result(), http::status::ok);
  EXPECT_EQ(changed->body(), kFont);

  // Each encoding has its own tag: the identity tag does not validate the gzip form.
  const auto gzip = client.request(http::verb::get, "/fonts/hangul.ttf",
                                   Headers{{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}});
  ASSERT_TRUE(gzip.has_value());
  EXPECT_EQ(gzip->result(), http::status::ok);
  EXPECT_EQ(gzip->body(), kFontGz);
  const std::string gzip_etag = header(*gzip, http::field::etag);
  EXPECT_NE(gzip_etag, etag);
  const auto gzip_again = client.request(http::verb::get, "/fonts/hangul.ttf",
                                         Headers{{"Accept-Encoding", "gzip"}, {"If-None-Match", gzip_etag}});
  ASSERT_TRUE(gzip_again.has_value());
  EXPECT_EQ(gzip_again->result(), http::status::not_modified);

  const auto index = client.request(http::verb::get, "/", Headers{{"If-None-Match", "*"}});
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->result(), http::status::not_modified);
  EXPECT_EQ(header(*index, http::field::cache_control), "no-cache");
}

TEST_F(ServerStatic, HeadHasTheHeadersOfGetAndNoBody) {
  HttpClient client(port());
  const Headers br{{"Accept-Encoding", "br"}};
  const auto head = client.request(http::verb::head, "/moim.0123abcd.wasm", br);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->result(), http::status::ok);
  EXPECT_TRUE(head->body().empty());
  const auto get = client.request(http::verb::get, "/moim.0123abcd.wasm", br);  // same connection, still in step
  ASSERT_TRUE(get.has_value());
  for (http::field field : {http::field::content_type, http::field::content_encoding, http::field::content_length,
                            http::field::cache_control, http::field::etag, http::field::vary}) {
    EXPECT_EQ(header(*head, field), header(*get, field)) << field;
    EXPECT_FALSE(header(*head, field).empty()) << field;
  }
  EXPECT_EQ(get->body(), kWasmBr);
}

TEST_F(ServerStatic, SiblingsAreNotServedUnderTheirOwnNames) {
  for (const std::string target : {"/moim.0123abcd.wasm.br", "/moim.0123abcd.wasm.gz", "/index.html.br"}) {
    const auto response = get(target, {{"Accept-Encoding", "br, gzip"}});
    ASSERT_TRUE(response.has_value()) << target;
    EXPECT_EQ(response->result(), http::status::not_found) << target;
  }
}

}  // namespace
}  // namespace moim::test
