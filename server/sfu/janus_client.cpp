#include "janus_client.hpp"

#include "log.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>

#include <chrono>
#include <exception>
#include <utility>

namespace moim::sfu {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::shared_ptr<JanusClient> JanusClient::create(asio::io_context& ioc, JanusUrl url, Config config, Observer observer,
                                                 LogSink log) {
  return std::shared_ptr<JanusClient>(
      new JanusClient(ioc, std::move(url), std::move(config), std::move(observer), std::move(log)));
}

JanusClient::JanusClient(asio::io_context& ioc, JanusUrl url, Config config, Observer observer, LogSink log)
    : strand_(asio::make_strand(ioc)),
      url_(std::move(url)),
      link_(std::move(config)),
      observer_(std::move(observer)),
      log_(std::move(log)),
      resolver_(strand_),
      timer_(strand_) {}

void JanusClient::log(Log::Level level, const std::string& text) {
  if (log_) return log_(level, text);
  const std::string line = "janus " + to_string(url_) + ": " + text;
  switch (level) {
    case Log::Level::Info: server::log_info(line); break;
    case Log::Level::Warn: server::log_warn(line); break;
    case Log::Level::Error: server::log_error(line); break;
  }
}

void JanusClient::start(std::optional<EarlierSession> earlier) {
  asio::post(strand_, [self = shared_from_this(), earlier = std::move(earlier)] {
    if (self->stopped_) return;
    self->feed(Start{earlier});
    self->schedule_tick();
  });
}

void JanusClient::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->stopped_) return;
    self->stopped_ = true;
    self->feed(Stop{});
    self->drop();
    self->timer_.cancel();
  });
}

void JanusClient::create_room(JanusId room, std::string secret, int publishers, std::string description, Callback done) {
  asio::post(strand_, [self = shared_from_this(), room, secret = std::move(secret), publishers,
                       description = std::move(description), done = std::move(done)]() mutable {
    const RequestId id = self->next_id_++;
    self->callbacks_[id] = std::move(done);
    self->feed(CreateRoom{id, room, std::move(secret), publishers, std::move(description)});
  });
}

void JanusClient::destroy_room(JanusId room, std::string secret, Callback done) {
  asio::post(strand_, [self = shared_from_this(), room, secret = std::move(secret), done = std::move(done)]() mutable {
    const RequestId id = self->next_id_++;
    self->callbacks_[id] = std::move(done);
    self->feed(DestroyRoom{id, room, std::move(secret)});
  });
}

template <typename Make>
void JanusClient::request(Callback done, Make make) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done), make = std::move(make)]() mutable {
    const RequestId id = self->next_id_++;
    self->callbacks_[id] = std::move(done);
    self->feed(make(id));
  });
}

void JanusClient::attach_handle(Callback done) {
  request(std::move(done), [](RequestId id) { return Event{AttachHandle{id}}; });
}

void JanusClient::detach_handle(JanusId handle, Callback done) {
  request(std::move(done), [handle](RequestId id) { return Event{DetachHandle{id, handle}}; });
}

void JanusClient::message(JanusId handle, nlohmann::json body, nlohmann::json jsep, Callback done) {
  request(std::move(done), [handle, body = std::move(body), jsep = std::move(jsep)](RequestId id) mutable {
    return Event{PluginMessage{id, handle, std::move(body), std::move(jsep)}};
  });
}

void JanusClient::trickle(JanusId handle, nlohmann::json candidate, Callback done) {
  request(std::move(done), [handle, candidate = std::move(candidate)](RequestId id) mutable {
    return Event{Trickle{id, handle, std::move(candidate)}};
  });
}

void JanusClient::answer(RequestId id, Result result) {
  const auto it = callbacks_.find(id);
  if (it == callbacks_.end()) return;
  Callback callback = std::move(it->second);
  callbacks_.erase(it);
  if (callback) callback(result);
}

void JanusClient::drop_connection() {
  asio::post(strand_, [self = shared_from_this()] {
    if (!self->conn_) return;
    self->socket_failed(self->generation_, "dropped on purpose");
  });
}

