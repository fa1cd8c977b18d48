// File transfers of a call, browser to browser, as a machine: events in (what the person does, what
// the peer says over the chat/control channel, what the browser reports about the bytes), effects
// out (control messages to send, the glue's work on the bytes). No browser, clock or randomness
// inside: the app passes the time and fresh transfer ids. The bytes never come here: the glue reads,
// sends, receives and hashes them (web/glue/file_transfers.js); this decides.
//
// One transfer = one file between us and one peer (sending to everyone makes one transfer per
// peer). Its states, by direction:
//
//   out: Offered --peer's file-accept--> Sending --AllSent--> Confirming --peer's file-result ok--> Done
//   in:  Offered --Accept--> Receiving --Arrived (size and SHA-256 right)--> Done   (sends file-result)
//
// and from any state that is not final: Declined (the receiver said no, or its offer broke a rule:
// too large, too many waiting), Cancelled (either side, at any time: file-cancel), Failed (the peer
// left or its connection closed, the file channel broke, reading the file failed, the size or the
// SHA-256 on arrival was wrong, the receiver said it was wrong). Done, Declined, Cancelled and Failed
// are final: nothing changes them but CallEnded, which forgets everything.
//
// Whatever way a transfer ends, the glue is told to release what it holds for it (Abort: its
// channel and received parts; ReleasePicked: the picked file once no transfer of ours uses it;
// a received file that failed its check is dropped by Abort too). A received file that is Done is
// kept (for Save) until the person puts it away (Forget) or the call ends (ReleaseReceived either way).
//
// Integrity: the sender's glue hashes each block of p2p::kFileHashBlockBytes with SHA-256 as it goes,
// and the file's digest is the SHA-256 of the blocks' digests in order (a hash list: Web Crypto has no
// streaming digest, and this keeps memory bounded whatever the size); the receiver's glue computes the
// same from what arrived. The sender's digest comes at the end of the file channel (`file-end`); a mismatch is a
// failure, never saved.
//
// Bounds (a hostile peer sends at will): at most kMaxWaitingOffersPerPeer incoming offers from one
// peer wait for an answer (more are declined at once), at most kMaxTransfers transfers are kept (the
// oldest final ones are forgotten first; when all are live, a new incoming offer is declined); an
// offer over the page's size limit is declined (and shown as such). Messages about transfers we do
// not have, or from a peer that is not the transfer's, change nothing.
//
// The rules in detail:
//  - SendFile is refused (Refused, no transfer), checked in this order: a bad or used id, or peer 0
//    (the app's mistake: Fault::None); over the size limit (TooLarge; the limit is never above
//    p2p::kMaxFileSize, what the wire carries); a bad name (BadName); no room (TooMany). The name
//    kept and offered is the checked one (trimmed). A refusal releases nothing: the glue may be
//    sending the same picked file to other peers, and drops it itself when no transfer took it.
//  - A peer's offer with an id we have (either direction) is ignored. Else it is declined at once
//    (file-decline) when over the limit (TooLarge), when that peer already has
//    kMaxWaitingOffersPerPeer offers waiting (TooMany) or when there is no room (TooMany); it is
//    then kept as Declined by us, with its fault, if room can be made, so the person sees it.
//  - Room: with kMaxTransfers kept, the oldest final transfer is forgotten, but never a received
//    file that is Done (kept for Save until the call ends, as above); when only live transfers and
//    such files are left, there is no room.
//  - A peer's file-decline carries no reason: Declined by the peer has Fault::None.
//  - The peer's messages count only from the transfer's own peer and where they make sense:
//    file-accept and file-decline answer our offer (out, Offered); file-result our file (out,
//    Sending or Confirming: the verdict may come before AllSent); file-cancel ends any live one.
//  - Abort goes exactly when a transfer ends while bytes were moving or expected (Sending,
//    Receiving, Confirming), whatever ends it, CallEnded too; never for an offer (no channel yet),
//    never for a received file that is Done (kept). The receiver's glue closes the file channel
//    once the end marker came (the sender takes that close, after its end marker, as all sent);
//    the sender's Abort at Done closes what is left.
//  - ReleasePicked comes once, when the last live outgoing transfer of that file ends.
//  - Order of effects: the glue is ready before the peer is told (ExpectFile, then file-accept); the
//    peer is told before the channel goes (the message, then Abort, then ReleasePicked), so it can
//    learn why before it sees the channel close.
//  - TransferBroke ends Sending and Receiving only: Failed, ChannelBroke (ReadFailed when sending
//    and `read`; LinkTimeout when `link_timeout`: a large room's data link was not up in time), and the peer is sent file-cancel so both sides end. In Confirming every byte went
//    (the channel may close as the receiver is done): the peer's verdict, cancel or departure ends it.
//  - Arrived: no valid end marker, a byte count other than the offered size, or an end saying
//    another size: SizeMismatch (the size was not confirmed); else a digest that differs:
//    HashMismatch. Either way file-result not ok, and Abort drops what came.
//  - PeerGone: Failed, PeerLeft, nothing sent. By_peer is only for Declined and Cancelled.
//  - Progress (Sending, Receiving): bytes only grow, up to the size. The rate is sampled over at
//    least 250 ms, the first sample from started_ms (and 0 bytes): sample = bytes moved * 1000 / ms
//    elapsed; the first sample is the rate, each later one weighs 1/4: rate = 3/4 rate + 1/4 sample.
#pragma once

