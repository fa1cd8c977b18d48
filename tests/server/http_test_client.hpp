// A blocking HTTP/1.1 client for tests, with a timeout on every exchange; keeps the connection open
// between requests (keep-alive).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace moim::test {

class HttpClient {
 public:
  // Connects to 127.0.0.1:port (from `source`, e.g. "127.0.0.2", when given); throws
  // std::runtime_error on failure.
  explicit HttpClient(unsigned short port, const std::string& source = {});

  using Headers = std::vector<std::pair<std::string, std::string>>;

  // Sends one request with `target` exactly as given (no normalization), plus `headers` (each pair is
  // one header line, so a name may repeat); nullopt on error/timeout.
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> request(
      boost::beast::http::verb method, const std::string& target,
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> request(
      boost::beast::http::verb method, const std::string& target, const Headers& headers,
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::string host_;
};

}  // namespace moim::test
