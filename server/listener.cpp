#include "listener.hpp"

#include "http_session.hpp"
#include "log.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>

namespace moim::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {
// After a failed accept (e.g. out of file descriptors) wait a little instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// Refusals and accept errors are logged at most this often (with how many there were).
constexpr std::chrono::seconds kLogInterval{10};

// True when `log` may speak now; counts the event either way.
bool due(std::chrono::steady_clock::time_point& last, std::size_t& unreported) {
  ++unreported;
  const auto now = std::chrono::steady_clock::now();
  if (last != std::chrono::steady_clock::time_point{} && now - last < kLogInterval) return false;
  last = now;
  return true;
}
}  // namespace

Listener::Listener(asio::io_context& ioc, ServerContext& ctx)
    : ioc_(ioc), ctx_(ctx), acceptor_(ioc), retry_timer_(ioc) {}

beast::error_code Listener::listen(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return ec;
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return ec;
  acceptor_.bind(endpoint, ec);
  if (ec) return ec;
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

unsigned short Listener::port() const {
  beast::error_code ec;
  const tcp::endpoint local = acceptor_.local_endpoint(ec);
  return ec ? 0 : local.port();
}

void Listener::start() { do_accept(); }

void Listener::stop() {
  beast::error_code ec;
  acceptor_.close(ec);
  retry_timer_.cancel();
}

void Listener::do_accept() {
  acceptor_.async_accept(ioc_, beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    note_accept_error(ec);
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
    });
    return;
  }
  try {
    beast::error_code endpoint_ec;
    const tcp::endpoint remote = socket.remote_endpoint(endpoint_ec);
    if (endpoint_ec) {  // already gone (reset before we got to it)
      do_accept();
      return;
    }
    const std::optional<IpAddress> peer = parse_ip(remote.address().to_string());
    const std::string key = peer ? address_key(*peer) : remote.address().to_string();
    const bool proxy = peer && ctx_.proxies.trusts(*peer);
    ConnectionGate::Refusal why = ConnectionGate::Refusal::None;
    ConnectionGate::Ticket ticket = ctx_.connection_gate.admit(key, proxy, &why);
    if (!ticket) {
      beast::error_code ignored;
      socket.close(ignored);
      note_refusal(why, key);
      do_accept();
      return;
    }
    if (ctx_.tls) {
      std::make_shared<DetectSession>(std::move(socket), ctx_, std::move(ticket))->run();  // https, or a redirect
    } else {
      std::make_shared<HttpSession>(beast::tcp_stream(std::move(socket)), beast::flat_buffer(), ctx_, std::move(ticket))
          ->run();
    }
  } catch (const std::exception& e) {
    log_error(std::string("could not start an HTTP session: ") + e.what());
  }
  do_accept();
}

void Listener::note_refusal(ConnectionGate::Refusal why, const std::string& key) {
  if (!due(refusals_.last, refusals_.unreported)) return;
  const std::string reason =
      why == ConnectionGate::Refusal::ServerFull
          ? "the server holds " + std::to_string(ctx_.connection_gate.total_limit()) + " connections (--max-connections)"
          : key + " holds " + std::to_string(ctx_.connection_gate.per_address_limit()) +
                " connections (--max-http-connections-per-address)";
  log_warn("connection refused: " + reason + "; " + std::to_string(refusals_.unreported) +
           " refused since the last such line");
  refusals_.unreported = 0;
}

void Listener::note_accept_error(const beast::error_code& ec) {
  if (!due(accept_errors_.last, accept_errors_.unreported)) return;
  log_warn("accept failed: " + ec.message() + " (" + std::to_string(accept_errors_.unreported) +
           " failures since the last such line)");
  accept_errors_.unreported = 0;
}

}  // namespace moim::server
