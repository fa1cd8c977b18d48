#include "peer_channels.hpp"

#include "browser/glue.hpp"
#include "overloaded.hpp"

#include <cstdio>

namespace moim::peer_channels {

bool is_channel_event(const browser::Event& event) {
  return std::holds_alternative<browser::ChannelOpened>(event) || std::holds_alternative<browser::ChannelClosed>(event) ||
         std::holds_alternative<browser::ChannelMessage>(event);
}

std::optional<Event> translate(Peers& peers, const browser::Event& event) {
  return std::visit(
      Overloaded{
          [&](const browser::ChannelOpened& e) -> std::optional<Event> {
            Peers::Peer* p = peers.by_handle(e.pc);
            if (!p) return std::nullopt;
            p->connection->browser.set_channel_open(true);
            return Opened{p->info.id};
          },
          [&](const browser::ChannelClosed& e) -> std::optional<Event> {
            Peers::Peer* p = peers.by_handle(e.pc);
            if (!p) return std::nullopt;
            p->connection->browser.set_channel_open(false);
            return Closed{p->info.id};
          },
          [&](const browser::ChannelMessage& e) -> std::optional<Event> {
            const Peers::Peer* p = peers.by_handle(e.pc);
            if (!p) return std::nullopt;
            p2p::DecodedPeer d = p2p::decode_peer(e.text);
            if (!d.ok()) {
              // A newer Moim may say things this one does not know: nothing to complain about.
              if (d.error != p2p::PeerError::NewerVersion && d.error != p2p::PeerError::UnknownType)
                std::printf("moim: dropped a data channel message from peer %llu: %s\n",
                            static_cast<unsigned long long>(p->info.id), std::string(p2p::to_string(d.error)).c_str());
              return std::nullopt;
            }
            return Said{p->info.id, p->info.name, std::move(*d.message)};
          },
          [](const auto&) -> std::optional<Event> { return std::nullopt; },
      },
      event);
}

bool send(const Peers::Connection& connection, const p2p::PeerMessage& msg) {
  if (!connection.browser.channel_open()) return false;
  return browser::send_on_channel(connection.browser.handle(), p2p::encode(msg));
}

}  // namespace moim::peer_channels
