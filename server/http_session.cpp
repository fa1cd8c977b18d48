#include "http_session.hpp"

#include "log.hpp"
#include "static_files.hpp"
#include "websocket_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
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

// The values of every `field` in the request joined with ", " (a list header may be split over several
// lines); nullopt when there is none.
std::optional<std::string> joined_field(const http::request<http::string_body>& request, http::field field) {
  std::optional<std::string> joined;
  const auto [begin, end] = request.equal_range(field);
  for (auto it = begin; it != end; ++it) {
    if (!joined) joined.emplace();
    else joined->append(", ");
    joined->append(it->value().data(), it->value().size());
  }
  return joined;
}

std::string_view path_of(std::string_view target) {
  const std::size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

// Error answers are never cached; files get their own Cache-Control on top of this.
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

  const StaticSite::Lookup lookup = ctx_.site.find(target);
  if (lookup.status == StaticSite::Lookup::Status::BadRequest) {
    return send(text_response(request, http::status::bad_request, "Bad request path"));
  }
  if (lookup.status == StaticSite::Lookup::Status::NotFound) {
    return send(text_response(request, http::status::not_found, "Not found"));
  }
  const StaticAsset& asset = *lookup.asset;
  const ContentCoding coding =
      AcceptEncoding(joined_field(request, http::field::accept_encoding)).choose(asset.brotli.has_value(),
                                                                                 asset.gzip.has_value());
  const StaticAsset::Encoded& encoded = asset.encoded(coding);

  // Headers every answer for this file carries, 304 included.
  const auto add_file_headers = [&](auto& response) {
    add_common_headers(response);
    response.set(http::field::cache_control, to_beast(asset.cache_control));
    response.set(http::field::etag, to_beast(encoded.etag));
    if (asset.has_encodings()) response.set(http::field::vary, "Accept-Encoding");
    response.keep_alive(request.keep_alive());
  };

  if (const std::optional<std::string> tags = joined_field(request, http::field::if_none_match);
      tags && if_none_match_matches(*tags, encoded.etag)) {
    http::response<http::empty_body> response{http::status::not_modified, request.version()};
    add_file_headers(response);
    return send(std::move(response));
  }

  const auto add_content_headers = [&](auto& response) {
    add_file_headers(response);
    response.set(http::field::content_type, to_beast(asset.content_type));
    if (coding != ContentCoding::Identity) response.set(http::field::content_encoding, to_beast(to_string(coding)));
    response.content_length(encoded.body.size());
  };
  if (request.method() == http::verb::head) {
    http::response<http::empty_body> response{http::status::ok, request.version()};
    add_content_headers(response);
    return send(std::move(response));
  }
  // The body points into the StaticSite, which outlives every session: nothing is copied.
  http::response<http::span_body<const char>> response{http::status::ok, request.version()};
  response.body() = boost::beast::span<const char>(encoded.body.data(), encoded.body.size());
  add_content_headers(response);
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
