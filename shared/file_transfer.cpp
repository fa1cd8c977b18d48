#include "file_transfer.hpp"

#include <algorithm>
#include <initializer_list>

namespace moim::files {

namespace {

constexpr double kRateSampleMs = 250;  // a rate sample spans at least this long
constexpr double kRateWeight = 0.25;   // the newest sample's share of the smoothed rate

// Bytes are moving or expected: the glue holds a channel (or parts) for the transfer.
bool bytes_moving(State s) { return s == State::Sending || s == State::Receiving || s == State::Confirming; }
bool kept_file(const Transfer& t) { return t.direction == Direction::In && t.state == State::Done; }

// One event's work on the transfers; `out` collects its effects.
struct Step {
  std::vector<Transfer>& ts;
  std::uint64_t max_bytes;
  Effects out;

  // The page's limit, never above what the wire carries.
  std::uint64_t limit() const { return std::min(max_bytes, p2p::kMaxFileSize); }

  Transfer* find(std::string_view id) {
    const auto it = std::find_if(ts.begin(), ts.end(), [&](const Transfer& t) { return t.id == id; });
    return it == ts.end() ? nullptr : &*it;
  }
  // The transfer `id` when it is in one of `states` (and `dir`, unless nullopt).
  Transfer* in(std::string_view id, std::optional<Direction> dir, std::initializer_list<State> states) {
    Transfer* t = find(id);
    if (!t || (dir && t->direction != *dir) || std::find(states.begin(), states.end(), t->state) == states.end())
      return nullptr;
    return t;
  }
  Transfer* live(std::string_view id) {
    Transfer* t = find(id);
    return t && !is_final(t->state) ? t : nullptr;
  }

  // Room for one more: forgets the oldest final transfer, never a received file kept for Save.
  bool make_room() {
    while (ts.size() >= kMaxTransfers) {
      const auto it =
          std::find_if(ts.begin(), ts.end(), [](const Transfer& t) { return is_final(t.state) && !kept_file(t); });
      if (it == ts.end()) return false;
      ts.erase(it);
    }
    return true;
  }

  // Ends `t`: the peer is told first (`tell`), then the glue drops the bytes' channel, then the
  // picked file once no live transfer of ours uses it.
  void end(Transfer& t, State state, Fault fault, bool by_peer, std::optional<p2p::PeerMessage> tell = std::nullopt) {
    const bool had_bytes = bytes_moving(t.state);
    t.state = state;
    t.fault = fault;
    t.by_peer = by_peer;
    if (tell) out.push_back(SendToPeer{t.peer, std::move(*tell)});
    if (had_bytes && !kept_file(t)) out.push_back(Abort{t.peer, t.id});
    if (t.direction == Direction::Out && !picked_in_use(t.file)) out.push_back(ReleasePicked{t.file});
  }
  bool picked_in_use(int file) const {
    return std::any_of(ts.begin(), ts.end(), [&](const Transfer& t) {
      return t.direction == Direction::Out && t.file == file && !is_final(t.state);
    });
  }

  void operator()(const SendFile& e) {
    const auto refuse = [&](Fault f) { out.push_back(Refused{e.id, f}); };
    // A bad or used id, or no peer, is the app's mistake: refused without a fault to show.
    if (!p2p::is_valid_message_id(e.id) || find(e.id) || e.peer == 0) return refuse(Fault::None);
    if (e.size > limit()) return refuse(Fault::TooLarge);
    auto name = p2p::check_file_name(e.name);
    if (!name) return refuse(Fault::BadName);
    if (!make_room()) return refuse(Fault::TooMany);
    Transfer t{e.id, e.peer, Direction::Out, std::move(*name), e.size};
    t.file = e.file;
    out.push_back(SendToPeer{t.peer, p2p::FileOffer{t.id, t.name, t.size}});
    ts.push_back(std::move(t));
  }

  void operator()(const Accept& e) {
    Transfer* t = in(e.id, Direction::In, {State::Offered});
    if (!t) return;
    t->state = State::Receiving;
    t->started_ms = e.now_ms;
    out.push_back(ExpectFile{t->peer, t->id, t->size});  // ready before the peer starts
    out.push_back(SendToPeer{t->peer, p2p::FileAccept{t->id}});
  }

