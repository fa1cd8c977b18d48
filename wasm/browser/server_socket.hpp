// The signaling WebSocket, through Emscripten's WebSocket API. Callbacks only queue events.
#pragma once

#include <emscripten/websocket.h>

#include <string>

namespace moim::browser {

class ServerSocket {
 public:
  ServerSocket() = default;
  ServerSocket(const ServerSocket&) = delete;
  ServerSocket& operator=(const ServerSocket&) = delete;
  ~ServerSocket() { close(); }

  bool open(const std::string& url);  // false when the socket could not even be created
  bool send(const std::string& text);  // false when not open
  void close();
  // Forgets the socket without a close handshake (it looks dead): no close frame, which the server
  // would take as a deliberate goodbye and end our session; the server times it out or replaces it
  // when we resume on a new socket.
  void abandon();
  bool is_open() const { return open_; }
  bool is_connecting() const { return socket_ > 0 && !open_; }

 private:
  static EM_BOOL on_open(int, const EmscriptenWebSocketOpenEvent*, void* self);
  static EM_BOOL on_message(int, const EmscriptenWebSocketMessageEvent*, void* self);
  static EM_BOOL on_close(int, const EmscriptenWebSocketCloseEvent*, void* self);
  static EM_BOOL on_error(int, const EmscriptenWebSocketErrorEvent*, void* self);

  EMSCRIPTEN_WEBSOCKET_T socket_ = 0;
  bool open_ = false;
};

}  // namespace moim::browser
