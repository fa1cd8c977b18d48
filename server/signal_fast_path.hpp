// The hub's fast path for signals (HubConfig::signal_fast_path): most traffic is signals from our own
// client in the exact shape proto::encode writes, so they are decoded and re-encoded directly instead
// of through a JSON DOM (which was about a third of the server's time when relaying). Same bytes out
// either way; anything else is left to the general codec.
#pragma once

#include "protocol.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace moim::hub_detail {
// A client "signal" exactly as proto::encode writes it (keys in its order, no white space), with
// ASCII strings using only the escapes \" \\ \/ \b \f \n \r \t. nullopt for anything else: the general
// decoder then decides. When it returns a message, proto::decode_client returns the same one.
std::optional<proto::SendSignal> decode_canonical_signal(std::string_view text);
// Exactly proto::encode(proto::RelayedSignal{signal with peer = from and seq = seq}), when every
// string is ASCII; nullopt otherwise (use proto::encode).
std::optional<std::string> encode_relayed_signal(proto::PeerId from, std::uint64_t seq, const proto::Signal& signal);
}  // namespace moim::hub_detail
