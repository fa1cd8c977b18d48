#include "static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <tuple>
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

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && is_ows(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ows(text.back())) text.remove_suffix(1);
  return text;
}

// RFC 9110 token characters.
bool is_tchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), is_tchar); }

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; nullopt if malformed.
std::optional<int> parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int value = (text[0] - '0') * 1000;
  if (text.size() == 1) return value;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int scale = 100;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    value += (c - '0') * scale;
    scale /= 10;
  }
  if (value > 1000) return std::nullopt;  // "1.5"
  return value;
}

std::string_view file_name(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

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


// ---- content codings ------------------------------------------------------------------------------

std::string_view to_string(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::Identity: return "identity";
    case ContentCoding::Gzip: return "gzip";
    case ContentCoding::Brotli: return "br";
  }
  return "identity";
}

AcceptEncoding::AcceptEncoding(std::optional<std::string_view> header) : present_(header.has_value()) {
  if (!header) return;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);

    // coding *( OWS ";" OWS name "=" value ); only the q parameter means anything here.
    const std::size_t semicolon = item.find(';');
    const std::string_view coding = trim_ows(item.substr(0, semicolon));
    if (coding.empty() && trim_ows(item).empty()) continue;  // empty list element: allowed, ignored
    if (!is_token(coding)) continue;
    Entry entry{to_lower_ascii(coding), 1000};
    bool valid = true;
    std::string_view params = semicolon == std::string_view::npos ? std::string_view() : item.substr(semicolon + 1);
    while (valid && !params.empty()) {
      const std::size_t next = params.find(';');
      const std::string_view param = trim_ows(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      const std::size_t equals = param.find('=');
      if (equals == std::string_view::npos) {
        valid = false;
        break;
      }
      if (to_lower_ascii(trim_ows(param.substr(0, equals))) == "q") {
        const std::optional<int> q = parse_qvalue(trim_ows(param.substr(equals + 1)));
        if (!q) valid = false;
        else entry.quality = *q;
      }
    }
    if (valid) entries_.push_back(std::move(entry));
  }
}

const AcceptEncoding::Entry* AcceptEncoding::find(std::string_view coding) const {
  for (const Entry& entry : entries_) {
    if (entry.coding == coding) return &entry;
  }
  return nullptr;
}

int AcceptEncoding::quality(ContentCoding coding) const {
  if (!present_) return coding == ContentCoding::Identity ? 1000 : 0;
  const Entry* entry = nullptr;
  switch (coding) {
    case ContentCoding::Identity: entry = find("identity"); break;
    case ContentCoding::Gzip:
      entry = find("gzip");
      if (!entry) entry = find("x-gzip");
      break;
    case ContentCoding::Brotli: entry = find("br"); break;
  }
  if (!entry) entry = find("*");
  if (entry) return entry->quality;
  // Not mentioned: identity stays acceptable, with the lowest weight; other codings are not.
  return coding == ContentCoding::Identity ? 1 : 0;
}

ContentCoding AcceptEncoding::choose(bool brotli_available, bool gzip_available) const {
  ContentCoding best = ContentCoding::Identity;
  int best_quality = quality(ContentCoding::Identity);
  // Ties go to the smaller encoding: later candidates win at equal weight.
  for (const auto& [coding, available] :
       {std::pair{ContentCoding::Gzip, gzip_available}, std::pair{ContentCoding::Brotli, brotli_available}}) {
    const int q = quality(coding);
    if (available && q > 0 && q >= best_quality) {
      best = coding;
      best_quality = q;
    }
  }
  return best;
}

// ---- caching --------------------------------------------------------------------------------------

bool is_content_hashed(std::string_view path) {
  const std::string_view name = file_name(path);
  for (std::size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.', dot + 1)) {
    if (dot + 9 < name.size() && name[dot + 9] == '.' &&
        std::all_of(name.begin() + dot + 1, name.begin() + dot + 9, is_lower_hex)) {
      return true;
    }
  }
  return false;
}

std::string_view cache_control_for(std::string_view path) {
  if (file_name(path) == "index.html") return "no-cache";
  if (is_content_hashed(path)) return "public, max-age=31536000, immutable";
  return "public, max-age=3600";
}

bool if_none_match_matches(std::string_view header, std::string_view etag) {
  header = trim_ows(header);
  if (header == "*") return true;
  std::size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (is_ows(header[pos]) || header[pos] == ',')) ++pos;
    if (pos >= header.size()) break;
    if (header.substr(pos, 2) == "W/") pos += 2;
    if (pos >= header.size() || header[pos] != '"') return false;
    const std::size_t close = header.find('"', pos + 1);
    if (close == std::string_view::npos) return false;
    if (header.substr(pos, close - pos + 1) == etag) return true;
    pos = close + 1;
  }
  return false;
}

std::string make_etag(std::string_view content, std::string_view suffix) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (const char c : content) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag += kHex[(hash >> shift) & 0xF];
  tag += suffix;
  tag += '"';
  return tag;
}

// ---- the site ---------------------------------------------------------------------------------------

