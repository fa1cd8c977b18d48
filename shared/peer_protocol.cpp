#include "peer_protocol.hpp"

#include "overloaded.hpp"

#include <nlohmann/json.hpp>

namespace moim::p2p {

using nlohmann::json;

namespace {

json line_json(const ChatLine& l) {
  return json{{"id", l.id}, {"time", l.time}, {"seq", l.seq}, {"text", l.text}};
}

// Reads the fields of a ChatLine from `doc`; false (with `error`) when one is missing or wrong.
bool read_line(const json& doc, ChatLine& l, PeerError& error) {
  const auto id = doc.find("id"), time = doc.find("time"), seq = doc.find("seq"), text = doc.find("text");
  error = PeerError::BadField;
  if (id == doc.end() || !id->is_string() || !is_valid_message_id(id->get_ref<const std::string&>())) return false;
  if (time == doc.end() || !time->is_number_unsigned()) return false;
  const std::uint64_t t = time->get<std::uint64_t>();
  if (t > kMaxTime) return false;
  if (seq == doc.end() || !seq->is_number_unsigned()) return false;
  const std::uint64_t s = seq->get<std::uint64_t>();
  if (s == 0 || s > proto::kMaxId) return false;
  if (text == doc.end() || !text->is_string()) return false;
  const auto& raw = text->get_ref<const std::string&>();
  const CheckedChatText checked = check_chat_text(raw);
  // The sender trimmed it: text that the rule would change is not what a Moim sends.
  if (!checked.ok() || checked.text != raw) {
    error = PeerError::BadText;
    return false;
  }
  l = ChatLine{id->get<std::string>(), t, s, raw};
  error = PeerError::None;
  return true;
}

}  // namespace

std::string_view to_string(PeerError e) {
  switch (e) {
    case PeerError::None: return "none";
    case PeerError::TooLarge: return "too-large";
    case PeerError::NotJson: return "not-json";
    case PeerError::NewerVersion: return "newer-version";
    case PeerError::BadVersion: return "bad-version";
    case PeerError::UnknownType: return "unknown-type";
    case PeerError::BadField: return "bad-field";
    case PeerError::BadText: return "bad-text";
  }
  return "unknown";
}

std::string encode(const PeerMessage& msg) {
  json doc = std::visit(Overloaded{
                            [](const Chat& m) {
                              json d = line_json(m.line);
                              d["type"] = "chat";
                              return d;
                            },
                            [](const History& m) {
                              json d = line_json(m.line);
                              d["type"] = "history";
                              d["from"] = m.from;
                              d["name"] = m.name;
                              return d;
                            },
                            [](const FileOffer& m) {
                              return json{{"type", "file-offer"}, {"id", m.id}, {"name", m.name}, {"size", m.size}};
                            },
                            [](const FileAccept& m) { return json{{"type", "file-accept"}, {"id", m.id}}; },
                            [](const FileDecline& m) { return json{{"type", "file-decline"}, {"id", m.id}}; },
                            [](const FileCancel& m) { return json{{"type", "file-cancel"}, {"id", m.id}}; },
                            [](const FileResult& m) { return json{{"type", "file-result"}, {"id", m.id}, {"ok", m.ok}}; },
                            [](const FileEnd& m) { return json{{"type", "file-end"}, {"size", m.size}, {"sha256", m.sha256}}; },
                            [](const View& m) { return json{{"type", "view"}, {"w", m.width}, {"h", m.height}}; },
                        },
                        msg);
  doc["v"] = kVersion;
  // Invalid UTF-8 cannot come from our own checked text; replaced rather than thrown, in any case.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

DecodedPeer decode_peer(std::string_view text) {
  DecodedPeer out;
  if (text.size() > kMaxPeerMessageBytes) {
    out.error = PeerError::TooLarge;
    return out;
  }
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    out.error = PeerError::NotJson;
    return out;
  }
  const auto v = doc.find("v");
  if (v == doc.end() || !v->is_number_unsigned() || v->get<std::uint64_t>() == 0) {
    out.error = PeerError::BadVersion;
    return out;
  }
  if (v->get<std::uint64_t>() > static_cast<std::uint64_t>(kVersion)) {
    out.error = PeerError::NewerVersion;
    return out;
  }
  const auto type = doc.find("type");
  if (type == doc.end() || !type->is_string()) {
    out.error = PeerError::BadField;
    return out;
  }
  const auto& t = type->get_ref<const std::string&>();
  if (t == "chat") {
    Chat m;
    if (read_line(doc, m.line, out.error)) out.message = std::move(m);
  } else if (t == "history") {
    History m;
    if (!read_line(doc, m.line, out.error)) return out;
    const auto from = doc.find("from"), name = doc.find("name");
    out.error = PeerError::BadField;
    if (from == doc.end() || !from->is_number_unsigned()) return out;
    m.from = from->get<proto::PeerId>();
    if (m.from == 0 || m.from > proto::kMaxId) return out;
    if (name == doc.end() || !name->is_string()) return out;
    auto checked = proto::normalize_display_name(name->get_ref<const std::string&>());
    if (!checked) return out;
    m.name = std::move(*checked);
    out.error = PeerError::None;
    out.message = std::move(m);
  } else if (t == "file-offer" || t == "file-accept" || t == "file-decline" || t == "file-cancel" ||
             t == "file-result") {
    out.error = PeerError::BadField;
    const auto id = doc.find("id");
    if (id == doc.end() || !id->is_string() || !is_valid_message_id(id->get_ref<const std::string&>())) return out;
    std::string tid = id->get<std::string>();
    if (t == "file-offer") {
      const auto name = doc.find("name"), size = doc.find("size");
      if (name == doc.end() || !name->is_string() || size == doc.end() || !size->is_number_unsigned()) return out;
      auto checked = check_file_name(name->get_ref<const std::string&>());
      const std::uint64_t n = size->get<std::uint64_t>();
      if (!checked || *checked != name->get_ref<const std::string&>() || n > kMaxFileSize) return out;
      out.message = FileOffer{std::move(tid), std::move(*checked), n};
    } else if (t == "file-result") {
      const auto ok = doc.find("ok");
      if (ok == doc.end() || !ok->is_boolean()) return out;
      out.message = FileResult{std::move(tid), ok->get<bool>()};
    } else if (t == "file-accept") {
      out.message = FileAccept{std::move(tid)};
    } else if (t == "file-decline") {
      out.message = FileDecline{std::move(tid)};
    } else {
      out.message = FileCancel{std::move(tid)};
    }
    out.error = PeerError::None;
  } else if (t == "file-end") {
    out.error = PeerError::BadField;
    const auto size = doc.find("size"), sha = doc.find("sha256");
    if (size == doc.end() || !size->is_number_unsigned() || size->get<std::uint64_t>() > kMaxFileSize) return out;
    if (sha == doc.end() || !sha->is_string() || !is_valid_sha256_hex(sha->get_ref<const std::string&>())) return out;
    out.message = FileEnd{size->get<std::uint64_t>(), sha->get<std::string>()};
    out.error = PeerError::None;
  } else if (t == "view") {
    out.error = PeerError::BadField;
    const auto w = doc.find("w"), h = doc.find("h");
    if (w == doc.end() || !w->is_number_unsigned() || w->get<std::uint64_t>() > kMaxViewPixels) return out;
    if (h == doc.end() || !h->is_number_unsigned() || h->get<std::uint64_t>() > kMaxViewPixels) return out;
    out.message = View{w->get<std::uint32_t>(), h->get<std::uint32_t>()};
    out.error = PeerError::None;
  } else {
    out.error = PeerError::UnknownType;
  }
  return out;
}

CheckedChatText check_chat_text(std::string_view typed) {
  CheckedChatText out;
  if (!proto::is_valid_utf8(typed)) {
    out.fault = ChatTextFault::Invalid;
    return out;
  }
  out.text = proto::trim(typed);
  const std::size_t chars = proto::utf8_length(out.text);
  if (chars == 0) out.fault = ChatTextFault::Empty;
  else if (chars > kMaxChatChars) out.fault = ChatTextFault::TooLong;
  else if (proto::has_control_characters(out.text, /*allow_line_breaks=*/true)) out.fault = ChatTextFault::Invalid;
  return out;
}

bool is_valid_message_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxMessageIdBytes) return false;
  for (const char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> check_file_name(std::string_view name) {
  if (!proto::is_valid_utf8(name)) return std::nullopt;
  std::string trimmed = proto::trim(name);
  if (trimmed.empty() || trimmed.size() > kMaxFileNameBytes || proto::has_control_characters(trimmed)) return std::nullopt;
  if (trimmed.find('/') != std::string::npos || trimmed.find('\\') != std::string::npos) return std::nullopt;
  return trimmed;
}

bool is_valid_sha256_hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (const char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool carried_in_large_rooms(const PeerMessage& msg) {
  return std::holds_alternative<Chat>(msg) || std::holds_alternative<History>(msg) || std::holds_alternative<FileOffer>(msg) ||
         std::holds_alternative<FileAccept>(msg) || std::holds_alternative<FileDecline>(msg) ||
         std::holds_alternative<FileCancel>(msg) || std::holds_alternative<FileResult>(msg);
}

}  // namespace moim::p2p
