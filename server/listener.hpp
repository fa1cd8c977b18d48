// Accepts TCP connections and starts an HttpSession on each (a DetectSession when TLS is on).
#pragma once

#include "server_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include <memory>

namespace moim::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, ServerContext& ctx);

  // Opens, binds (SO_REUSEADDR) and listens. Port 0 picks a free port; see port().
  boost::beast::error_code listen(const boost::asio::ip::tcp::endpoint& endpoint);
  unsigned short port() const;
  void start();  // begins the accept loop
  void stop();   // closes the acceptor; established sessions are not affected

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  ServerContext& ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // backs off after accept errors such as EMFILE
};

}  // namespace moim::server
