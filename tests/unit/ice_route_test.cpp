// The route of a selected ICE candidate pair: every combination of candidate types, and the strings
// getStats gives parsed strictly.
#include "ice_route.hpp"

#include <gtest/gtest.h>

namespace moim::ice {
namespace {

using CT = CandidateType;

TEST(IceRoute, TheMoreIndirectEndDecides) {
  struct Row { CT local, remote, route; };
  const Row table[] = {
      {CT::Host, CT::Host, CT::Host},     {CT::Host, CT::Prflx, CT::Prflx},   {CT::Prflx, CT::Host, CT::Prflx},
      {CT::Prflx, CT::Prflx, CT::Prflx},  {CT::Host, CT::Srflx, CT::Srflx},   {CT::Srflx, CT::Host, CT::Srflx},
      {CT::Srflx, CT::Prflx, CT::Srflx},  {CT::Prflx, CT::Srflx, CT::Srflx},  {CT::Srflx, CT::Srflx, CT::Srflx},
      {CT::Relay, CT::Host, CT::Relay},   {CT::Host, CT::Relay, CT::Relay},   {CT::Relay, CT::Srflx, CT::Relay},
      {CT::Prflx, CT::Relay, CT::Relay},  {CT::Relay, CT::Relay, CT::Relay},
  };
  for (const auto& r : table) {
    EXPECT_EQ(route(CandidatePair{r.local, r.remote, {}, {}}), r.route)
        << to_string(r.local) << " + " << to_string(r.remote);
  }
}

TEST(IceRoute, PairsParseFromGetStatsStrings) {
  EXPECT_EQ(parse_pair("host", "host", "udp", ""), (CandidatePair{CT::Host, CT::Host, Transport::Udp, std::nullopt}));
  EXPECT_EQ(parse_pair("relay", "srflx", "udp", "tcp"),
            (CandidatePair{CT::Relay, CT::Srflx, Transport::Udp, Transport::Tcp}));
  // A relay protocol means something only on a relay candidate.
  EXPECT_EQ(parse_pair("srflx", "relay", "tcp", "tls"), (CandidatePair{CT::Srflx, CT::Relay, Transport::Tcp, std::nullopt}));
  // No pair selected yet, or names getStats does not use: no pair at all.
  EXPECT_EQ(parse_pair("", "", "", ""), std::nullopt);
  EXPECT_EQ(parse_pair("host", "", "udp", ""), std::nullopt);
  EXPECT_EQ(parse_pair("Host", "host", "udp", ""), std::nullopt);
  EXPECT_EQ(parse_pair("relayed", "host", "udp", ""), std::nullopt);
  // An unknown protocol is left out, the pair is kept.
  EXPECT_EQ(parse_pair("host", "prflx", "sctp", ""), (CandidatePair{CT::Host, CT::Prflx, std::nullopt, std::nullopt}));
}

TEST(IceRoute, NamesRoundTrip) {
  for (auto t : {CT::Host, CT::Srflx, CT::Prflx, CT::Relay}) EXPECT_EQ(candidate_type_from_string(to_string(t)), t);
  for (auto t : {Transport::Udp, Transport::Tcp, Transport::Tls}) EXPECT_EQ(transport_from_string(to_string(t)), t);
}

}  // namespace
}  // namespace moim::ice
