#include "ice_route.hpp"

namespace moim::ice {

std::string_view to_string(CandidateType type) {
  switch (type) {
    case CandidateType::Host: return "host";
    case CandidateType::Srflx: return "srflx";
    case CandidateType::Prflx: return "prflx";
    case CandidateType::Relay: return "relay";
  }
  return "host";
}

std::optional<CandidateType> candidate_type_from_string(std::string_view text) {
  for (auto t : {CandidateType::Host, CandidateType::Srflx, CandidateType::Prflx, CandidateType::Relay})
    if (to_string(t) == text) return t;
  return std::nullopt;
}

std::string_view to_string(Transport transport) {
  switch (transport) {
    case Transport::Udp: return "udp";
    case Transport::Tcp: return "tcp";
    case Transport::Tls: return "tls";
  }
  return "udp";
}

std::optional<Transport> transport_from_string(std::string_view text) {
  for (auto t : {Transport::Udp, Transport::Tcp, Transport::Tls})
    if (to_string(t) == text) return t;
  return std::nullopt;
}

namespace {
// Higher = more indirect; the route is the more indirect end.
int indirection(CandidateType t) {
  switch (t) {
    case CandidateType::Host: return 0;
    case CandidateType::Prflx: return 1;
    case CandidateType::Srflx: return 2;
    case CandidateType::Relay: return 3;
  }
  return 0;
}
}  // namespace

CandidateType route(const CandidatePair& pair) {
  return indirection(pair.local) >= indirection(pair.remote) ? pair.local : pair.remote;
}

std::optional<CandidatePair> parse_pair(std::string_view local_type, std::string_view remote_type,
                                        std::string_view protocol, std::string_view relay_protocol) {
  const auto local = candidate_type_from_string(local_type);
  const auto remote = candidate_type_from_string(remote_type);
  if (!local || !remote) return std::nullopt;
  CandidatePair pair{*local, *remote, transport_from_string(protocol), std::nullopt};
  if (*local == CandidateType::Relay) pair.relay_protocol = transport_from_string(relay_protocol);
  return pair;
}

}  // namespace moim::ice