  void operator()(const Decline& e) {
    if (Transfer* t = in(e.id, Direction::In, {State::Offered}))
      end(*t, State::Declined, Fault::None, false, p2p::FileDecline{t->id});
  }

  void operator()(const Cancel& e) {
    if (Transfer* t = live(e.id)) end(*t, State::Cancelled, Fault::None, false, p2p::FileCancel{t->id});
  }

  void operator()(const FromPeer& e) {
    if (e.peer == 0) return;
    if (const auto* offer = std::get_if<p2p::FileOffer>(&e.message)) return offered(e.peer, *offer);
    const std::string& id = std::visit([](const auto& m) -> const std::string& { return m.id; }, e.message);
    Transfer* t = live(id);
    if (!t || t->peer != e.peer) return;  // not ours, or not that peer's
    const bool ours = t->direction == Direction::Out;  // we send the file
    const bool our_offer = ours && t->state == State::Offered;
    // The verdict may come before AllSent (the receiver had it all before our buffer said so).
    const bool our_bytes = ours && (t->state == State::Sending || t->state == State::Confirming);
    if (std::holds_alternative<p2p::FileAccept>(e.message) && our_offer) {
      t->state = State::Sending;
      t->started_ms = e.now_ms;
      out.push_back(StartSending{t->peer, t->id, t->file});
    } else if (std::holds_alternative<p2p::FileDecline>(e.message) && our_offer) {
      end(*t, State::Declined, Fault::None, true);  // it says no reason: no fault
    } else if (std::holds_alternative<p2p::FileCancel>(e.message)) {
      end(*t, State::Cancelled, Fault::None, true);
    } else if (const auto* result = std::get_if<p2p::FileResult>(&e.message); result && our_bytes) {
      if (result->ok) t->bytes = t->size;
      end(*t, result->ok ? State::Done : State::Failed, result->ok ? Fault::None : Fault::HashMismatch, false);
    }
  }

  void offered(proto::PeerId peer, const p2p::FileOffer& m) {
    // Ignored: an id we have (either way), or what the decoder would have refused.
    if (!p2p::is_valid_message_id(m.id) || find(m.id) || p2p::check_file_name(m.name) != m.name) return;
    const auto waiting = std::count_if(ts.begin(), ts.end(), [&](const Transfer& t) {
      return t.peer == peer && t.direction == Direction::In && t.state == State::Offered;
    });
    Fault fault = Fault::None;
    if (m.size > limit()) fault = Fault::TooLarge;
    else if (static_cast<std::size_t>(waiting) >= kMaxWaitingOffersPerPeer) fault = Fault::TooMany;
    const bool room = make_room();  // a declined offer is kept too, to be seen, when there is room
    if (!room && fault == Fault::None) fault = Fault::TooMany;
    if (room) {
      Transfer t{m.id, peer, Direction::In, m.name, m.size};
      if (fault != Fault::None) {
        t.state = State::Declined;
        t.fault = fault;
      }
      ts.push_back(std::move(t));
    }
    if (fault != Fault::None) out.push_back(SendToPeer{peer, p2p::FileDecline{m.id}});
  }

  void operator()(const Progress& e) {
    Transfer* t = in(e.id, std::nullopt, {State::Sending, State::Receiving});
    if (!t) return;
    t->bytes = std::min(std::max(t->bytes, e.bytes), t->size);
    // The first sample runs from started_ms (0 bytes then: last_progress_bytes is 0 until a sample).
    const double since = e.now_ms - (t->last_progress_ms < 0 ? t->started_ms : t->last_progress_ms);
    if (since < kRateSampleMs) return;
    const double sample = static_cast<double>(t->bytes - t->last_progress_bytes) * 1000 / since;
    t->bytes_per_s = t->last_progress_ms < 0 ? sample : (1 - kRateWeight) * t->bytes_per_s + kRateWeight * sample;
    t->last_progress_ms = e.now_ms;
    t->last_progress_bytes = t->bytes;
  }

