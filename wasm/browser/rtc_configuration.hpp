// proto::IceConfig -> the RTCConfiguration dictionary RTCPeerConnection takes, and back from
// pc.getConfiguration(). The JS object is built here, at the embind boundary (as datachannel-wasm
// turns its C++ Configuration.iceServers into JS objects): the glue is handed a finished object and
// parses nothing of our protocol.
#pragma once

#include "browser/glue.hpp"
#include "protocol.hpp"

#include <emscripten/val.h>

#include <optional>

namespace moim::browser {

// {iceServers: [{urls: [...], username?, credential?}, ...], iceTransportPolicy: "all" | "relay"}.
// No `ice` message yet is an empty IceConfig: no servers, policy "all" (host candidates only).
emscripten::val rtc_configuration(const proto::IceConfig& ice);
// What an RTCConfiguration object says (credentials left out); nullopt when it is not one.
std::optional<RtcConfigurationView> read_rtc_configuration(const emscripten::val& config);

}  // namespace moim::browser
