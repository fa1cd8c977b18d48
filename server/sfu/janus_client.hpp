// The socket around sfu::Link (janus_link.hpp): a Beast WebSocket client to Janus's API
// (subprotocol "janus-protocol"), driven by the link's effects. Everything runs on one strand: the
// socket's handlers, the tick timer and every public call (posted to it), so the client may be used
// from another thread (the tests do). Callbacks run on the strand.
//
// Bounds: a message from Janus over kMaxMessageBytes ends the connection (as does a socket that
// cannot take what is written: more than kMaxQueuedMessages or kMaxQueuedBytes waiting), and the
// link connects again. A failure never throws out of here: it is logged and the link tries again.
#pragma once

#include "janus_link.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace moim::sfu {

class JanusClient : public std::enable_shared_from_this<JanusClient> {
 public:
  static constexpr std::size_t kMaxMessageBytes = 1 << 20;
  static constexpr std::size_t kMaxQueuedMessages = 1024;
  static constexpr std::size_t kMaxQueuedBytes = 4 << 20;
  static constexpr std::chrono::milliseconds kTickInterval{200};

  struct Result {
    bool ok = false;
    JanusId room = 0;
    Error error;  // when !ok
    JanusId handle = 0;   // attach_handle: the new handle; message: the handle asked
    nlohmann::json data;  // message: VideoRoom's plugindata.data
    nlohmann::json jsep;  // message: the jsep of the answer (null: none)
  };
  using Callback = std::function<void(const Result&)>;
  struct Observer {
    std::function<void(const SessionUp&)> up;           // the link is ready
    std::function<void(const std::string& reason)> down;  // it no longer is
    std::function<void()> recreate_rooms;                // Janus may have forgotten every room
    std::function<void(const HandleEvent&)> handle_event;  // Janus about one of the caller's handles
  };
  // Log lines go to moim-server's log ("janus: ..."), unless `log` is given.
  using LogSink = std::function<void(Log::Level, const std::string&)>;

  static std::shared_ptr<JanusClient> create(boost::asio::io_context& ioc, JanusUrl url, Config config,
                                             Observer observer = {}, LogSink log = {});

  void start(std::optional<EarlierSession> earlier = std::nullopt);  // earlier: claimed first (janus_link.hpp)
  // Fails what is in flight with `stopped`, closes the socket; nothing runs after (the timer ends).
  void stop();
  // Answered through `done` (on the strand) exactly once, also on failure, as long as the io_context
  // runs (a request posted after stop() fails with `stopped`).
  void create_room(JanusId room, std::string secret, int publishers, std::string description, Callback done);
  void destroy_room(JanusId room, std::string secret, Callback done);
  // The media relay's (janus_link.hpp: AttachHandle, DetachHandle, PluginMessage, Trickle), answered
  // the same way.
  void attach_handle(Callback done);
  void detach_handle(JanusId handle, Callback done);
  void message(JanusId handle, nlohmann::json body, nlohmann::json jsep, Callback done);
  void trickle(JanusId handle, nlohmann::json candidate, Callback done);
  // Drops the socket as if the network had (tests: the session is then claimed back).
  void drop_connection();

  const JanusUrl& url() const { return url_; }

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  // One per socket; the handlers of its operations keep it alive, and its generation tells a
  // handler of a dropped socket from one of the current.
  struct Connection {
    Connection(const Strand& strand, std::uint64_t generation) : ws(strand), generation(generation) {}
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws;
    boost::beast::flat_buffer buffer;
    boost::beast::websocket::response_type response;
    std::uint64_t generation;
  };

  JanusClient(boost::asio::io_context& ioc, JanusUrl url, Config config, Observer observer, LogSink log);

  void feed(const Event& event);
  // Numbers a request, keeps its callback and feeds it (on the strand).
  template <typename Make>
  void request(Callback done, Make make);
  void answer(RequestId id, Result result);
  void apply(Effects effects);
  void open();
  void read(const std::shared_ptr<Connection>& conn);
  void write_next();
  void drop();  // the current socket, if any, without telling the link
  void socket_failed(std::uint64_t generation, const std::string& reason);
  void schedule_tick();
  void log(Log::Level level, const std::string& text);

  Strand strand_;
  JanusUrl url_;
  Link link_;
  Observer observer_;
  LogSink log_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<Connection> conn_;  // the current socket (opening or open), or none
  std::uint64_t generation_ = 0;
  bool open_ = false;                 // conn_ is open: messages may be written
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool stopped_ = false;
  RequestId next_id_ = 1;
  std::map<RequestId, Callback> callbacks_;
};

}  // namespace moim::sfu
