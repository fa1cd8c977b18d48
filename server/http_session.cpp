#include "http_session.hpp"

#include "log.hpp"
#include "response_headers.hpp"
#include "static_files.hpp"
#include "websocket_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
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

// A client has this long from connecting to send its first complete request header (with TLS: its
// first bytes, then the TLS handshake and the header, each within this long). Later requests on the
// connection must arrive within --http-keep-alive of the previous answer.
constexpr std::chrono::seconds kReadTimeout{30};
// However busy, a connection is closed after this many requests or this long (after the answer in
// progress), so the deadlines above cannot be renewed forever. Browsers simply open a new one.
constexpr std::size_t kMaxRequestsPerConnection = 1000;
constexpr std::chrono::minutes kMaxConnectionLifetime{10};
// Time allowed to write one response; generous because the wasm bundle may be large.
constexpr std::chrono::seconds kWriteTimeout{120};
// We only serve GET/HEAD: a request body has no use, so keep the limit small.
constexpr std::uint64_t kMaxRequestBodyBytes = 4 * 1024;
constexpr std::uint32_t kMaxRequestHeaderBytes = 8 * 1024;

constexpr beast::string_view kServerName = "moim";

// At most this much of a client's Origin or Host header is quoted back in a refusal.
constexpr std::size_t kMaxQuotedOrigin = 200;

std::string quoted(std::string text) {
  if (text.size() > kMaxQuotedOrigin) text = text.substr(0, kMaxQuotedOrigin) + "...";
  return text;
}

// Beast 1.74 takes boost::string_view, not std::string_view.
beast::string_view to_beast(std::string_view text) { return beast::string_view(text.data(), text.size()); }

// The values of every `field` in the request joined with ", " (a list header may be split over several
// lines); nullopt when there is none.
template <class Name>
std::optional<std::string> joined_field(const http::request<http::string_body>& request, Name field) {
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

// Error answers are never cached; files get their own Cache-Control on top of this. The security
// headers (response_headers.hpp) are added to every answer in send().
template <class Body>
void add_common_headers(http::response<Body>& response) {
  response.set(http::field::server, kServerName);
  response.set(http::field::cache_control, "no-cache");
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

// A refusal that ends the connection.
http::response<http::string_body> refusal(const http::request<http::string_body>& request, http::status status,
                                          std::string_view text) {
  auto response = text_response(request, status, text);
  response.keep_alive(false);
  return response;
}

}  // namespace

// ---- DetectSession -------------------------------------------------------------------------------

DetectSession::DetectSession(tcp::socket socket, ServerContext& ctx, ConnectionGate::Ticket ticket)
    : stream_(std::move(socket)), ctx_(ctx), ticket_(std::move(ticket)) {}

void DetectSession::run() {
  stream_.expires_after(kReadTimeout);
  beast::async_detect_ssl(stream_, buffer_, beast::bind_front_handler(&DetectSession::on_detect, shared_from_this()));
}

void DetectSession::on_detect(beast::error_code ec, bool tls) {
  if (ec) return;  // timeout or the client went away before saying anything
  if (tls) {
    std::make_shared<TlsHttpSession>(std::move(stream_), std::move(buffer_), ctx_, std::move(ticket_))->run();
  } else {
    std::make_shared<HttpSession>(std::move(stream_), std::move(buffer_), ctx_, std::move(ticket_))->run();
  }
}

// ---- BasicHttpSession ----------------------------------------------------------------------------

template <class Stream>
BasicHttpSession<Stream>::BasicHttpSession(beast::tcp_stream&& stream, beast::flat_buffer&& buffer,
                                           ServerContext& ctx, ConnectionGate::Ticket ticket)
    : stream_([&]() -> Stream {
        if constexpr (kTls) return Stream(std::move(stream), *ctx.tls);
        else return std::move(stream);
      }()),
      buffer_(std::move(buffer)),
      ctx_(ctx),
      redirect_to_https_(!kTls && ctx.tls != nullptr),
      ticket_(std::move(ticket)),
      started_(std::chrono::steady_clock::now()) {}

template <class Stream>
void BasicHttpSession<Stream>::run() {
  if constexpr (kTls) {
    // The buffered handshake: DetectSession has already read the start of the ClientHello.
    beast::get_lowest_layer(stream_).expires_after(kReadTimeout);
    stream_.async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                            beast::bind_front_handler(&BasicHttpSession::on_handshake, shared_from_this()));
  } else {
    do_read();
  }
}

template <class Stream>
void BasicHttpSession<Stream>::on_handshake(beast::error_code ec, std::size_t bytes_used) {
  if (ec) return;  // not TLS after all, no common version or cipher, timeout: drop the connection
  buffer_.consume(bytes_used);
  do_read();
}

template <class Stream>
void BasicHttpSession<Stream>::do_read() {
  parser_.emplace();
  parser_->header_limit(kMaxRequestHeaderBytes);
  parser_->body_limit(kMaxRequestBodyBytes);
  // The whole next request (idle time and header) within one deadline that no trickle of bytes
  // extends, and never past the connection's lifetime.
  const auto now = std::chrono::steady_clock::now();
  const auto deadline = std::min(requests_ == 0 ? started_ + kReadTimeout : now + ctx_.http_keep_alive,
                                 started_ + kMaxConnectionLifetime);
  beast::get_lowest_layer(stream_).expires_at(deadline);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&BasicHttpSession::on_read, shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_close();
  if (ec) return;  // timeout, reset, malformed request, over a limit: just drop the connection
  try {
    handle_request(parser_->release());
  } catch (const std::exception& e) {
    log_error(std::string("HTTP request failed: ") + e.what());
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }
}

