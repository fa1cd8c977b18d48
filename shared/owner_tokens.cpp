#include "owner_tokens.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

namespace moim {

namespace {
// "1".."9007199254740991" (proto::kMaxId) exactly as std::to_string writes it; anything else is not a room's key.
std::optional<proto::RoomId> canonical_room_id(std::string_view text) {
  proto::RoomId id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || id == 0 || id > proto::kMaxId || text.front() == '0')
    return std::nullopt;
  return id;
}
}  // namespace

std::string owner_token_key(proto::RoomId room) { return std::string(kOwnerTokenPrefix) + std::to_string(room); }

bool valid_owner_token(std::string_view token) {
  if (token.empty() || token.size() > proto::kMaxTokenBytes) return false;
  return std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

std::vector<std::string> OwnerTokens::load(std::string_view stored_json) {
  std::vector<std::string> bad;
  const auto stored = nlohmann::json::parse(stored_json, nullptr, /*allow_exceptions=*/false);
  if (!stored.is_object()) return bad;
  for (const auto& [suffix, value] : stored.items()) {
    const auto room = canonical_room_id(suffix);
    const std::string* token = value.is_string() ? value.get_ptr<const std::string*>() : nullptr;
    if (!room || !token || !valid_owner_token(*token)) {
      bad.push_back(std::string(kOwnerTokenPrefix) + suffix);
      continue;
    }
    tokens_[*room] = *token;
  }
  return bad;
}

std::vector<proto::RoomId> OwnerTokens::prune(const std::vector<proto::RoomInfo>& rooms) {
  std::vector<proto::RoomId> gone;
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    const proto::RoomId id = it->first;
    if (std::any_of(rooms.begin(), rooms.end(), [id](const proto::RoomInfo& r) { return r.id == id; })) {
      ++it;
      continue;
    }
    gone.push_back(id);
    it = tokens_.erase(it);
  }
  return gone;
}

bool OwnerTokens::created(proto::RoomId room, const std::string& token) {
  if (creates_pending_ == 0) return false;  // not an answer to us
  --creates_pending_;
  if (room == 0 || !valid_owner_token(token)) return false;
  tokens_[room] = token;
  return true;
}

const std::string* OwnerTokens::find(proto::RoomId room) const {
  auto it = tokens_.find(room);
  return it == tokens_.end() ? nullptr : &it->second;
}

}  // namespace moim
