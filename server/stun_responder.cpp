#include "stun_responder.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>

namespace moim::server {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

// At most this many datagrams per wake-up, so a flood cannot keep the network thread from the rest.
constexpr int kBatch = 64;

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// The sender as STUN sees it; an IPv4-mapped IPv6 address (dual-stack socket) is the IPv4 address.
stun::Address to_stun(const sockaddr_storage& from) {
  stun::Address address;
  if (from.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(from);
    std::memcpy(address.ip.data(), &v4.sin_addr, 4);
    address.port = ntohs(v4.sin_port);
    return address;
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(from);
  address.port = ntohs(v6.sin6_port);
  if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
    std::memcpy(address.ip.data(), reinterpret_cast<const std::uint8_t*>(&v6.sin6_addr) + 12, 4);
  } else {
    address.v6 = true;
    std::memcpy(address.ip.data(), &v6.sin6_addr, 16);
  }
  return address;
}

}  // namespace

StunResponder::StunResponder(asio::io_context& ioc, std::uint64_t rate_limit_seed)
    : socket_(ioc), limit_(rate_limit_seed) {}

boost::system::error_code StunResponder::open(const udp::endpoint& endpoint) {
  boost::system::error_code ec;
  socket_.open(endpoint.protocol(), ec);
  if (ec) return ec;
  socket_.non_blocking(true, ec);
  if (ec) return ec;
  // Where each request was sent to, to answer from there.
  const int on = 1;
  const int fd = socket_.native_handle();
  if (endpoint.address().is_v6()) {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
    ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);  // IPv4 clients of a dual-stack socket
  } else {
    ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
  }
  socket_.bind(endpoint, ec);
  return ec;
}

std::uint16_t StunResponder::port() const {
  boost::system::error_code ec;
  const udp::endpoint local = socket_.local_endpoint(ec);
  return ec ? 0 : local.port();
}

void StunResponder::start() { wait(); }

void StunResponder::stop() {
  boost::system::error_code ec;
  socket_.close(ec);
}

void StunResponder::wait() {
  socket_.async_wait(udp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || !self->socket_.is_open()) return;
    for (int i = 0; i < kBatch && self->serve_one(); ++i) {
    }
    self->wait();
  });
}

bool StunResponder::serve_one() {
  // One byte more than the largest request answered: a datagram that fills it is too long.
  std::array<std::uint8_t, stun::kMaxRequestBytes + 1> buffer;
  sockaddr_storage from{};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo))> control{};
  iovec in_iov{buffer.data(), buffer.size()};
  msghdr in{};
  in.msg_name = &from;
  in.msg_namelen = sizeof from;
  in.msg_iov = &in_iov;
  in.msg_iovlen = 1;
  in.msg_control = control.data();
  in.msg_controllen = control.size();
  const ssize_t n = ::recvmsg(socket_.native_handle(), &in, MSG_DONTWAIT);
  if (n < 0) return errno == EINTR;
  if ((in.msg_flags & MSG_TRUNC) || static_cast<std::size_t>(n) > stun::kMaxRequestBytes) {
    ++counts_.dropped;
    return true;
  }
  if (from.ss_family != AF_INET && from.ss_family != AF_INET6) return true;
  const stun::Address source = to_stun(from);
  const stun::Answer answer = stun::answer(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)), source);
  if (answer.response.empty()) {
    ++counts_.dropped;
    return true;
  }
  if (!limit_.allow(source, steady_ms())) {
    ++counts_.limited;
    return true;
  }

  // The reply leaves from the request's destination address.
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> out_control{};
  msghdr out{};
  out.msg_name = &from;
  out.msg_namelen = in.msg_namelen;
  iovec out_iov{const_cast<std::uint8_t*>(answer.response.data()), answer.response.size()};
  out.msg_iov = &out_iov;
  out.msg_iovlen = 1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&in); c != nullptr; c = CMSG_NXTHDR(&in, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      in_pktinfo reply{};
      reply.ipi_spec_dst = info.ipi_spec_dst;  // the local address the request arrived at
      out.msg_control = out_control.data();
      out.msg_controllen = CMSG_SPACE(sizeof reply);
      cmsghdr* o = CMSG_FIRSTHDR(&out);
      o->cmsg_level = IPPROTO_IP;
      o->cmsg_type = IP_PKTINFO;
      o->cmsg_len = CMSG_LEN(sizeof reply);
      std::memcpy(CMSG_DATA(o), &reply, sizeof reply);
      break;
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      in6_pktinfo reply{};
      reply.ipi6_addr = info.ipi6_addr;
      // Only a link-local address needs its interface named; elsewhere the routing table decides.
      if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) reply.ipi6_ifindex = info.ipi6_ifindex;
      out.msg_control = out_control.data();
      out.msg_controllen = CMSG_SPACE(sizeof reply);
      cmsghdr* o = CMSG_FIRSTHDR(&out);
      o->cmsg_level = IPPROTO_IPV6;
      o->cmsg_type = IPV6_PKTINFO;
      o->cmsg_len = CMSG_LEN(sizeof reply);
      std::memcpy(CMSG_DATA(o), &reply, sizeof reply);
      break;
    }
  }
  // Non-blocking: a full send buffer drops the answer (the client retransmits), never the server.
  if (::sendmsg(socket_.native_handle(), &out, MSG_DONTWAIT) < 0) ++counts_.send_failed;
  else ++counts_.answered;
  return true;
}

}  // namespace moim::server
