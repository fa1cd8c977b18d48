// Accepts TCP connections and starts an HttpSession on each (a DetectSession when TLS is on).
// Every connection is counted at accept time (ConnectionGate, admission.hpp); one over the limits
// is closed at once, without reading or answering: a flood must cost us as little as possible.
#pragma once

#include "server_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

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
  // Counts a refused connection and logs the count at most once per kLogInterval (a flood must not
  // flood the log too).
  void note_refusal(ConnectionGate::Refusal why, const std::string& key);
  void note_accept_error(const boost::beast::error_code& ec);

  boost::asio::io_context& ioc_;
  ServerContext& ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // backs off after accept errors such as EMFILE
  struct QuietLog {
    std::chrono::steady_clock::time_point last{};
    std::size_t unreported = 0;
  };
  QuietLog refusals_, accept_errors_;
};

}  // namespace moim::server
