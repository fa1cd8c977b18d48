#include "browser/server_socket.hpp"

#include "browser/events.hpp"

namespace moim::browser {

bool ServerSocket::open(const std::string& url) {
  close();
  EmscriptenWebSocketCreateAttributes attrs;
  emscripten_websocket_init_create_attributes(&attrs);
  attrs.url = url.c_str();
  attrs.createOnMainThread = EM_TRUE;
  const auto s = emscripten_websocket_new(&attrs);
  if (s <= 0) return false;
  socket_ = s;
  emscripten_websocket_set_onopen_callback(s, this, &ServerSocket::on_open);
  emscripten_websocket_set_onmessage_callback(s, this, &ServerSocket::on_message);
  emscripten_websocket_set_onclose_callback(s, this, &ServerSocket::on_close);
  emscripten_websocket_set_onerror_callback(s, this, &ServerSocket::on_error);
  return true;
}

bool ServerSocket::send(const std::string& text) {
  if (!open_) return false;
  return emscripten_websocket_send_utf8_text(socket_, text.c_str()) == EMSCRIPTEN_RESULT_SUCCESS;
}

void ServerSocket::close() {
  if (socket_ <= 0) return;
  // Detach first: events of a socket we dropped must not reach the app.
  emscripten_websocket_set_onopen_callback(socket_, nullptr, nullptr);
  emscripten_websocket_set_onmessage_callback(socket_, nullptr, nullptr);
  emscripten_websocket_set_onclose_callback(socket_, nullptr, nullptr);
  emscripten_websocket_set_onerror_callback(socket_, nullptr, nullptr);
  emscripten_websocket_close(socket_, 1000, "bye");
  emscripten_websocket_delete(socket_);
  socket_ = 0;
  open_ = false;
}

void ServerSocket::abandon() {
  if (socket_ <= 0) return;
  emscripten_websocket_set_onopen_callback(socket_, nullptr, nullptr);
  emscripten_websocket_set_onmessage_callback(socket_, nullptr, nullptr);
  emscripten_websocket_set_onclose_callback(socket_, nullptr, nullptr);
  emscripten_websocket_set_onerror_callback(socket_, nullptr, nullptr);
  emscripten_websocket_delete(socket_);
  socket_ = 0;
  open_ = false;
}

EM_BOOL ServerSocket::on_open(int, const EmscriptenWebSocketOpenEvent*, void* self) {
  static_cast<ServerSocket*>(self)->open_ = true;
  post(SocketOpened{});
  return EM_TRUE;
}

EM_BOOL ServerSocket::on_message(int, const EmscriptenWebSocketMessageEvent* e, void*) {
  if (e->isText) {
    // numBytes includes the terminating NUL for text frames.
    const auto n = e->numBytes > 0 ? e->numBytes - 1 : 0;
    post(SocketMessage{std::string(reinterpret_cast<const char*>(e->data), n), false});
  } else {
    post(SocketMessage{{}, true});
  }
  return EM_TRUE;
}

EM_BOOL ServerSocket::on_close(int, const EmscriptenWebSocketCloseEvent* e, void* self) {
  auto* s = static_cast<ServerSocket*>(self);
  s->open_ = false;
  emscripten_websocket_delete(s->socket_);
  s->socket_ = 0;
  post(SocketClosed{e->code, e->reason});
  return EM_TRUE;
}

EM_BOOL ServerSocket::on_error(int, const EmscriptenWebSocketErrorEvent*, void*) {
  return EM_TRUE;  // a close event follows every error; handled there
}

}  // namespace moim::browser
