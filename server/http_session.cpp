#include "http_session.hpp"

#include "log.hpp"
#include "static_files.hpp"
#include "websocket_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <tuple>
#include <utility>

namespace moim::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// A client has this long to send a complete request header (also the keep-alive idle limit).
constexpr std::chrono::seconds kReadTimeout{30};
// Time allowed to write one response; generous because the wasm bundle may be large.
constexpr std::chrono::seconds kWriteTimeout{120};
// We only serve GET/HEAD: a request body has no use, so keep the limit small.
constexpr std::uint64_t kMaxRequestBodyBytes = 4 * 1024;
constexpr std::uint32_t kMaxRequestHeaderBytes = 8 * 1024;

constexpr beast::string_view kServerName = "moim";

// Beast 1.74 takes boost::string_view, not std::string_view.
beast::string_view to_beast(std::string_view text) { return beast::string_view(text.data(), text.size()); }

std::string_view path_of(std::string_view target) {
  const std::size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

template <class Body>
void add_common_headers(http::response<Body>& response) {
  response.set(http::field::server, kServerName);
  response.set(http::field::cache_control, "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
}

http::response<http::string_body> text_response(const http::request<http::string_body>& request,
                                                http::status status, std::string_view text) {
  http::response<http::string_body> response{status, request.version()};
  add_common_headers(response);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(request.keep_alive());
  if (request.method() != http::verb::head) response.body() = std::string(text) + "\n";
  response.prepare_payload();
  if (request.method() == http::verb::head) response.content_length(text.size() + 1);
  return response;
}

}  // namespace

HttpSession::HttpSession(tcp::socket socket, ServerContext& ctx) : stream_(std::move(socket)), ctx_(ctx) {}

void HttpSession::run() { do_read(); }

void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(kMaxRequestHeaderBytes);
  parser_->body_limit(kMaxRequestBodyBytes);
  stream_.expires_after(kReadTimeout);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_close();
  if (ec) return;  // timeout, reset, malformed request, over a limit: just drop the connection
  try {
    handle_request(parser_->release());
  } catch (const std::exception& e) {
    log_error(std::string("HTTP request failed: ") + e.what());
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }
}

void HttpSession::handle_request(Request&& request) {
  const std::string_view target(request.target().data(), request.target().size());

  if (websocket::is_upgrade(request)) {
    if (path_of(target) != kWebSocketPath) {
      return send(text_response(request, http::status::not_found, "WebSocket endpoint is /ws"));
    }
    // The WebSocket session takes the socket; this HTTP session ends here.
    std::make_shared<WebSocketSession>(std::move(stream_), ctx_)->run(std::move(request));
    return;
  }

  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto response = text_response(request, http::status::method_not_allowed, "Method not allowed");
    response.set(http::field::allow, "GET, HEAD");
    return send(std::move(response));
  }

  const StaticLookup lookup = lookup_static_file(ctx_.doc_root, target);
  if (lookup.status == StaticLookup::Status::BadRequest) {
    return send(text_response(request, http::status::bad_request, "Bad request path"));
  }
  if (lookup.status == StaticLookup::Status::NotFound) {
    return send(text_response(request, http::status::not_found, "Not found"));
  }

  http::file_body::value_type body;
  beast::error_code ec;
  body.open(lookup.file.c_str(), beast::file_mode::scan, ec);
  if (ec) return send(text_response(request, http::status::not_found, "Not found"));
  const std::uint64_t size = body.size();
  const std::string_view content_type = mime_type(lookup.file.native());

  if (request.method() == http::verb::head) {
    http::response<http::empty_body> response{http::status::ok, request.version()};
    add_common_headers(response);
    response.set(http::field::content_type, to_beast(content_type));
    response.content_length(size);
    response.keep_alive(request.keep_alive());
    return send(std::move(response));
  }

  http::response<http::file_body> response{std::piecewise_construct, std::make_tuple(std::move(body)),
                                            std::make_tuple(http::status::ok, request.version())};
  add_common_headers(response);
  response.set(http::field::content_type, to_beast(content_type));
  response.content_length(size);
  response.keep_alive(request.keep_alive());
  send(std::move(response));
}

template <class Body>
void HttpSession::send(http::response<Body>&& response) {
  auto message = std::make_shared<http::response<Body>>(std::move(response));
  response_ = message;
  stream_.expires_after(kWriteTimeout);
  http::async_write(stream_, *message,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), message->need_eof()));
}

void HttpSession::on_write(bool close, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec) return;
  if (close) return do_close();
  do_read();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace moim::server
