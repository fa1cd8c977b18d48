#include "websocket_session.hpp"

#include "hub_clock.hpp"
#include "log.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>

#include <exception>
#include <utility>

namespace moim::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

// Read buffer capacity kept between messages while the peer keeps sending; a larger one (after a
// big message) is released at once, and any is released when the peer goes quiet.
constexpr std::size_t kKeptReadBufferBytes = 64 * 1024;

}  // namespace

template <class Transport>
BasicWebSocketSession<Transport>::BasicWebSocketSession(Transport transport, ServerContext& ctx,
                                                        AddressLimiter::Slot slot, ConnectionGate::Ticket ticket,
                                                        std::string client_address, std::string host)
    : ws_(std::move(transport), static_cast<SessionSocketOwner&>(*this)),
      ctx_(ctx),
      slot_(std::move(slot)),
      ticket_(std::move(ticket)),
      client_address_(std::move(client_address)),
      host_(std::move(host)) {
  // The TLS stream's tcp_stream timed HttpSession's reads and writes; from here on Beast's handshake
  // timeout, the hub's heartbeat and the close timer do that.
  if constexpr (!SessionSocket<Transport>::kPlain) beast::get_lowest_layer(socket().next_layer()).expires_never();
}

template <class Transport>
void BasicWebSocketSession<Transport>::run(http::request<http::string_body> upgrade_request) {
  // Signaling is latency-bound and every frame is written in one go: no Nagle delay.
  beast::error_code ignored;
  socket().tcp_socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  // Beast times the handshakes (opening and closing); a silent connection is closed by the hub's
  // heartbeat (HubConfig::heartbeat_timeout_ms), so Beast's idle timer and pings stay off.
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = kHandshakeTimeout;
  timeout.idle_timeout = websocket::stream_base::none();
  timeout.keep_alive_pings = false;
  ws_.set_option(timeout);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, "moim"); }));
  ws_.read_message_max(kMaxIncomingMessageBytes);
  ws_.async_accept(upgrade_request, beast::bind_front_handler(&BasicWebSocketSession::on_accept, shared_from_this()));
}

template <class Transport>
template <class F>
HubOutput BasicWebSocketSession<Transport>::call_hub(F&& call) {
  set_hub_time(ctx_.hub);
  try {
    return call();
  } catch (const std::exception& e) {
    log_error("connection " + std::to_string(id_) + ": hub failed: " + e.what());
  } catch (...) {
    log_error("connection " + std::to_string(id_) + ": hub failed with an unknown exception");
  }
  begin_close(websocket::close_code::internal_error);
  return {};
}

template <class Transport>
void BasicWebSocketSession<Transport>::on_accept(beast::error_code ec) {
  if (ec) return;  // failed handshake: never reached the hub
  id_ = ctx_.next_conn_id++;
  ctx_.connections.add(id_, weak_from_this());
  attached_ = true;
  call_hub([&] {
    ctx_.hub.connect(id_, client_address_, host_);
    return HubOutput{};
  });
  do_read();
}

template <class Transport>
void BasicWebSocketSession<Transport>::do_read() {
  if (socket().beast_has_nothing_unread(messages_read_)) {
    // Wait for the peer without a read buffer or a Beast operation.
    if (buffer_.capacity() > 0) {
      buffer_.clear();
      buffer_.shrink_to_fit();
    }
    socket().async_wait_readable(beast::bind_front_handler(&BasicWebSocketSession::on_readable, shared_from_this()));
    return;
  }
  ws_.async_read(buffer_, beast::bind_front_handler(&BasicWebSocketSession::on_read, shared_from_this()));
}

template <class Transport>
void BasicWebSocketSession<Transport>::on_readable(beast::error_code) {
  // Bytes (or an error) arrived: Beast reads them, and reports any error.
  ws_.async_read(buffer_, beast::bind_front_handler(&BasicWebSocketSession::on_read, shared_from_this()));
}

template <class Transport>
void BasicWebSocketSession<Transport>::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    // closed: the close handshake completed; message_too_big: over kMaxIncomingMessageBytes (Beast
    // already sent 1009); others: timeout, reset, protocol violation (e.g. invalid UTF-8 -> 1007).
    return finish(ec);
  }
  ++messages_read_;
  if (attached_ && !closing_) {
    const bool text = ws_.got_text();
    const auto data = buffer_.data();
    const std::string_view message(static_cast<const char*>(data.data()), data.size());
    HubOutput output = call_hub([&] { return text ? ctx_.hub.on_text(id_, message) : ctx_.hub.on_binary(id_); });
    buffer_.consume(buffer_.size());
    ctx_.connections.deliver(output);
  } else {
    buffer_.consume(buffer_.size());  // closing: keep reading only to see the close handshake through
  }
  // A flat_buffer keeps its largest size; do not hold up to 1 MiB per connection.
  if (buffer_.capacity() > kKeptReadBufferBytes) buffer_.shrink_to_fit();
  do_read();
}

