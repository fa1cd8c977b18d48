#include "stats/call_stats_panel.hpp"

#include "ice_route.hpp"
#include "peer_link.hpp"
#include "view_text.hpp"

#include <cmath>
#include <string>

namespace moim {

using nlohmann::json;

std::optional<call_stats::Quality> peer_quality(const Peers::Peer& peer, const peer_health::Machine& health) {
  if (!peer.connection || connection_state(peer, health) != signaling::ConnectionState::Connected) return std::nullopt;
  return peer.connection->meter.quality();
}

json stats_json(const Peers::Peer& peer) {
  if (!peer.connection || !peer.connection->meter.figures()) return nullptr;
  const call_stats::Figures& f = *peer.connection->meter.figures();
  json j = json::object();
  for (const call_stats::Metric m : call_stats::kAllMetrics) {
    const auto v = f.value(m);
    // One decimal: the tests and a person read them; the plots keep the full value.
    j[std::string(call_stats::key(m))] = v ? json(std::round(*v * 10) / 10) : json(nullptr);
  }
  j["width"] = f.width;
  j["height"] = f.height;
  j["codec"] = f.codec;
  return j;
}

ui::StatsModel CallStatsPanel::model() const {
  ui::StatsModel m;
  m.open = open_;
  if (!open_) return m;
  for (const Peers::Peer* p : peers_.in_order()) {
    ui::StatsPeerView v;
    v.id = p->info.id;
    v.name = p->info.name;
    v.quality = peer_quality(*p, health_);
    const auto pair = connected_pair(*p, health_);
    const std::string route = pair ? std::string(ice::to_string(ice::route(*pair))) : std::string();
    const call_stats::Meter* meter = p->connection ? &p->connection->meter : nullptr;
    static const std::optional<call_stats::Figures> kNoFigures;
    const std::optional<call_stats::Figures>& figures = meter ? meter->figures() : kNoFigures;
    v.details = figures ? view_text::stats_details(figures->width, figures->height, figures->codec, route)
                        : view_text::stats_details(0, 0, "", route);
    if (meter) v.history = &meter->history();
    for (std::size_t i = 0; i < call_stats::kMetrics; ++i)
      v.figures[i] = view_text::stats_figure(call_stats::kAllMetrics[i], figures ? figures->values[i] : std::nullopt);
    m.peers.push_back(std::move(v));
  }
  return m;
}

}  // namespace moim
