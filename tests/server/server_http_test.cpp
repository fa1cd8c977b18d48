// HTTP side of moim-server: static files, content types, path safety, methods, keep-alive.
#include "http_test_client.hpp"
#include "server_fixture.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <stdexcept>

namespace moim::test {
namespace {

namespace http = boost::beast::http;

class ServerHttp : public ServerFixture {};

std::string header(const http::response<http::string_body>& response, http::field field) {
  return std::string(response[field]);
}

TEST_F(ServerHttp, GetRootServesIndexHtml) {
  HttpClient client(port());
  const auto response = client.request(http::verb::get, "/");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_EQ(header(*response, http::field::content_type), "text/html; charset=utf-8");
  EXPECT_EQ(response->body(), kIndexHtml);
}

TEST_F(ServerHttp, WasmAndJavaScriptGetTheirContentTypes) {
  HttpClient client(port());
  const auto wasm = client.request(http::verb::get, "/app.wasm");
  ASSERT_TRUE(wasm.has_value());
  EXPECT_EQ(wasm->result(), http::status::ok);
  EXPECT_EQ(header(*wasm, http::field::content_type), "application/wasm");
  EXPECT_EQ(wasm->body(), std::string("\0asm\1\0\0\0", 8));

  const auto js = client.request(http::verb::get, "/app.js?v=3");
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->result(), http::status::ok);
  EXPECT_EQ(header(*js, http::field::content_type), "text/javascript");
}

TEST_F(ServerHttp, PathsEscapingTheRootAreRefused) {
  for (const std::string target : {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                                   "/..%2fsecret.txt", "/../../../../../../etc/passwd", "/sub/..", "..",
                                   "/..\\secret.txt", "/%00index.html"}) {
    HttpClient client(port());
    const auto response = client.request(http::verb::get, target);
    ASSERT_TRUE(response.has_value()) << target << ": no answer";
    EXPECT_TRUE(response->result() == http::status::bad_request || response->result() == http::status::not_found)
        << target << " -> " << response->result_int();
    EXPECT_EQ(response->body().find("secret"), std::string::npos) << target;
    EXPECT_EQ(response->body().find("root:"), std::string::npos) << target;
  }
  EXPECT_TRUE(server_->alive());
}

TEST_F(ServerHttp, MissingFileIs404) {
  HttpClient client(port());
  const auto response = client.request(http::verb::get, "/nope.js");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::not_found);
}

TEST_F(ServerHttp, OtherMethodsAre405) {
  HttpClient client(port());
  for (http::verb method : {http::verb::post, http::verb::put, http::verb::delete_}) {
    const auto response = client.request(method, "/");
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->result(), http::status::method_not_allowed);
    EXPECT_EQ(header(*response, http::field::allow), "GET, HEAD");
  }
}

TEST_F(ServerHttp, HeadSendsHeadersWithoutBody) {
  HttpClient client(port());
  const auto response = client.request(http::verb::head, "/");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_EQ(header(*response, http::field::content_type), "text/html; charset=utf-8");
  EXPECT_EQ(header(*response, http::field::content_length), std::to_string(kIndexHtml.size()));
  EXPECT_TRUE(response->body().empty());
  // The connection is still in step: a GET after the HEAD works.
  const auto get = client.request(http::verb::get, "/");
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->body(), kIndexHtml);
}

TEST_F(ServerHttp, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpClient client(port());
  for (int i = 0; i < 5; ++i) {
    const auto response = client.request(http::verb::get, i % 2 ? "/app.js" : "/");
    ASSERT_TRUE(response.has_value()) << "request " << i;
    EXPECT_EQ(response->result(), http::status::ok);
    EXPECT_TRUE(response->keep_alive());
  }
}

TEST_F(ServerHttp, DirectoryServesItsIndex) {
  HttpClient client(port());
  for (const std::string target : {"/sub/", "/sub"}) {
    const auto response = client.request(http::verb::get, target);
    ASSERT_TRUE(response.has_value()) << target;
    EXPECT_EQ(response->result(), http::status::ok) << target;
    EXPECT_EQ(response->body(), "<p>sub</p>\n") << target;
  }
}

TEST_F(ServerHttp, WebSocketUpgradeElsewhereThanWsIsRefused) {
  EXPECT_THROW(WsClient(port(), "/socket"), std::runtime_error);
  EXPECT_NO_THROW(WsClient(port(), "/ws?room=1"));
  EXPECT_TRUE(server_->alive());
}

}  // namespace
}  // namespace moim::test
