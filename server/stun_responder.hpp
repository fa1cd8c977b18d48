// The built-in STUN responder (--stun-port): a UDP socket on the HTTP address that answers Binding
// requests (stun_message.hpp) within StunRateLimit's budget, and drops everything else unanswered.
// Replies leave from the address the request was sent to (IP_PKTINFO / IPV6_PKTINFO), so a server
// bound to 0.0.0.0 on a host with several addresses answers from the one the browser asked: a STUN
// client ignores answers from another address.
#pragma once

#include "stun_rate_limit.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <memory>

namespace moim::server {

class StunResponder : public std::enable_shared_from_this<StunResponder> {
 public:
  StunResponder(boost::asio::io_context& ioc, std::uint64_t rate_limit_seed);

  // Opens and binds the socket (port 0 picks a free one; see port()).
  boost::system::error_code open(const boost::asio::ip::udp::endpoint& endpoint);
  std::uint16_t port() const;
  void start();  // answers until stop()
  void stop();   // closes the socket

  struct Counts {
    std::uint64_t answered = 0;  // success and 420 responses sent
    std::uint64_t dropped = 0;   // not a well-formed Binding request (or too big)
    std::uint64_t limited = 0;   // well-formed, but over the rate limit
    std::uint64_t send_failed = 0;
  };
  const Counts& counts() const { return counts_; }

 private:
  void wait();
  bool serve_one();  // one datagram; false when none is waiting (or reading failed)

  boost::asio::ip::udp::socket socket_;
  StunRateLimit limit_;
  Counts counts_;
};

}  // namespace moim::server
