#include "forwarded.hpp"

#include <algorithm>
#include <string>

namespace moim::server {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool is_port(std::string_view text) {
  return !text.empty() && text.size() <= 5 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// "192.0.2.1", "192.0.2.1:80", "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:80".
std::optional<IpAddress> parse_node(std::string_view node) {
  if (!node.empty() && node.front() == '[') {
    const std::size_t close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !is_port(rest.substr(1)))) return std::nullopt;
    const std::string_view inside = node.substr(1, close - 1);
    if (inside.find(':') == std::string_view::npos) return std::nullopt;  // brackets are for IPv6
    return parse_ip(inside);
  }
  if (node.find('%') != std::string_view::npos) return std::nullopt;
  if (std::count(node.begin(), node.end(), ':') == 1) {  // IPv4 with a port
    const std::size_t colon = node.find(':');
    if (!is_port(node.substr(colon + 1))) return std::nullopt;
    const std::optional<IpAddress> address = parse_ip(node.substr(0, colon));
    return address && address->is_v4() ? address : std::nullopt;
  }
  return parse_ip(node);
}

bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Reads a token or a quoted string at `text[pos]` into `out`; false on bad syntax.
bool read_value(std::string_view text, std::size_t& pos, std::string& out) {
  out.clear();
  if (pos < text.size() && text[pos] == '"') {
    for (++pos; pos < text.size(); ++pos) {
      char c = text[pos];
      if (c == '"') {
        ++pos;
        return true;
      }
      if (c == '\\') {
        if (++pos == text.size()) return false;
        c = text[pos];
      }
      out += c;
    }
    return false;  // unterminated
  }
  const std::size_t start = pos;
  while (pos < text.size() && is_tchar(text[pos])) ++pos;
  out.assign(text.substr(start, pos - start));
  return !out.empty();
}

void skip_space(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

std::vector<std::optional<IpAddress>> parse_x_forwarded_for(std::string_view value) {
  std::vector<std::optional<IpAddress>> hops;
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    const std::string_view entry = trim(value.substr(start, comma - start));
    if (!entry.empty()) hops.push_back(parse_node(entry));
    start = comma + 1;
  }
  return hops;
}

std::vector<std::optional<IpAddress>> parse_forwarded_for(std::string_view value) {
  std::vector<std::optional<IpAddress>> hops;
  std::size_t pos = 0;
  std::string name, node;
  while (true) {
    // One element: pairs separated by ';', up to ',' or the end.
    std::optional<IpAddress> hop;
    bool has_for = false, readable = true, element_empty = true;
    while (true) {
      skip_space(value, pos);
      if (pos >= value.size() || value[pos] == ',') break;
      element_empty = false;
      if (!read_value(value, pos, name) || pos >= value.size() || value[pos] != '=') {
        hops.emplace_back();  // bad syntax: nothing further left can be read
        return hops;
      }
      ++pos;
      std::string content;
      if (!read_value(value, pos, content)) {
        hops.emplace_back();
        return hops;
      }
      if (lower(name) == "for") {
        if (has_for) readable = false;  // two for= in one hop: which one?
        has_for = true;
        node = content;
        hop = parse_node(node);
      }
      skip_space(value, pos);
      if (pos < value.size() && value[pos] == ';') {
        ++pos;
        continue;
      }
      if (pos < value.size() && value[pos] != ',') {
        hops.emplace_back();
        return hops;
      }
    }
    if (!element_empty) hops.push_back(has_for && readable ? hop : std::nullopt);
    if (pos >= value.size()) break;
    ++pos;  // the ','
  }
  return hops;
}

bool TrustedProxies::trusts(const IpAddress& address) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const Cidr& range) { return range.contains(address); });
}

IpAddress TrustedProxies::client_address(const IpAddress& peer, std::optional<std::string_view> x_forwarded_for_header,
                                         std::optional<std::string_view> forwarded_header) const {
  if (!trusts(peer)) return peer;
  std::vector<std::optional<IpAddress>> hops;
  if (x_forwarded_for_header) hops = parse_x_forwarded_for(*x_forwarded_for_header);
  else if (forwarded_header) hops = parse_forwarded_for(*forwarded_header);
  IpAddress client = peer;  // the right-most trusted hop so far
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (!*hop) return client;
    client = **hop;
    if (!trusts(client)) return client;
  }
  return client;
}

}  // namespace moim::server
