// libFuzzer target: the peer-to-peer protocol (shared/peer_protocol.*) and the chat log it feeds
// (shared/chat_log.*) on arbitrary bytes from a peer's data channel.
//
// The input is split at 0x1E bytes into messages; each is decoded and, when it decodes, received by
// one chat log, and when it is about files to one file transfer machine, from peer 2 or 3 (the
// message's first byte chooses). Properties (any failure aborts):
//   - decoding never crashes, leaks or hits undefined behaviour (ASan + UBSan);
//   - a decoded message re-encodes to text that decodes to an equal message, within the size limit;
//   - text a peer's message carries obeys the chat text rule (check_chat_text leaves it as it is);
//   - the log stays ordered by (time, author, seq, id), its ids unique, its size bounded; its history
//     is at most kHistoryMessages messages, each of which encodes within the limit and decodes back;
//   - the file machine keeps at most kMaxTransfers transfers and kMaxWaitingOffersPerPeer waiting
//     offers per peer, never one over its size limit, and a peer's messages never start bytes moving
//     on their own (no StartSending without our offer, no ExpectFile without our accept).
#include "chat_log.hpp"
#include "mesh_encoding.hpp"
#include "file_transfer.hpp"
#include "peer_protocol.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property failed: %s\n", what);
    std::abort();
  }
}

void one_message(moim::chat::Log& log, moim::files::Machine& files, std::string_view text) {
  using namespace moim;
  const p2p::DecodedPeer d = p2p::decode_peer(text);
  check(d.ok() == (d.error == p2p::PeerError::None), "an error exactly when nothing decodes");
  if (!d.ok()) return;
  const std::string again = p2p::encode(*d.message);
  check(again.size() <= p2p::kMaxPeerMessageBytes, "a decoded message re-encodes within the limit");
  const p2p::DecodedPeer d2 = p2p::decode_peer(again);
  check(d2.ok() && *d2.message == *d.message, "re-encoding round-trips");
  if (const auto* c = std::get_if<p2p::Chat>(&*d.message))
    check(p2p::check_chat_text(c->line.text).ok() && p2p::check_chat_text(c->line.text).text == c->line.text, "text obeys the rule");
  if (const auto* h = std::get_if<p2p::History>(&*d.message))
    check(p2p::check_chat_text(h->line.text).ok() && p2p::check_chat_text(h->line.text).text == h->line.text, "text obeys the rule");
  if (const auto* o = std::get_if<p2p::FileOffer>(&*d.message))
    check(p2p::check_file_name(o->name) == o->name && o->size <= p2p::kMaxFileSize, "an offer obeys the file rules");
  if (const auto* v = std::get_if<p2p::View>(&*d.message)) {
    // Whatever a peer says of its tile, what we send it stays within the bounds (shared/mesh_encoding).
    const mesh::Budget b;
    for (std::size_t peers : {1, 4, 15}) {
      const mesh::SendShape s = mesh::shape_for(peers, *v, b);
      check(s.scale_down >= 1 && s.scale_down <= 4 && s.max_kbps >= b.min_kbps && s.max_kbps <= b.max_kbps, "a view keeps the send shape bounded");
    }
  }
  const proto::PeerId peer = !text.empty() && (static_cast<unsigned char>(text[0]) & 1) ? 3 : 2;
  log.received(peer, peer == 2 ? "Two" : "Three", *d.message);
  const auto to_files = [&](const auto& m) {
    for (const auto& e : files.handle(files::FromPeer{peer, m, 1000}))
      check(!std::holds_alternative<files::StartSending>(e) && !std::holds_alternative<files::ExpectFile>(e),
            "a peer alone never starts bytes moving");
  };
  if (const auto* m = std::get_if<p2p::FileOffer>(&*d.message)) to_files(*m);
  if (const auto* m = std::get_if<p2p::FileAccept>(&*d.message)) to_files(*m);
  if (const auto* m = std::get_if<p2p::FileDecline>(&*d.message)) to_files(*m);
  if (const auto* m = std::get_if<p2p::FileCancel>(&*d.message)) to_files(*m);
  if (const auto* m = std::get_if<p2p::FileResult>(&*d.message)) to_files(*m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace moim;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  chat::Log log;
  log.reset(1, "Me");
  files::Machine files(1 << 20);
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = input.find('\x1e', start);
    one_message(log, files, input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  log.send("mine", 5, "own1");

  const auto& entries = log.entries();
  check(entries.size() <= chat::kMaxEntries, "the log is bounded");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    check(ids.insert(entries[i].id).second, "ids are unique");
    if (i > 0) {
      const auto& a = entries[i - 1];
      const auto& b = entries[i];
      check(std::tie(a.time, a.from, a.seq, a.id) < std::tie(b.time, b.from, b.seq, b.id), "the log is in order");
    }
  }
  const auto history = log.history();
  check(history.size() <= p2p::kHistoryMessages, "history is bounded");
  for (const auto& m : history) {
    const std::string wire = p2p::encode(m);
    check(wire.size() <= p2p::kMaxPeerMessageBytes, "history fits the limit");
    const p2p::DecodedPeer d = p2p::decode_peer(wire);
    check(d.ok() && *d.message == m, "history decodes back");
  }
  check(files.transfers().size() <= files::kMaxTransfers, "transfers are bounded");
  for (const proto::PeerId peer : {2, 3}) {
    std::size_t waiting = 0;
    for (const auto& t : files.transfers()) {
      waiting += t.peer == peer && t.direction == files::Direction::In && t.state == files::State::Offered;
      check(t.state != files::State::Offered || t.size <= files.max_file_bytes(), "no waiting offer over the limit");
    }
    check(waiting <= files::kMaxWaitingOffersPerPeer, "waiting offers per peer are bounded");
  }
  return 0;
}
