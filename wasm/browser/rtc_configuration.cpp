#include "browser/rtc_configuration.hpp"

namespace moim::browser {

using emscripten::val;

val rtc_configuration(const proto::IceConfig& ice) {
  val servers = val::array();
  for (const proto::IceServer& s : ice.servers) {
    val server = val::object();
    val urls = val::array();
    for (const std::string& url : s.urls) urls.call<void>("push", url);
    server.set("urls", urls);
    // STUN servers have no credentials; TURN servers always have both (the decoder checks).
    if (!s.username.empty() || !s.credential.empty()) {
      server.set("username", s.username);
      server.set("credential", s.credential);
    }
    servers.call<void>("push", server);
  }
  val config = val::object();
  config.set("iceServers", servers);
  config.set("iceTransportPolicy", std::string(proto::to_string(ice.policy)));
  return config;
}

namespace {
std::string string_or_empty(const val& v) { return v.isString() ? v.as<std::string>() : std::string(); }
}  // namespace

std::optional<RtcConfigurationView> read_rtc_configuration(const val& config) {
  if (config.isNull() || config.isUndefined() || config.typeOf().as<std::string>() != "object") return std::nullopt;
  RtcConfigurationView view;
  view.policy = string_or_empty(config["iceTransportPolicy"]);
  const val servers = config["iceServers"];
  if (!servers.isArray()) return view;
  const int n = servers["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    const val s = servers[i];
    if (s.isNull() || s.isUndefined()) continue;
    RtcConfigurationView::Server server;
    const val urls = s["urls"];  // a string or an array of them (RTCIceServer allows both)
    if (urls.isString()) {
      server.urls.push_back(urls.as<std::string>());
    } else if (urls.isArray()) {
      const int m = urls["length"].as<int>();
      for (int j = 0; j < m; ++j) server.urls.push_back(string_or_empty(urls[j]));
    }
    server.username = string_or_empty(s["username"]);
    view.servers.push_back(std::move(server));
  }
  return view;
}

}  // namespace moim::browser