  void operator()(const AllSent& e) {
    Transfer* t = in(e.id, Direction::Out, {State::Sending});
    if (!t) return;
    t->state = State::Confirming;
    t->bytes = t->size;
  }

  void operator()(const Arrived& e) {
    Transfer* t = in(e.id, Direction::In, {State::Receiving});
    if (!t) return;
    Fault fault = Fault::None;
    if (!e.end || e.bytes != t->size || e.end->size != t->size) fault = Fault::SizeMismatch;
    else if (e.computed_sha256 != e.end->sha256 || !p2p::is_valid_sha256_hex(e.computed_sha256))
      fault = Fault::HashMismatch;
    const bool ok = fault == Fault::None;
    if (ok) t->bytes = t->size;
    end(*t, ok ? State::Done : State::Failed, fault, false, p2p::FileResult{t->id, ok});
  }

  void operator()(const TransferBroke& e) {
    // Not in Confirming: every byte went; the peer's verdict, cancel or departure ends it.
    Transfer* t = in(e.id, std::nullopt, {State::Sending, State::Receiving});
    if (!t) return;
    const Fault fault = e.link_timeout                                 ? Fault::LinkTimeout
                        : e.read && t->direction == Direction::Out ? Fault::ReadFailed
                                                                   : Fault::ChannelBroke;
    end(*t, State::Failed, fault, false, p2p::FileCancel{t->id});
  }

  void operator()(const PeerGone& e) {
    for (Transfer& t : ts)
      if (t.peer == e.peer && !is_final(t.state)) end(t, State::Failed, Fault::PeerLeft, false);
  }

  void operator()(const CallEnded&) {
    std::vector<int> picked;  // each once, in the order first used
    for (const Transfer& t : ts) {
      if (bytes_moving(t.state)) out.push_back(Abort{t.peer, t.id});
      if (kept_file(t)) out.push_back(ReleaseReceived{t.id});
      const bool holds = t.direction == Direction::Out && !is_final(t.state);
      if (holds && std::find(picked.begin(), picked.end(), t.file) == picked.end()) picked.push_back(t.file);
    }
    for (const int f : picked) out.push_back(ReleasePicked{f});
    ts.clear();
  }

  void operator()(const Forget& e) {
    Transfer* t = find(e.id);
    if (!t || !is_final(t->state)) return;
    if (kept_file(*t)) out.push_back(ReleaseReceived{t->id});
    ts.erase(ts.begin() + (t - ts.data()));
  }
};

}  // namespace

std::string_view to_string(Direction d) { return d == Direction::In ? "in" : "out"; }

std::string_view to_string(State s) {
  switch (s) {
    case State::Offered: return "offered";
    case State::Sending: return "sending";
    case State::Receiving: return "receiving";
    case State::Confirming: return "confirming";
    case State::Done: return "done";
    case State::Declined: return "declined";
    case State::Cancelled: return "cancelled";
    case State::Failed: return "failed";
  }
  return "unknown";
}

std::string_view to_string(Fault f) {
  switch (f) {
    case Fault::None: return "none";
    case Fault::TooLarge: return "too-large";
    case Fault::TooMany: return "too-many";
    case Fault::BadName: return "bad-name";
    case Fault::PeerLeft: return "peer-left";
    case Fault::ChannelBroke: return "channel-broke";
    case Fault::ReadFailed: return "read-failed";
    case Fault::SizeMismatch: return "size-mismatch";
    case Fault::HashMismatch: return "hash-mismatch";
    case Fault::LinkTimeout: return "link-timeout";
  }
  return "unknown";
}

bool is_final(State s) {
  return s == State::Done || s == State::Declined || s == State::Cancelled || s == State::Failed;
}

Effects Machine::handle(const Event& event) {
  Step step{transfers_, max_bytes_, {}};
  std::visit(step, event);
  return std::move(step.out);
}

const Transfer* Machine::find(std::string_view id) const {
  const auto it = std::find_if(transfers_.begin(), transfers_.end(), [&](const Transfer& t) { return t.id == id; });
  return it == transfers_.end() ? nullptr : &*it;
}

}  // namespace moim::files
