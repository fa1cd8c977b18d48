// How a peer connection reaches the other side: the candidate types of the selected ICE candidate
// pair (RTCIceCandidateStats.candidateType of its local and remote candidates) and the route they
// make. Pure; the browser adapter reads the types from getStats, the UI shows the route.
#pragma once

#include <optional>
#include <string_view>

namespace moim::ice {

// RTCIceCandidateType. host: an address of the machine itself; srflx: the address a NAT maps it to,
// as a STUN server saw it; prflx: an address learnt from the other side's connectivity checks
// (a NAT mapping STUN did not reveal); relay: an address on a TURN server, which forwards the media.
enum class CandidateType { Host, Srflx, Prflx, Relay };

std::string_view to_string(CandidateType type);
// Exactly the four names getStats uses; anything else (including "") is nullopt.
std::optional<CandidateType> candidate_type_from_string(std::string_view text);

// The transport a candidate uses ("udp" / "tcp"), or for a relay candidate the one between the
// browser and the TURN server ("udp" / "tcp" / "tls": RTCIceCandidateStats.relayProtocol).
enum class Transport { Udp, Tcp, Tls };
std::string_view to_string(Transport transport);
std::optional<Transport> transport_from_string(std::string_view text);

// The selected pair of one connection.
struct CandidatePair {
  CandidateType local = CandidateType::Host;
  CandidateType remote = CandidateType::Host;
  std::optional<Transport> protocol;        // the local candidate's
  std::optional<Transport> relay_protocol;  // the local candidate's, when it is a relay candidate
  bool operator==(const CandidatePair&) const = default;
};

// The route of a pair, most indirect end first: relay if either end is a relay candidate, else srflx
// if either is server-reflexive, else prflx if either is peer-reflexive, else host.
CandidateType route(const CandidatePair& pair);

// A pair from getStats' strings, or nullopt when either type is missing or unknown (no pair
// selected yet). Unknown protocols are left empty.
std::optional<CandidatePair> parse_pair(std::string_view local_type, std::string_view remote_type,
                                        std::string_view protocol, std::string_view relay_protocol);

}  // namespace moim::ice
