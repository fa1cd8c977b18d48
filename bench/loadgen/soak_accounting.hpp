// The soak's verdict on every signal it sent (bench/loadgen/soak.cpp): delivered, refused because
// its addressee was gone (the refusal heard, or written into a connection that dropped), undecided,
// or lost. Pure: what the people recorded goes in, counts come out, so the rules are unit-tested
// (bench/loadgen/soak_accounting_test.cpp).
//
// Refusals are matched to signals: the server takes a sender's signals in order, and once a peer has
// left, every later signal to it is refused, so the n refusals heard for (sender, addressee) answer
// the last n signals from that sender to that addressee.
//
// A refusal the server wrote into the sender's connection as it dropped is not heard (errors are not
// sent again). An undelivered signal without a heard refusal is taken as refused unheard only when
// the server took it from that connection (`answer_maybe_lost`: its seq <= the next resumed.seen and
// its addressee was gone by that resume), that addressee's session ended with `left` on its last
// connection, and the server cannot have relayed it before that connection was attached, which
// would have made the ledger send it again: the addressee joined on that connection, or the signal
// was sent after its resumed was read, or that connection read a live number (after the pong of the
// ping sent right behind the resume, which follows everything sent again) with no number skipped
// anywhere, so nothing sent again was missing. When the server had confirmed the signal to its sender
// before the addressee even sent its resume, it was relayed (the addressee was still in the call):
// lost. The rest cannot be decided from the outside: undecided.
//
// Everything else undelivered is lost; the lost are split into those whose addressee dropped its
// connection within 1 s of their sending (what the ledger must send again) and the rest.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

namespace moim::loadgen::soak_accounting {

struct Signal {
  std::uint32_t from_peer = 0, to_peer = 0;
  std::int64_t sent_ns = 0;
  std::uint32_t delivered = 0;
  std::uint64_t seq = 0;  // its number in the sender's session
  // The server said it had it (resumed.seen) from a connection that then dropped, and its addressee
  // was no longer in the call at that resume: a `peer-not-found` for it may have gone into the
  // dropped connection (errors are not sent again).
  bool answer_maybe_lost = false;
  std::int64_t confirmed_ns = 0;  // when the sender first read a pong.seen / resumed.seen covering it
};

// Per peer id (a session), about its last connection: when its resume was sent and its resumed read
// (both 0 for the connection it joined on: a signal to a peer id comes after its join); the last
// number it had read when the pong for the ping sent right behind the resume came (everything the
// server sent again after `resumed` came before it), whether a number above that came later (a live
// one: had the resend missed any, the numbers would have skipped), and whether the session ended
// with `left` read on that connection.
struct SessionEnd {
  std::int64_t resume_sent_ns = 0, attached_ns = 0;
  std::uint64_t mark = 0;
  bool marked = false, live_after_mark = false, left = false;
};

struct Record {
  const std::vector<Signal>& signals;
  // `peer-not-found` answers by (sender's peer id, addressee's peer id); those naming no peer.
  const std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t>& refusals_by_pair;
  std::uint64_t refusals_unnamed = 0;
  const std::unordered_map<std::uint32_t, SessionEnd>& sessions;
  std::uint64_t gaps = 0;  // numbers skipped, by anyone
  // When the person holding this peer id dropped its connections (empty when unknown).
  std::function<std::vector<std::int64_t>(std::uint32_t peer)> drops_of;
};

struct Accounting {
  std::uint64_t delivered = 0, delivered_and_refused = 0, refused_matched = 0, refused_unheard = 0, undecided = 0,
                lost = 0, lost_with_drop = 0;
  std::uint64_t refusals_unmatched = 0;  // heard, but for no signal: must be 0
  // Which, for the log: indexes into the signals (and whether the lost one's addressee dropped).
  struct Lost {
    std::size_t signal = 0;
    bool with_drop = false;
  };
  std::vector<std::size_t> undecided_signals;
  std::vector<Lost> lost_signals;
  std::uint64_t unexplained() const { return lost - lost_with_drop; }
};

Accounting account(const Record& record);

}  // namespace moim::loadgen::soak_accounting