#include "peer_protocol.hpp"
#include "protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moim::files {

inline constexpr std::uint64_t kDefaultMaxFileBytes = std::uint64_t{2} << 30;  // 2 GiB
inline constexpr std::size_t kMaxTransfers = 64;
inline constexpr std::size_t kMaxWaitingOffersPerPeer = 8;

enum class Direction { In, Out };
enum class State { Offered, Sending, Receiving, Confirming, Done, Declined, Cancelled, Failed };
// Why a transfer was declined or failed (None otherwise). Stable names (to_string) for state().
enum class Fault {
  None,
  TooLarge,         // over the page's size limit (ours when sending; the receiver's when it declined for that)
  TooMany,          // declined: too many offers waiting from that peer, or no room for another transfer
  BadName,          // refused: the file name breaks p2p::check_file_name
  PeerLeft,         // the peer left the call, or its connection (or chat channel) closed
  ChannelBroke,     // the file channel closed or failed before the end (glue: TransferBroke)
  ReadFailed,       // sending: the browser could not read the file (glue: TransferBroke with read = true)
  SizeMismatch,     // arriving: not the size offered (or not the size the end said)
  HashMismatch,     // arriving: the SHA-256 differs (or, sending: the receiver said so)
  LinkTimeout,      // a large room: the data link to the peer was not up within data_links::kNegotiateMs
};
std::string_view to_string(Direction d);
std::string_view to_string(State s);
std::string_view to_string(Fault f);
bool is_final(State s);

struct Transfer {
  std::string id;          // p2p::is_valid_message_id; the same on both sides
  proto::PeerId peer = 0;  // the other side
  Direction direction = Direction::Out;
  std::string name;        // checked with p2p::check_file_name
  std::uint64_t size = 0;
  State state = State::Offered;
  Fault fault = Fault::None;
  bool by_peer = false;    // Declined / Cancelled: the peer did it (false: we did)
  int file = 0;            // out: the glue's handle of the picked file (0 for in)
  std::uint64_t bytes = 0;       // sent (out) or received (in) so far
  double started_ms = -1;        // when bytes began to move (Sending / Receiving entered); -1 before
  double bytes_per_s = 0;        // smoothed rate from Progress; 0 until measured
  double last_progress_ms = -1;  // time of the Progress that last updated the rate
  std::uint64_t last_progress_bytes = 0;
  bool operator==(const Transfer&) const = default;
};

