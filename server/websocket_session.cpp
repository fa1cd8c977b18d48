#include "websocket_session.hpp"

#include "hub_clock.hpp"

#include "log.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>

#include <array>
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
// Write buffers up to this capacity are kept for the next write while more is coming.
constexpr std::size_t kKeptWriteBufferBytes = 64 * 1024;

void release(std::string& buffer) { std::string().swap(buffer); }

}  // namespace

// ---- FrameTracker -------------------------------------------------------------------------------

void FrameTracker::feed(const unsigned char* data, std::size_t size) {
  while (size > 0) {
    if (payload_left_ > 0) {
      const std::size_t take = payload_left_ < size ? static_cast<std::size_t>(payload_left_) : size;
      data += take;
      size -= take;
      payload_left_ -= take;
      if (payload_left_ == 0) end_frame();
      continue;
    }
    header_[header_size_++] = *data++;
    --size;
    if (header_size_ < 2) continue;
    const unsigned length7 = header_[1] & 0x7f;
    const std::size_t full = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header_[1] & 0x80) ? 4 : 0);
    if (header_size_ < full) continue;
    std::uint64_t length = length7;
    if (length7 == 126) length = (std::uint64_t{header_[2]} << 8) | header_[3];
    if (length7 == 127) {
      length = 0;
      for (int i = 2; i < 10; ++i) length = (length << 8) | header_[i];
    }
    header_size_ = 0;
    payload_left_ = length;
    if (length == 0) end_frame();
  }
}

void FrameTracker::end_frame() {
  const bool fin = (header_[0] & 0x80) != 0;
  const bool control = (header_[0] & 0x08) != 0;
  last_ended_message_ = fin && !control;
  if (last_ended_message_) ++messages_;
}

// ---- SessionSocket ------------------------------------------------------------------------------

template <class Transport>
void SessionSocket<Transport>::queue_beast_write(std::unique_ptr<Completion> completion, std::size_t size) {
  // Beast serializes its writes; a second one before the first completed would be a bug.
  beast_write_ = std::move(completion);
  beast_write_bytes_ = size;
  beast_write_on_wire_ = false;
  if (!writing_) start_write();
}

template <class Transport>
void SessionSocket<Transport>::queue_text(std::string_view payload) {
  unsigned char header[10];
  std::size_t n = 0;
  header[n++] = 0x81;  // FIN, text
  const std::uint64_t size = payload.size();
  if (size < 126) {
    header[n++] = static_cast<unsigned char>(size);
  } else if (size <= 0xffff) {
    header[n++] = 126;
    header[n++] = static_cast<unsigned char>(size >> 8);
    header[n++] = static_cast<unsigned char>(size);
  } else {
    header[n++] = 127;
    for (int shift = 56; shift >= 0; shift -= 8) header[n++] = static_cast<unsigned char>(size >> shift);
  }
  std::string& out = data_.out;
  out.append(reinterpret_cast<const char*>(header), n);
  out.append(payload);
  ++out_messages_;
  out_payload_ += payload.size();
  if (!writing_) start_write();
}

template <class Transport>
void SessionSocket<Transport>::drop_unsent_data() {
  data_.out.clear();
  out_messages_ = 0;
  out_payload_ = 0;
}

template <class Transport>
void SessionSocket<Transport>::start_write() {
  writing_ = true;
  control_.wire.swap(control_.out);
  data_.wire.swap(data_.out);
  wire_messages_ = out_messages_;
  wire_payload_ = out_payload_;
  out_messages_ = out_payload_ = 0;
  if (beast_write_) beast_write_on_wire_ = true;
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(control_.wire), asio::buffer(data_.wire)};
  asio::async_write(socket_, buffers, [self = owner_.shared_from_this()](beast::error_code ec, std::size_t) {
    self->socket().on_written(ec);
  });
}

template <class Transport>
void SessionSocket<Transport>::on_written(beast::error_code ec) {
  writing_ = false;
  wire_messages_ = wire_payload_ = 0;
  control_.wire.clear();
  data_.wire.clear();
  std::unique_ptr<Completion> beast_done;
  if (beast_write_ && (beast_write_on_wire_ || ec)) {
    beast_done = std::move(beast_write_);
    beast_write_on_wire_ = false;
  }
  const bool more = !control_.out.empty() || !data_.out.empty();
  if (ec || !more) {
    // Idle (or failed): hold no write buffer at all. Nothing queued will be written after a failure.
    for (Buffers* b : {&control_, &data_}) {
      release(b->out);
      release(b->wire);
    }
    out_messages_ = out_payload_ = 0;
  } else {
    // More is coming: keep a moderate buffer for the write after this one.
    for (Buffers* b : {&control_, &data_}) {
      if (b->wire.capacity() > kKeptWriteBufferBytes) release(b->wire);
    }
    start_write();
  }
  if (beast_done) beast_done->complete(ec, ec ? 0 : beast_write_bytes_);
  if (ec) return owner_.abort();  // the pending read fails next and ends the session
  if (!writing_) owner_.on_flushed();
}

void teardown(beast::role_type role, SessionSocket<asio::ip::tcp::socket>& socket, beast::error_code& ec) {
  websocket::teardown(role, socket.next_layer(), ec);
}

void teardown(beast::role_type, SessionSocket<TlsStream>& socket, beast::error_code& ec) {
  socket.next_layer().shutdown(ec);
  ec = {};  // as async_teardown: the WebSocket close handshake is what counts
}

// ---- WebSocketSession ---------------------------------------------------------------------------

template <class Transport>
BasicWebSocketSession<Transport>::BasicWebSocketSession(Transport transport, ServerContext& ctx,
                                                        AddressLimiter::Slot slot, ConnectionGate::Ticket ticket,
                                                        std::string client_address, std::string host)
    : ws_(std::move(transport), *this),
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
  SessionSocket<Transport>& s = socket();
  if (SessionSocket<Transport>::kPlain && s.tracker_.at_message_end() && s.tracker_.messages() == messages_read_) {
    // Beast holds no unread byte: wait for the peer without a read buffer or a Beast operation.
    if (buffer_.capacity() > 0) {
      buffer_.clear();
      buffer_.shrink_to_fit();
    }
    s.tcp_socket().async_wait(asio::socket_base::wait_read,
                              beast::bind_front_handler(&BasicWebSocketSession::on_readable, shared_from_this()));
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
  if (ec != websocket::error::closed) return false;
  const auto code = ws_.reason().code;
  return code == websocket::close_code::normal || code == websocket::close_code::going_away;
}

template <class Transport>
void BasicWebSocketSession<Transport>::finish(beast::error_code ec) {
  if (close_timer_) close_timer_->cancel();
  slot_.release();  // the address may open another connection now
  socket().drop_unsent_data();
  // Only a close handshake the client began with 1000 (normal) or 1001 (going away: tab closed,
  // page left) is a departure on purpose. Any other code (1011 and the like say the client hit an
  // error), a reset, a timeout or a vanished peer may come back and resume its session.
  detach_from_hub(closed_on_purpose(ec) ? Hub::Departure::Closed : Hub::Departure::Lost);
}

template class SessionSocket<asio::ip::tcp::socket>;
template class SessionSocket<TlsStream>;
template class BasicWebSocketSession<asio::ip::tcp::socket>;
template class BasicWebSocketSession<TlsStream>;

}  // namespace moim::server
