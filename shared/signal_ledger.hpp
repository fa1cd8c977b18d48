// Signals that survive a dropped connection. Each side numbers the signals it sends in a session
// (`seq`, from 1) and says the last number it received (`seen`: in ping, pong, resume and resumed).
// The sender keeps what the other side has not yet said it saw, within bounds, and sends it again
// after a resume; the receiver drops numbers it already had. When the bounds forced the oldest out
// before they were seen, the gap cannot be filled: the caller restarts ICE with its peers instead.
// Used by the server (per session, holding encoded texts) and by the client's server link.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace moim::ledger {

// What a sender keeps: numbered items not yet seen by the other side, oldest first.
template <class T>
class Outbox {
 public:
  struct Bounds {
    std::size_t max_items = 256;
    std::size_t max_bytes = 512 * 1024;
  };
  explicit Outbox(Bounds bounds = {}) : bounds_(bounds) {}

  // The number the next pushed item gets.
  std::uint64_t next_seq() const { return last_ + 1; }
  std::uint64_t last_seq() const { return last_; }

  // Keeps `item` (of `bytes`) as number next_seq(); past the bounds the oldest are dropped, and a
  // replay from before them is no longer possible.
  std::uint64_t push(T item, std::size_t bytes) {
    items_.push_back(Entry{++last_, bytes, std::move(item)});
    bytes_ += bytes;
    while (items_.size() > bounds_.max_items || (bytes_ > bounds_.max_bytes && items_.size() > 1)) {
      dropped_through_ = items_.front().seq;
      bytes_ -= items_.front().bytes;
      items_.pop_front();
    }
    return last_;
  }

  // The other side says it has everything up to `seen`: those are forgotten. A number we never
  // sent is taken as the last we did.
  void seen(std::uint64_t seen) {
    seen = std::min(seen, last_);
    while (!items_.empty() && items_.front().seq <= seen) {
      bytes_ -= items_.front().bytes;
      items_.pop_front();
    }
    if (seen > dropped_through_) dropped_through_ = seen;  // nothing before it is missing any more
  }

  // Everything after `seen`, oldest first, to send again; nullopt when some of it was dropped
  // (the gap cannot be filled). Forgets what is before it as seen(seen) does.
  std::optional<std::vector<const T*>> after(std::uint64_t seen) {
    this->seen(seen);
    if (std::min(seen, last_) < dropped_through_) return std::nullopt;
    std::vector<const T*> out;
    out.reserve(items_.size());
    for (const Entry& e : items_) out.push_back(&e.item);
    return out;
  }

  // A new session (or one a restarted server restored): numbering starts again at 1.
  void reset() { *this = Outbox(bounds_); }

  std::size_t size() const { return items_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  struct Entry {
    std::uint64_t seq;
    std::size_t bytes;
    T item;
  };
  Bounds bounds_;
  std::deque<Entry> items_;
  std::size_t bytes_ = 0;
  std::uint64_t last_ = 0;
  std::uint64_t dropped_through_ = 0;  // the newest number dropped unseen (0: none)
};

// What a receiver keeps: the last number it took.
class Inbox {
 public:
  enum class Arrival {
    Fresh,      // the next one (or unnumbered: 0)
    Duplicate,  // had it already: drop it
    AfterGap,   // newer than the next: some were lost on the way (taken; the caller repairs)
  };
  Arrival receive(std::uint64_t seq) {
    if (seq == 0) return Arrival::Fresh;
    if (seq <= seen_) return Arrival::Duplicate;
    const bool gap = seq != seen_ + 1;
    seen_ = seq;
    return gap ? Arrival::AfterGap : Arrival::Fresh;
  }
  std::uint64_t seen() const { return seen_; }
  void reset() { seen_ = 0; }

 private:
  std::uint64_t seen_ = 0;
};

}  // namespace moim::ledger