template <class Transport>
void BasicWebSocketSession<Transport>::send(std::string_view text) {
  // Once the peer has started closing, Beast has answered with its close frame: nothing may follow.
  if (!attached_ || closing_ || !ws_.is_open()) return;
  SessionSocket<Transport>& s = socket();
  if (s.queued_messages() >= kMaxQueuedMessages || s.queued_bytes() + text.size() > kMaxQueuedBytes) {
    return drop_slow_consumer();
  }
  s.queue_text(text);
}

template <class Transport>
void BasicWebSocketSession<Transport>::close_after_flush() { begin_close(websocket::close_code::normal); }

template <class Transport>
void BasicWebSocketSession<Transport>::on_flushed() {
  if (closing_) start_close_handshake();
}

template <class Transport>
void BasicWebSocketSession<Transport>::begin_close(websocket::close_code code, const char* reason) {
  if (closing_) return;
  closing_ = true;
  close_code_ = code;
  close_text_ = reason;
  close_timer_ = std::make_unique<asio::steady_timer>(socket().get_executor());
  close_timer_->expires_after(kCloseGracePeriod);
  close_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->abort();
  });
  if (!socket().busy()) start_close_handshake();
}

template <class Transport>
void BasicWebSocketSession<Transport>::start_close_handshake() {
  if (close_sent_ || !ws_.is_open()) return;
  close_sent_ = true;
  ws_.async_close(websocket::close_reason(close_code_, close_text_), [self = shared_from_this()](beast::error_code) {
    // Nothing to do: the pending read completes with websocket::error::closed (or an error).
  });
}

template <class Transport>
void BasicWebSocketSession<Transport>::abort() {
  beast::error_code ignored;
  socket().tcp_socket().close(ignored);
}

template <class Transport>
void BasicWebSocketSession<Transport>::drop_slow_consumer() {
  SessionSocket<Transport>& s = socket();
  log_warn("connection " + std::to_string(id_) + ": send queue full (" + std::to_string(s.queued_messages()) +
           " messages, " + std::to_string(s.queued_bytes()) + " bytes), closing it");
  s.drop_unsent_data();  // what is being written stays: a frame must not be cut
  ctx_.connections.remove(id_);  // nothing more is delivered here
  begin_close(websocket::close_code::policy_error, "send queue overflow");
  // We are inside ConnectionRegistry::deliver: tell the hub once that delivery is over.
  asio::post(socket().get_executor(), [self = shared_from_this()] { self->detach_from_hub(Hub::Departure::Lost); });
}

template <class Transport>
void BasicWebSocketSession<Transport>::detach_from_hub(Hub::Departure how) {
  if (!attached_) return;
  attached_ = false;
  ctx_.connections.remove(id_);
  HubOutput output = call_hub([&] { return ctx_.hub.disconnect(id_, how); });
  ctx_.connections.deliver(output);
}

template <class Transport>
bool BasicWebSocketSession<Transport>::closed_on_purpose(beast::error_code ec) const {
  if (ec == websocket::error::closed) {
    const auto code = ws_.reason().code;
    return code == websocket::close_code::normal || code == websocket::close_code::going_away;
  }
  // The client's end closed the TCP connection without a close frame (FIN, or a reset: a socket
  // closed with unread data resets): the browser ended the page, a tab closed while its page was too
  // busy to say goodbye, or a crash (Chromium resets then). A failing network sends neither; it goes
  // silent, and the heartbeat holds the session for a resume. (A middlebox's reset makes the client
  // join again as a new peer, which it does by itself.)
  const bool ended = ec == asio::error::eof || ec == beast::http::error::end_of_stream ||
                     ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset ||
                     ec == asio::error::not_connected;
  if (ended)
    log_info("connection " + std::to_string(id_) + ": closed without a close frame (" + ec.message() + "); taken as leaving");
  return ended;
}

template <class Transport>
void BasicWebSocketSession<Transport>::finish(beast::error_code ec) {
  if (close_timer_) close_timer_->cancel();
  slot_.release();  // the address may open another connection now
  socket().drop_unsent_data();
  // A close handshake the client began with 1000 (normal) or 1001 (going away: tab closed, page
  // left), or the browser closing the TCP connection (FIN or reset), is a departure on purpose. Any
  // other code (1011 and the like say the client hit an error), a timeout or a silent peer may come
  // back and resume its session.
  detach_from_hub(closed_on_purpose(ec) ? Hub::Departure::Closed : Hub::Departure::Lost);
}

template class BasicWebSocketSession<asio::ip::tcp::socket>;
template class BasicWebSocketSession<TlsStream>;

}  // namespace moim::server
