#include "websocket_session.hpp"

#include "log.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>

#include <exception>
#include <string_view>
#include <utility>

namespace moim::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {
// Read buffer capacity kept between messages; a larger one (after a big message) is released.
constexpr std::size_t kKeptReadBufferBytes = 64 * 1024;
}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream&& stream, ServerContext& ctx)
    : ws_(std::move(stream)), ctx_(ctx), close_timer_(ws_.get_executor()) {}

void WebSocketSession::run(http::request<http::string_body> upgrade_request) {
  // The HTTP read timeout no longer applies: the WebSocket stream has its own.
  beast::get_lowest_layer(ws_).expires_never();
  // Signaling is latency-bound and every frame is written in one go: no Nagle delay.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  // Handshake 30 s, idle 300 s with keep-alive pings at half of that.
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, "moim"); }));
  ws_.read_message_max(kMaxIncomingMessageBytes);
  ws_.text(true);  // everything we send is JSON text
  ws_.async_accept(upgrade_request, beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

template <class F>
HubOutput WebSocketSession::call_hub(F&& call) {
  try {
    return call();
  } catch (const std::exception& e) {
    log_error("connection " + std::to_string(id_) + ": hub failed: " + e.what());
  } catch (...) {
    log_error("connection " + std::to_string(id_) + ": hub failed with an unknown exception");
  }
  begin_close(websocket::close_reason(websocket::close_code::internal_error));
  return {};
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) return;  // failed handshake: never reached the hub
  id_ = ctx_.next_conn_id++;
  ctx_.connections.add(id_, weak_from_this());
  attached_ = true;
  call_hub([&] {
    ctx_.hub.connect(id_);
    return HubOutput{};
  });
  do_read();
}

void WebSocketSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    // closed: the close handshake completed; message_too_big: over kMaxIncomingMessageBytes (Beast
    // already sent 1009); others: timeout, reset, protocol violation (e.g. invalid UTF-8 -> 1007).
    return finish();
  }
  if (attached_ && !closing_) {
    const bool text = ws_.got_text();
    const auto data = buffer_.data();
    const std::string_view message(static_cast<const char*>(data.data()), data.size());
    HubOutput output = call_hub([&] { return text ? ctx_.hub.on_text(id_, message) : ctx_.hub.on_binary(id_); });
    buffer_.consume(buffer_.size());
    // A flat_buffer keeps its largest size; do not hold up to 1 MiB per idle connection.
    if (buffer_.capacity() > kKeptReadBufferBytes) buffer_.shrink_to_fit();
    ctx_.connections.deliver(output);
  } else {
    buffer_.consume(buffer_.size());  // closing: keep reading only to see the close handshake through
  }
  do_read();
}

void WebSocketSession::send(std::shared_ptr<const std::string> text) {
  if (!attached_ || closing_ || !text) return;
  if (queue_.size() >= kMaxQueuedMessages || queued_bytes_ + text->size() > kMaxQueuedBytes) {
    return drop_slow_consumer();
  }
  queued_bytes_ += text->size();
  queue_.push_back(std::move(text));
  if (!writing_) do_write();
}

void WebSocketSession::close_after_flush() {
  begin_close(websocket::close_reason(websocket::close_code::normal));
}

void WebSocketSession::do_write() {
  writing_ = true;
  ws_.async_write(asio::buffer(*queue_.front()),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (!queue_.empty()) {
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
  }
  if (ec) return abort();  // the pending read fails next and ends the session
  if (!queue_.empty()) return do_write();
  if (closing_) start_close_handshake();
}

void WebSocketSession::begin_close(websocket::close_reason reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = std::move(reason);
  close_timer_.expires_after(kCloseGracePeriod);
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->abort();
  });
  if (!writing_ && queue_.empty()) start_close_handshake();
}

void WebSocketSession::start_close_handshake() {
  if (close_sent_ || !ws_.is_open()) return;
  close_sent_ = true;
  ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {
    // Nothing to do: the pending read completes with websocket::error::closed (or an error).
  });
}

void WebSocketSession::abort() {
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

void WebSocketSession::drop_unsent() {
  // A frame being written must outlive the write operation, so it stays.
  while (queue_.size() > (writing_ ? 1u : 0u)) {
    queued_bytes_ -= queue_.back()->size();
    queue_.pop_back();
  }
}

void WebSocketSession::drop_slow_consumer() {
  log_warn("connection " + std::to_string(id_) + ": send queue full (" + std::to_string(queue_.size()) +
           " messages, " + std::to_string(queued_bytes_) + " bytes), closing it");
  drop_unsent();
  ctx_.connections.remove(id_);  // nothing more is delivered here
  begin_close(websocket::close_reason(websocket::close_code::policy_error, "send queue overflow"));
  // We are inside ConnectionRegistry::deliver: tell the hub once that delivery is over.
  asio::post(ws_.get_executor(), [self = shared_from_this()] { self->detach_from_hub(); });
}

void WebSocketSession::detach_from_hub() {
  if (!attached_) return;
  attached_ = false;
  ctx_.connections.remove(id_);
  HubOutput output = call_hub([&] { return ctx_.hub.disconnect(id_); });
  ctx_.connections.deliver(output);
}

void WebSocketSession::finish() {
  close_timer_.cancel();
  drop_unsent();
  detach_from_hub();
}

}  // namespace moim::server