void JanusClient::feed(const Event& event) {
  // Nothing that goes wrong here may stop the server or leave the link without its tick: an
  // exception (a callback's, or memory) is logged and the socket given up, which the link retries.
  try {
    apply(link_.handle(event, now_ms()));
  } catch (const std::exception& e) {
    log(Log::Level::Error, std::string("unexpected failure: ") + e.what() + "; dropping the connection");
    if (conn_) socket_failed(generation_, "unexpected failure");
  }
}

void JanusClient::apply(Effects effects) {
  for (Effect& effect : effects) {
    if (auto* send = std::get_if<Send>(&effect)) {
      if (!open_) continue;  // the socket is being dropped: its SocketClosed is on its way
      std::string text = send->message.dump();
      if (queue_.size() >= kMaxQueuedMessages || queued_bytes_ + text.size() > kMaxQueuedBytes) {
        // Janus is not reading what we write: give the socket up, told on the next turn.
        const std::uint64_t generation = generation_;
        drop();
        asio::post(strand_, [self = shared_from_this(), generation] {
          if (self->generation_ == generation + 1 && !self->conn_ && !self->stopped_) {
            self->feed(SocketClosed{"Janus is not reading: " + std::to_string(kMaxQueuedMessages) +
                                    " messages or " + std::to_string(kMaxQueuedBytes >> 20) + " MiB waiting"});
          }
        });
        continue;
      }
      queued_bytes_ += text.size();
      queue_.push_back(std::move(text));
      write_next();
    } else if (std::holds_alternative<OpenSocket>(effect)) {
      open();
    } else if (std::holds_alternative<CloseSocket>(effect)) {
      drop();
    } else if (auto* done = std::get_if<RequestDone>(&effect)) {
      Result result;
      result.ok = true;
      result.room = done->room;
      answer(done->id, std::move(result));
    } else if (auto* failed = std::get_if<RequestFailed>(&effect)) {
      Result result;
      result.error = failed->error;
      answer(failed->id, std::move(result));
    } else if (auto* attached = std::get_if<HandleAttached>(&effect)) {
      Result result;
      result.ok = true;
      result.handle = attached->handle;
      answer(attached->id, std::move(result));
    } else if (auto* reply = std::get_if<PluginReply>(&effect)) {
      Result result;
      result.ok = true;
      result.handle = reply->handle;
      result.data = std::move(reply->data);
      result.jsep = std::move(reply->jsep);
      answer(reply->id, std::move(result));
    } else if (auto* event = std::get_if<HandleEvent>(&effect)) {
      if (observer_.handle_event) observer_.handle_event(*event);
    } else if (auto* up = std::get_if<SessionUp>(&effect)) {
      if (observer_.up) observer_.up(*up);
    } else if (std::holds_alternative<RecreateRooms>(effect)) {
      if (observer_.recreate_rooms) observer_.recreate_rooms();
    } else if (auto* down = std::get_if<SessionDown>(&effect)) {
      if (observer_.down) observer_.down(down->reason);
    } else if (auto* line = std::get_if<Log>(&effect)) {
      log(line->level, line->text);
    }
  }
}