const StaticAsset::Encoded& StaticAsset::encoded(ContentCoding coding) const {
  if (coding == ContentCoding::Brotli && brotli) return *brotli;
  if (coding == ContentCoding::Gzip && gzip) return *gzip;
  return identity;
}

namespace {
// True when `path` is `folder` or under it (both canonical).
bool is_inside(const std::filesystem::path& path, const std::filesystem::path& folder) {
  auto p = path.begin();
  for (auto f = folder.begin(); f != folder.end(); ++f, ++p) {
    if (f->empty()) continue;
    if (p == path.end() || *p != *f) return false;
  }
  return true;
}
}  // namespace

StaticSite StaticSite::load(const std::filesystem::path& root, std::vector<std::string>* warnings) {
  namespace fs = std::filesystem;
  const auto warn = [&](std::string text) {
    if (warnings) warnings->push_back(std::move(text));
  };
  StaticSite site;
  struct File {
    std::string content;
    fs::file_time_type modified;
  };
  std::map<std::string, File> files;  // by relative path
  try {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return site;
    const fs::path real_root = fs::canonical(root, ec);
    if (ec) {
      warn("reading " + root.string() + ": " + ec.message());
      return site;
    }
    // Directory symlinks are not descended into (the iterator's default); file symlinks are followed.
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::directory_entry& entry = *it;
      const std::string relative = entry.path().lexically_relative(root).generic_string();
      std::error_code entry_ec;
      // Dotfiles and dot-folders (.git, .env, .htpasswd, ...) are never published.
      if (entry.path().filename().string().starts_with('.')) {
        if (entry.is_directory(entry_ec)) it.disable_recursion_pending();
        continue;
      }
      if (entry.is_symlink(entry_ec)) {
        // A link may point at a file of the site, not out of it (a link to the data folder's key...).
        const fs::path target = fs::canonical(entry.path(), entry_ec);
        if (entry_ec || !is_inside(target, real_root)) {
          warn(relative + ": not served (a symbolic link leading out of the folder, or broken)");
          continue;
        }
        if (target.lexically_relative(real_root).generic_string().find("/.") != std::string::npos ||
            target.lexically_relative(real_root).generic_string().starts_with('.')) {
          continue;  // a link to a dotfile is a dotfile
        }
      }
      if (entry.is_directory(entry_ec)) {
        site.directories_.insert(relative);
        continue;
      }
      if (!entry.is_regular_file(entry_ec)) continue;
      const std::uintmax_t size = entry.file_size(entry_ec);
      if (entry_ec) {
        warn(relative + ": " + entry_ec.message());
        continue;
      }
      if (size > kMaxFileBytes || site.total_bytes_ + size > kMaxTotalBytes) {
        warn(relative + ": not served (over the in-memory limits of the static file cache)");
        continue;
      }
      File file;
      file.modified = entry.last_write_time(entry_ec);
      std::ifstream in(entry.path(), std::ios::binary);
      file.content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        warn(relative + ": cannot be read");
        continue;
      }
      site.total_bytes_ += file.content.size();
      files.emplace(relative, std::move(file));
    }
    if (ec) warn("reading " + root.string() + " stopped early: " + ec.message());
  } catch (const std::exception& e) {  // allocation failure, odd paths
    warn(std::string("reading the static folder failed: ") + e.what());
  }

  const auto sibling_of = [&](const std::string& path) -> const File* {
    for (std::string_view suffix : {".br", ".gz"}) {
      if (path.size() > suffix.size() && path.ends_with(suffix)) {
        auto base = files.find(path.substr(0, path.size() - suffix.size()));
        if (base != files.end()) return &base->second;
      }
    }
    return nullptr;
  };
  for (auto& [path, file] : files) {
    if (sibling_of(path)) continue;  // served only as an encoding of its file
    StaticAsset asset;
    asset.content_type = std::string(mime_type(path));
    asset.cache_control = std::string(cache_control_for(path));
    asset.identity.etag = make_etag(file.content);
    asset.identity.body = std::move(file.content);
    for (auto [suffix, slot, tag] : {std::tuple{".br", &asset.brotli, "-br"}, std::tuple{".gz", &asset.gzip, "-gz"}}) {
      auto sibling = files.find(path + suffix);
      if (sibling == files.end()) continue;
      if (sibling->second.modified < file.modified) {
        warn(path + suffix + ": older than " + path + ", ignored (rebuild the site)");
        continue;
      }
      *slot = StaticAsset::Encoded{std::move(sibling->second.content), {}};
      (*slot)->etag = make_etag((*slot)->body, tag);
    }
    site.assets_.emplace(path, std::move(asset));
  }
  return site;
}

StaticSite::Lookup StaticSite::find(std::string_view target) const {
  Lookup result;
  std::optional<std::string> relative = target_to_relative_path(target);
  if (!relative) {
    result.status = Lookup::Status::BadRequest;
    return result;
  }
  auto it = assets_.find(*relative);
  if (it == assets_.end() && directories_.contains(*relative)) it = assets_.find(*relative + "/index.html");
  if (it == assets_.end()) return result;
  result.status = Lookup::Status::Found;
  result.asset = &it->second;
  result.path = it->first;
  return result;
}

}  // namespace moim::server
