#include "ws_test_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include <stdexcept>

namespace moim::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

WsClient::WsClient(unsigned short port, std::string_view target, const WsOptions& options) : ws_(ioc_) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  beast::error_code ec;
  if (!options.source.empty()) {
    // Connect from another loopback address (all of 127.0.0.0/8 is local on Linux).
    ws_.next_layer().open(tcp::v4(), ec);
    if (!ec) ws_.next_layer().bind(tcp::endpoint(asio::ip::make_address(options.source), 0), ec);
    if (ec) throw std::runtime_error("bind " + options.source + ": " + ec.message());
  }
  ec = run_op(
      [&](auto handler) { ws_.next_layer().async_connect(endpoint, [handler](beast::error_code e) { handler(e, 0); }); },
      5s);
  if (ec) throw std::runtime_error("connect: " + ec.message());
  // Beast writes a masked client frame in pieces; with Nagle each piece would wait for an ACK.
  ws_.next_layer().set_option(tcp::no_delay(true), ec);
  const std::string host = "127.0.0.1:" + std::to_string(port);
  const std::string path(target);
  if (!options.headers.empty()) {
    ws_.set_option(beast::websocket::stream_base::decorator([headers = options.headers](beast::websocket::request_type& request) {
      for (const auto& [name, value] : headers) request.set(name, value);
    }));
  }
  beast::websocket::response_type response;
  ec = run_op(
      [&](auto handler) { ws_.async_handshake(response, host, path, [handler](beast::error_code e) { handler(e, 0); }); },
      5s);
  if (ec == beast::websocket::error::upgrade_declined) {
    throw WsUpgradeRefused(static_cast<unsigned>(response.result_int()), response.body());
  }
  if (ec) throw std::runtime_error("handshake: " + ec.message());
  ws_.read_message_max(64 * 1024 * 1024);
}

WsUpgrade WsClient::try_connect(unsigned short port, const WsOptions& options, std::string_view target) {
  WsUpgrade result;
  try {
    result.client = std::make_unique<WsClient>(port, target, options);
    result.status = 101;
  } catch (const WsUpgradeRefused& refused) {
    result.status = refused.status;
    result.body = refused.body;
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

template <class Start>
beast::error_code WsClient::run_op(Start start, std::chrono::milliseconds timeout) {
  bool done = false;
  beast::error_code result;
  start([&done, &result](beast::error_code ec, std::size_t) {
    done = true;
    result = ec;
  });
  ioc_.restart();
  ioc_.run_for(timeout);
  if (!done) {
    // Timed out: the stream is unusable after a cancelled operation, so close it.
    beast::error_code ignored;
    ws_.next_layer().close(ignored);
    ioc_.restart();
    ioc_.run();
    closed_ = true;
    last_error_ = asio::error::timed_out;
    return asio::error::timed_out;
  }
  return result;
}

bool WsClient::send_text(std::string_view text, std::chrono::milliseconds timeout) {
  if (closed_) return false;
  ws_.text(true);
  const beast::error_code ec = run_op(
      [&](auto handler) { ws_.async_write(asio::buffer(text.data(), text.size()), handler); }, timeout);
  if (ec) {
    last_error_ = ec;
    return false;
  }
  return true;
}

bool WsClient::send_binary(std::string_view bytes) {
  if (closed_) return false;
  ws_.binary(true);
  const beast::error_code ec =
      run_op([&](auto handler) { ws_.async_write(asio::buffer(bytes.data(), bytes.size()), handler); }, 10s);
  ws_.text(true);
  if (ec) {
    last_error_ = ec;
    return false;
  }
  return true;
}

std::optional<json> WsClient::read(std::chrono::milliseconds timeout) {
  if (closed_) return std::nullopt;
  buffer_.clear();
  const beast::error_code ec = run_op([&](auto handler) { ws_.async_read(buffer_, handler); }, timeout);
  if (ec) {
    closed_ = true;
    last_error_ = ec;
    return std::nullopt;
  }
  json message = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) return std::nullopt;
  return message;
}

std::optional<json> WsClient::read_type(std::string_view type, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return std::nullopt;
    std::optional<json> message = read(left);
    if (!message) {
      if (closed_) return std::nullopt;
      continue;
    }
    if (type_of(*message) == type) return message;
  }
}

std::optional<json> WsClient::read_skipping_updates(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return std::nullopt;
    std::optional<json> message = read(left);
    if (!message) {
      if (closed_) return std::nullopt;
      continue;
    }
    if (type_of(*message) != "room-updated") return message;
  }
}

bool WsClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!closed_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return false;
    read(left);
  }
  return last_error_ != asio::error::timed_out;
}

bool WsClient::close(std::chrono::milliseconds timeout, beast::websocket::close_code code) {
  if (closed_) return false;
  const beast::error_code ec = run_op(
      [&](auto handler) {
        ws_.async_close(code, [handler](beast::error_code e) { handler(e, 0); });
      },
      timeout);
  closed_ = true;
  last_error_ = ec;
  return !ec;
}

void WsClient::drop() {
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
  closed_ = true;
}

void WsClient::drop_with_reset() {
  beast::error_code ignored;
  ws_.next_layer().set_option(asio::socket_base::linger(true, 0), ignored);  // close() sends RST
  ws_.next_layer().close(ignored);
  closed_ = true;
}

}  // namespace moim::test
