#include "static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <system_error>
#include <utility>

namespace moim::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_existing_regular_file(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

bool is_existing_directory(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;  // needs two hex digits after '%'
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::optional<std::string> target_to_relative_path(std::string_view target) {
  const std::size_t end = target.find_first_of("?#");
  if (end != std::string_view::npos) target = target.substr(0, end);
  if (target.empty() || target.front() != '/') return std::nullopt;

  std::optional<std::string> decoded = percent_decode(target);
  if (!decoded) return std::nullopt;
  std::string_view path = *decoded;
  if (path.find('\\') != std::string_view::npos) return std::nullopt;

  // Rebuild the path segment by segment: drops empty and "." segments, refuses "..".
  std::string relative;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view segment = path.substr(pos, slash - pos);
    if (segment == "..") return std::nullopt;
    if (!segment.empty() && segment != ".") {
      if (!relative.empty()) relative.push_back('/');
      relative.append(segment);
    }
    pos = slash + 1;
  }
  if (relative.empty() || path.back() == '/') {
    if (!relative.empty()) relative.push_back('/');
    relative.append("index.html");
  }
  return relative;
}

StaticLookup lookup_static_file(const std::filesystem::path& root, std::string_view target) {
  StaticLookup result;
  try {
    std::optional<std::string> relative = target_to_relative_path(target);
    if (!relative) {
      result.status = StaticLookup::Status::BadRequest;
      return result;
    }
    std::filesystem::path file = root / std::filesystem::path(*relative);
    if (is_existing_directory(file)) file /= "index.html";
    if (is_existing_regular_file(file)) {
      result.status = StaticLookup::Status::Found;
      result.file = std::move(file);
    }
  } catch (const std::exception&) {
    result.status = StaticLookup::Status::NotFound;  // allocation failure or an odd path: treat as absent
  }
  return result;
}

std::string_view mime_type(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript"},
      {".mjs", "text/javascript"},
      {".wasm", "application/wasm"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".ttf", "font/ttf"},
      {".otf", "font/otf"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
  }};
  const std::size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string ext = to_lower_ascii(name.substr(dot));
  for (const auto& [known, type] : kTypes) {
    if (ext == known) return type;
  }
  return "application/octet-stream";
}

}  // namespace moim::server
