// The peer-to-peer protocol: what browsers say to each other over the "moim" data channel that
// every peer connection of a mesh call carries (docs/PROTOCOL.md, "Peer to peer"). The server never
// sees it. Typed, versioned JSON text messages, decoded without exceptions in the style of the
// signaling codec (shared/protocol.hpp): a bad message is an error value, never a throw or a crash.
//
// Trust: the sender of a message is the peer at the other end of the channel (the server named that
// peer when the connection was set up), never a field of the message. A history entry relays what
// somebody else said, so its `from` and `name` are only the relaying peer's word; the log shows them
// as such (nothing is signed in a mesh).
#pragma once

#include "protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace moim::p2p {

inline constexpr int kVersion = 1;
// The data channel's label and its id (negotiated out of band: both sides create it before the
// first offer, so it is in the first offer and opens with the connection, without a round trip).
inline constexpr const char* kChannelLabel = "moim";
inline constexpr int kChannelId = 0;

// A chat message holds at most this many code points (after trimming the ends; never empty).
inline constexpr std::size_t kMaxChatChars = 2000;
// A message id: 1 to 32 characters of [0-9a-zA-Z_-] (the sender picks a random one).
inline constexpr std::size_t kMaxMessageIdBytes = 32;
// One peer message on the wire: a chat message of kMaxChatChars code points, each escaped as the
// longest JSON form (\uXXXX\uXXXX for four UTF-8 bytes: 12 bytes), plus the envelope, fits.
// The same bound holds through the server in a large room (proto::kMaxPeerMessageDataBytes).
inline constexpr std::size_t kMaxPeerMessageBytes = proto::kMaxPeerMessageDataBytes;
// A peer whose channel opens is sent the last this many messages of the conversation.
inline constexpr std::size_t kHistoryMessages = 100;
// Files: a transfer's channel label is kFileChannelPrefix + its id; its binary chunks are at most
// kFileChunkBytes each. A file name is 1 to kMaxFileNameBytes bytes; a size at most kMaxFileSize
// (the page's own limit is lower: shared/file_transfer.hpp).
inline constexpr const char* kFileChannelPrefix = "file:";
inline constexpr std::size_t kFileChunkBytes = 64 * 1024;
// The SHA-256 hash list of a file is over blocks of this many bytes (the last may be shorter): a
// whole number of chunks, so both sides cut the same blocks.
inline constexpr std::size_t kFileHashBlockBytes = 4 * 1024 * 1024;
static_assert(kFileHashBlockBytes % kFileChunkBytes == 0);
inline constexpr std::size_t kMaxFileNameBytes = 255;
inline constexpr std::uint64_t kMaxFileSize = proto::kMaxId;  // 2^53 - 1: exact in JavaScript
// Times are the sender's wall clock, milliseconds since 1970; anything outside this is refused.
inline constexpr std::uint64_t kMaxTime = 8'640'000'000'000'000;

// Something said in the call: by the sender of the message (Chat), or, relayed to a peer who joined
// late, by `from` (History).
struct ChatLine {
  std::string id;
  std::uint64_t time = 0;   // the author's clock when written (ms since 1970)
  std::uint64_t seq = 0;    // the author's own count, 1, 2, 3...: keeps its order among equal times
  std::string text;
  bool operator==(const ChatLine&) const = default;
};
struct Chat {
  ChatLine line;
  bool operator==(const Chat&) const = default;
};
struct History {
  ChatLine line;
  proto::PeerId from = 0;  // the author's peer id in this call
  std::string name;        // and display name, as the relaying peer knew them
  bool operator==(const History&) const = default;
};

// File transfers (shared/file_transfer.hpp). On the chat/control channel: an offer of one file to the
// peer at the other end, its answer, a cancel by either side, and the receiver's verdict. `id` is the
// transfer's (a message id: random, the same on both sides).
struct FileOffer {
  std::string id;
  std::string name;   // check_file_name
  std::uint64_t size = 0;  // bytes, at most kMaxFileSize
  bool operator==(const FileOffer&) const = default;
};
struct FileAccept { std::string id; bool operator==(const FileAccept&) const = default; };
struct FileDecline { std::string id; bool operator==(const FileDecline&) const = default; };
struct FileCancel { std::string id; bool operator==(const FileCancel&) const = default; };
struct FileResult {  // the receiver checked size and SHA-256: ok, or not (then nothing was kept)
  std::string id;
  bool ok = false;
  bool operator==(const FileResult&) const = default;
};
// The last message on a transfer's own channel ("file:<id>"), after the binary chunks: how many bytes
// were sent and their SHA-256 hash list: the SHA-256 of the SHA-256s of its kFileHashBlockBytes
// blocks in order (64 lower-case hex digits; shared/file_transfer.hpp).
struct FileEnd {
  std::uint64_t size = 0;
  std::string sha256;
  bool operator==(const FileEnd&) const = default;
};

// How large the sender of this message draws the receiver's camera, in device pixels (0 x 0: not
// drawn): the receiver then sends it no larger (shared/mesh_encoding.hpp). At most kMaxViewPixels a side.
inline constexpr std::uint32_t kMaxViewPixels = 16384;
struct View {
  std::uint32_t width = 0, height = 0;
  bool operator==(const View&) const = default;
};

using PeerMessage = std::variant<Chat, History, FileOffer, FileAccept, FileDecline, FileCancel, FileResult, FileEnd, View>;

// Why a peer message was refused. Stable codes (docs/PROTOCOL.md); all are protocol errors: the
// message is dropped, nothing else changes.
enum class PeerError {
  None,
  TooLarge,        // over kMaxPeerMessageBytes
  NotJson,         // not a JSON object
  NewerVersion,    // "v" above kVersion: a newer Moim; ignored without complaint
  BadVersion,      // "v" missing or not a positive integer
  UnknownType,     // a type this version does not know
  BadField,        // a field missing or of the wrong type or range
  BadText,         // empty, too long, not UTF-8 or with control characters other than newline and tab
};
std::string_view to_string(PeerError e);

struct DecodedPeer {
  std::optional<PeerMessage> message;
  PeerError error = PeerError::None;
  bool ok() const { return message.has_value(); }
};

std::string encode(const PeerMessage& msg);
// Whether a large room carries `msg` through the server (proto `peer-message`): the chat (Chat,
// History) and the files' control messages (offer, accept, decline, cancel, result; their bytes and
// file-end go over a data link, shared/data_links.hpp). A `view` sizes a mesh connection's encoding.
// A receiver there drops the others.
bool carried_in_large_rooms(const PeerMessage& msg);
DecodedPeer decode_peer(std::string_view text);

// The one rule for chat text, used by the sender (the input field) and the receiver: trimmed, then
// 1 to kMaxChatChars code points, valid UTF-8, no control characters but newline and tab.
enum class ChatTextFault { None, Empty, TooLong, Invalid };
struct CheckedChatText {
  std::string text;  // trimmed
  ChatTextFault fault = ChatTextFault::None;
  bool ok() const { return fault == ChatTextFault::None; }
};
CheckedChatText check_chat_text(std::string_view typed);
bool is_valid_message_id(std::string_view id);
// A file name as offered: valid UTF-8, trimmed, 1 to kMaxFileNameBytes bytes, no control characters,
// no '/' or '\\' (a name, not a path). nullopt when it breaks a rule.
std::optional<std::string> check_file_name(std::string_view name);
// 64 lower-case hex digits.
bool is_valid_sha256_hex(std::string_view hex);

}  // namespace moim::p2p