template <class Stream>
void BasicHttpSession<Stream>::handle_request(Request&& request) {
  const std::string_view target(request.target().data(), request.target().size());
  ++requests_;
  last_request_ = ctx_.http_keep_alive.count() == 0 || requests_ >= kMaxRequestsPerConnection ||
                  std::chrono::steady_clock::now() - started_ >= kMaxConnectionLifetime;

  // The Host must name this server (DNS rebinding: HostPolicy), before anything else, redirects too.
  const std::size_t host_fields = request.count(http::field::host);
  if (host_fields > 1 || (host_fields == 0 && request.version() >= 11)) {
    return send(refusal(request, http::status::bad_request, "exactly one Host header is required"));
  }
  if (host_fields == 1) {
    const beast::string_view host = request[http::field::host];
    if (!ctx_.hosts.allows(std::string_view(host.data(), host.size()))) {
      const std::string shown = quoted(std::string(host));
      log_warn("request refused: unknown host " + shown);
      return send(refusal(request, http::status::misdirected_request,
                          "unknown host: " + shown + " (this server answers IP addresses, localhost and --server-name)"));
    }
  }

  if (redirect_to_https_) {
    // Plain http to a TLS server: send the browser to the same address over https. 307 (temporary)
    // rather than 301/308, so that browsers do not remember it if TLS is turned off later.
    const beast::string_view host = request[http::field::host];
    if (host.empty()) {
      return send(refusal(request, http::status::bad_request, "This server speaks https only"));
    }
    const std::string location = "https://" + std::string(host) + std::string(target);
    auto response = refusal(request, http::status::temporary_redirect, "This server speaks https only: " + location);
    response.set(http::field::location, location);
    return send(std::move(response));
  }

  if (websocket::is_upgrade(request)) {
    if (path_of(target) != kWebSocketPath) {
      return send(text_response(request, http::status::not_found, "WebSocket endpoint is /ws"));
    }
    return upgrade(std::move(request));
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

template <class Stream>
void BasicHttpSession<Stream>::upgrade(Request&& request) {
  // Origin: browsers send it on every WebSocket upgrade; see OriginPolicy::allows for the rules.
  std::optional<std::string> origin = joined_field(request, http::field::origin);
  const std::size_t origin_fields = request.count(http::field::origin);
  const beast::string_view host = request[http::field::host];
  // Two Origin headers are no browser's doing: refused whatever they say.
  const bool origin_ok = origin_fields <= 1 &&
                         ctx_.origins.allows(origin ? std::optional<std::string_view>(*origin) : std::nullopt,
                                             std::string_view(host.data(), host.size()), kTls);
  if (!origin_ok) {
    const std::string shown = quoted(origin.value_or(""));
    log_warn("WebSocket upgrade refused: origin not allowed: " + shown);
    return send(refusal(request, http::status::forbidden, "origin not allowed: " + shown));
  }

  // Connections per client address, counted from here until the WebSocket session ends. Behind a
  // trusted proxy (--trust-proxy) the client is the one it forwards for; IPv6 counts by /64.
  beast::error_code ec;
  const tcp::endpoint remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
  if (ec) return;  // the client is already gone
  std::string address = remote.address().to_string();
  if (const std::optional<IpAddress> peer = parse_ip(address)) {
    const std::optional<std::string> forwarded_for = joined_field(request, beast::string_view("X-Forwarded-For"));
    const std::optional<std::string> forwarded = joined_field(request, http::field::forwarded);
    address = address_key(ctx_.proxies.client_address(*peer, forwarded_for, forwarded));
  }
  AddressLimiter::Slot slot = ctx_.per_address.acquire(address);
  if (!slot) {
    log_warn("WebSocket upgrade refused: " + address + " already has " + std::to_string(ctx_.per_address.limit()) +
             " connections");
    return send(refusal(request, http::status::too_many_requests, "too many connections from " + address));
  }

  // The WebSocket session takes the connection; this HTTP session ends here.
  if constexpr (kTls) {
    std::make_shared<TlsWebSocketSession>(std::move(stream_), ctx_, std::move(slot), std::move(ticket_), address,
                                          std::string(host))
        ->run(std::move(request));
  } else {
    std::make_shared<WebSocketSession>(stream_.release_socket(), ctx_, std::move(slot), std::move(ticket_), address,
                                       std::string(host))
        ->run(std::move(request));
  }
}

template <class Stream>
template <class Body>
void BasicHttpSession<Stream>::send(http::response<Body>&& response) {
  auto message = std::make_shared<http::response<Body>>(std::move(response));
  message->set("X-Content-Type-Options", "nosniff");
  message->set("Content-Security-Policy", to_beast(kContentSecurityPolicy));
  message->set("Referrer-Policy", to_beast(kReferrerPolicy));
  message->set("X-Frame-Options", to_beast(kFrameOptions));
  if constexpr (kTls) message->set(http::field::strict_transport_security, to_beast(kStrictTransportSecurity));
  if (last_request_) message->keep_alive(false);
  response_ = message;
  beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
  http::async_write(stream_, *message,
                    beast::bind_front_handler(&BasicHttpSession::on_write, shared_from_this(), message->need_eof()));
}

template <class Stream>
void BasicHttpSession<Stream>::on_write(bool close, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec) return;
  if (close) return do_close();
  do_read();
}

template <class Stream>
void BasicHttpSession<Stream>::do_close() {
  if constexpr (kTls) {
    // close_notify, then wait (briefly) for the client's.
    beast::get_lowest_layer(stream_).expires_after(kTlsShutdownTimeout);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  } else {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
}

template class BasicHttpSession<beast::tcp_stream>;
template class BasicHttpSession<TlsStream>;

}  // namespace moim::server