// ---- events
// The person sends `file` (the glue's handle; `name`, `size` as the browser says) to `peer`, as a new
// transfer `id`.
struct SendFile { std::string id; proto::PeerId peer = 0; std::string name; std::uint64_t size = 0; int file = 0; };
struct Accept { std::string id; double now_ms = 0; };  // the person accepts an incoming offer
struct Decline { std::string id; };                     // ... declines it
struct Cancel { std::string id; };                      // ... cancels a transfer (either direction, any live state)
// A file message from `peer` over its chat/control channel (the channel says who it is).
struct FromPeer {
  proto::PeerId peer = 0;
  std::variant<p2p::FileOffer, p2p::FileAccept, p2p::FileDecline, p2p::FileCancel, p2p::FileResult> message;
  double now_ms = 0;
};
// The glue: bytes sent (handed over and gone from the channel's buffer) or received so far.
struct Progress { std::string id; std::uint64_t bytes = 0; double now_ms = 0; };
// The sender's glue: every byte and the end marker are on their way (the channel's buffer drained).
struct AllSent { std::string id; double now_ms = 0; };
// The receiver's glue: the end marker came (`end`, decoded by the app; nullopt when it was not a
// valid file-end), after `bytes` bytes whose hash list the glue computed as `computed_sha256`.
struct Arrived { std::string id; std::uint64_t bytes = 0; std::optional<p2p::FileEnd> end; std::string computed_sha256; double now_ms = 0; };
// The glue: the transfer's channel closed or failed before its end, or (sending) the file could not
// be read (`read`).
// `link_timeout`: its large room's data link never came up in time (shared/data_links.hpp).
struct TransferBroke { std::string id; bool read = false; bool link_timeout = false; };
// The peer left the call, or its connection or chat channel closed: its live transfers fail.
struct PeerGone { proto::PeerId peer = 0; };
struct CallEnded {};  // every transfer is released and forgotten
// The person put a finished transfer away (its card's Dismiss): a final one is forgotten, and a
// received file kept for Save is released with it (live ones: nothing).
struct Forget { std::string id; };

using Event = std::variant<SendFile, Accept, Decline, Cancel, FromPeer, Progress, AllSent, Arrived, TransferBroke,
                           PeerGone, CallEnded, Forget>;

// ---- effects
struct SendToPeer { proto::PeerId peer = 0; p2p::PeerMessage message; };  // over the chat/control channel
// The glue opens the transfer's own channel ("file:<id>") to `peer` and sends `file` over it in chunks
// of at most p2p::kFileChunkBytes, then the file-end marker.
struct StartSending { proto::PeerId peer = 0; std::string id; int file = 0; };
// The glue takes the channel "file:<id>" that `peer` opens, and keeps what arrives (at most `size`
// bytes; more is a failure it reports as Arrived with the bytes counted).
struct ExpectFile { proto::PeerId peer = 0; std::string id; std::uint64_t size = 0; };
// The glue closes the transfer's channel, if any, and drops what it received (live or failed).
struct Abort { proto::PeerId peer = 0; std::string id; };
struct ReleasePicked { int file = 0; };          // no transfer of ours uses this picked file any more
struct ReleaseReceived { std::string id; };      // a received (Done) file is dropped (the call ended)
// SendFile was refused (no transfer made): too large, a bad name, no room for another transfer.
struct Refused { std::string id; Fault fault = Fault::None; };

using Effect = std::variant<SendToPeer, StartSending, ExpectFile, Abort, ReleasePicked, ReleaseReceived, Refused>;
using Effects = std::vector<Effect>;

class Machine {
 public:
  explicit Machine(std::uint64_t max_file_bytes = kDefaultMaxFileBytes) : max_bytes_(max_file_bytes) {}
  Effects handle(const Event& event);

  // In the order they were made (oldest first).
  const std::vector<Transfer>& transfers() const { return transfers_; }
  const Transfer* find(std::string_view id) const;
  std::uint64_t max_file_bytes() const { return max_bytes_; }

 private:
  std::uint64_t max_bytes_;
  std::vector<Transfer> transfers_;
};

}  // namespace moim::files
