#include "listener.hpp"

#include "http_session.hpp"
#include "log.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include <chrono>
#include <exception>
#include <string>

namespace moim::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {
// After a failed accept (e.g. out of file descriptors) wait a little instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
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
    log_warn("accept failed: " + ec.message());
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
    });
    return;
  }
  try {
    if (ctx_.tls) {
      std::make_shared<DetectSession>(std::move(socket), ctx_)->run();  // https, or a redirect to it
    } else {
      std::make_shared<HttpSession>(beast::tcp_stream(std::move(socket)), beast::flat_buffer(), ctx_)->run();
    }
  } catch (const std::exception& e) {
    log_error(std::string("could not start an HTTP session: ") + e.what());
  }
  do_accept();
}

}  // namespace moim::server
