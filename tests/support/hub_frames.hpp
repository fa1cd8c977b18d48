// Reading a HubOutput in tests: the decoded messages one connection receives, or those of one type.
#pragma once

#include "hub.hpp"
#include "protocol.hpp"

#include <gtest/gtest.h>

#include <variant>
#include <vector>

namespace moim::test {

// The decoded messages `out` sends to `conn`, in order (a frame that does not decode fails the test).
inline std::vector<proto::ServerMessage> received(const HubOutput& out, ConnId conn) {
  std::vector<proto::ServerMessage> msgs;
  for (const Outgoing& o : out.sends) {
    if (o.to != conn) continue;
    auto decoded = proto::decode_server(*o.text);
    EXPECT_TRUE(decoded.ok()) << *o.text;
    if (decoded.ok()) msgs.push_back(std::move(*decoded.message));
  }
  return msgs;
}

// Those of them that are a T.
template <typename T>
std::vector<T> of_type(const HubOutput& out, ConnId conn) {
  std::vector<T> found;
  for (auto& msg : received(out, conn)) {
    if (auto* m = std::get_if<T>(&msg)) found.push_back(*m);
  }
  return found;
}

}  // namespace moim::test