void JanusClient::open() {
  drop();
  auto conn = std::make_shared<Connection>(strand_, generation_);
  conn_ = conn;
  auto self = shared_from_this();
  resolver_.async_resolve(url_.host, url_.port, [self, conn](const beast::error_code& ec, tcp::resolver::results_type results) {
    if (conn->generation != self->generation_) return;
    if (ec) return self->socket_failed(conn->generation, "cannot resolve " + self->url_.host + ": " + ec.message());
    beast::tcp_stream& stream = beast::get_lowest_layer(conn->ws);
    stream.expires_after(std::chrono::milliseconds(self->link_.config().connect_timeout_ms));
    stream.async_connect(results, [self, conn](const beast::error_code& ec, const tcp::endpoint&) {
      if (conn->generation != self->generation_) return;
      if (ec) return self->socket_failed(conn->generation, "connect: " + ec.message());
      beast::get_lowest_layer(conn->ws).expires_never();  // the WebSocket keeps its own time from here
      beast::error_code ignored;
      beast::get_lowest_layer(conn->ws).socket().set_option(tcp::no_delay(true), ignored);
      websocket::stream_base::timeout timeouts{};
      timeouts.handshake_timeout = std::chrono::milliseconds(self->link_.config().connect_timeout_ms);
      timeouts.idle_timeout = websocket::stream_base::none();  // the link's keepalive notices silence
      timeouts.keep_alive_pings = false;
      conn->ws.set_option(timeouts);
      conn->ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
        request.set(http::field::sec_websocket_protocol, beast::string_view(kSubprotocol.data(), kSubprotocol.size()));
        request.set(http::field::user_agent, "moim-server");
      }));
      conn->ws.read_message_max(kMaxMessageBytes);
      const bool v6 = self->url_.host.find(':') != std::string::npos;
      const std::string host = (v6 ? "[" + self->url_.host + "]" : self->url_.host) + ":" + self->url_.port;
      conn->ws.async_handshake(conn->response, host, self->url_.target, [self, conn](const beast::error_code& ec) {
        if (conn->generation != self->generation_) return;
        if (ec) return self->socket_failed(conn->generation, "WebSocket handshake: " + ec.message());
        const beast::string_view protocol = conn->response[http::field::sec_websocket_protocol];
        if (std::string_view(protocol.data(), protocol.size()) != kSubprotocol) {
          return self->socket_failed(conn->generation, "the server did not accept subprotocol janus-protocol (is it Janus?)");
        }
        conn->ws.text(true);
        self->open_ = true;
        self->read(conn);
        self->feed(SocketOpened{});
      });
    });
  });
}

void JanusClient::read(const std::shared_ptr<Connection>& conn) {
  conn->ws.async_read(conn->buffer, [self = shared_from_this(), conn](const beast::error_code& ec, std::size_t) {
    if (conn->generation != self->generation_) return;
    if (ec) {
      std::string reason = ec == websocket::error::closed        ? std::string("Janus closed the connection")
                           : ec == websocket::error::message_too_big ? "a message over " + std::to_string(kMaxMessageBytes >> 20) + " MiB"
                                                                      : "read: " + ec.message();
      return self->socket_failed(conn->generation, reason);
    }
    std::string text = beast::buffers_to_string(conn->buffer.data());
    conn->buffer.consume(conn->buffer.size());
    self->feed(MessageReceived{std::move(text)});
    if (conn->generation == self->generation_) self->read(conn);
  });
}

void JanusClient::write_next() {
  if (writing_ || queue_.empty() || !open_ || !conn_) return;
  writing_ = true;
  auto message = std::make_shared<std::string>(std::move(queue_.front()));
  queue_.pop_front();
  queued_bytes_ -= message->size();
  std::shared_ptr<Connection> conn = conn_;
  conn->ws.async_write(asio::buffer(*message), [self = shared_from_this(), conn, message](const beast::error_code& ec, std::size_t) {
    if (conn->generation != self->generation_) return;
    self->writing_ = false;
    if (ec) return self->socket_failed(conn->generation, "write: " + ec.message());
    self->write_next();
  });
}

void JanusClient::drop() {
  ++generation_;
  open_ = false;
  writing_ = false;
  queue_.clear();
  queued_bytes_ = 0;
  resolver_.cancel();
  if (conn_) {
    beast::get_lowest_layer(conn_->ws).close();  // the pending operations end, aborted, and see they are stale
    conn_.reset();
  }
}

void JanusClient::socket_failed(std::uint64_t generation, const std::string& reason) {
  if (generation != generation_ || !conn_) return;
  drop();
  feed(SocketClosed{reason});
}

void JanusClient::schedule_tick() {
  timer_.expires_after(kTickInterval);
  timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
    if (ec || self->stopped_) return;
    self->feed(Tick{});
    self->schedule_tick();
  });
}

}  // namespace moim::sfu
