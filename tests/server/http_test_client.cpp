#include "http_test_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <stdexcept>

namespace moim::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpClient::HttpClient(unsigned short port, const std::string& source)
    : stream_(ioc_), host_("127.0.0.1:" + std::to_string(port)) {
  beast::error_code result = asio::error::timed_out;
  if (!source.empty()) {
    stream_.socket().open(asio::ip::tcp::v4());
    stream_.socket().bind(asio::ip::tcp::endpoint(asio::ip::make_address(source), 0));
  }
  stream_.expires_after(std::chrono::seconds(5));
  stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                        [&](beast::error_code ec) { result = ec; });
  ioc_.run();
  if (result) throw std::runtime_error("connect: " + result.message());
}

std::optional<http::response<http::string_body>> HttpClient::request(http::verb method, const std::string& target,
                                                                      std::chrono::milliseconds timeout) {
  return request(method, target, Headers{}, timeout);
}

std::optional<http::response<http::string_body>> HttpClient::request(http::verb method, const std::string& target,
                                                                      const Headers& headers,
                                                                      std::chrono::milliseconds timeout) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, host_);
  for (const auto& [name, value] : headers) req.insert(name, value);
  req.keep_alive(true);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (method == http::verb::head) parser.skip(true);

  bool ok = false;
  stream_.expires_after(timeout);  // tcp_stream's timeout covers both the write and the read
  http::async_write(stream_, req, [&](beast::error_code ec, std::size_t) {
    if (ec) return;
    http::async_read(stream_, buffer_, parser, [&](beast::error_code read_ec, std::size_t) { ok = !read_ec; });
  });
  ioc_.restart();
  ioc_.run();
  if (!ok) return std::nullopt;
  return parser.release();
}

}  // namespace moim::test
