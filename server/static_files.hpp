// Static files for the HTTP side of the server: request target -> file under the web root, content
// negotiation (Accept-Encoding), caching headers (Cache-Control, ETag / If-None-Match).
// No Asio here, so it is unit-testable.
//
// The whole web root is read into memory once, at start-up (StaticSite::load). The site folder is
// a build output (build/wasm/site) that is not changed while the server runs: files added, removed
// or rebuilt afterwards are not seen until a restart. In exchange a request never touches the disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace moim::server {

// Decodes %XX escapes. Returns nullopt for a malformed escape or a decoded NUL byte.
std::optional<std::string> percent_decode(std::string_view text);

// The path part of a request target, query string and fragment removed, percent-decoded, checked:
// it must start with '/', contain no backslash and no ".." segment. Returns nullopt otherwise.
// "/" and paths ending in '/' get "index.html" appended. The result never starts with '/'.
std::optional<std::string> target_to_relative_path(std::string_view target);

// Content-Type for a file name, by extension (case-insensitive); application/octet-stream otherwise.
std::string_view mime_type(std::string_view path);

// ---- content codings ------------------------------------------------------------------------------

enum class ContentCoding { Identity, Gzip, Brotli };
std::string_view to_string(ContentCoding coding);  // "identity", "gzip", "br"

// An Accept-Encoding request header (RFC 9110, 12.5.3): a list of codings with optional q-values.
// "x-gzip" counts as gzip, "*" stands for every coding not listed, q=0 refuses a coding. Without the
// header only identity is used (what servers do in practice); identity is acceptable unless refused
// with "identity;q=0" or "*;q=0".
class AcceptEncoding {
 public:
  // `header`: the field value (several Accept-Encoding fields joined with ","); nullopt when the
  // request has none. Malformed entries are skipped.
  explicit AcceptEncoding(std::optional<std::string_view> header);

  // The client's weight for `coding`, in thousandths (q=0.5 -> 500); 0 means refused.
  int quality(ContentCoding coding) const;

  // The coding to answer with, among identity and the ones available: the highest weight wins, ties
  // go to br, then gzip, then identity (identity also loses to any coding the client accepts when it
  // is not listed itself). Identity when nothing acceptable is available.
  ContentCoding choose(bool brotli_available, bool gzip_available) const;

 private:
  struct Entry {
    std::string coding;  // lower case
    int quality = 1000;
  };
  const Entry* find(std::string_view coding) const;
  std::vector<Entry> entries_;
  bool present_ = false;
};

// ---- caching --------------------------------------------------------------------------------------

// True when the file name (last path segment) holds a content hash: ".<8 lower-case hex digits>.",
// as the build names moim.<hash>.js, moim.<hash>.wasm and moim-glue.<hash>.js.
bool is_content_hashed(std::string_view path);

// Cache-Control for a file: hashed names are immutable for a year, index.html is revalidated on
// every use ("no-cache"), anything else (fonts, CSS) may be reused for an hour.
std::string_view cache_control_for(std::string_view path);

// Whether an If-None-Match header (a list of entity tags, or "*") matches `etag` (weak comparison:
// a W/ prefix is ignored). A malformed list matches nothing from the point where it breaks.
bool if_none_match_matches(std::string_view header, std::string_view etag);

// A strong entity tag for `content`: a quoted 64-bit FNV-1a hash, plus `suffix` ("-br", "-gz")
// so that each encoding of a file has its own tag.
std::string make_etag(std::string_view content, std::string_view suffix = {});

// ---- the site ---------------------------------------------------------------------------------------

// One file of the site, with its precompressed siblings when the build made them.
struct StaticAsset {
  struct Encoded {
    std::string body;
    std::string etag;
  };
  std::string content_type;   // of the file itself, whatever the coding
  std::string cache_control;
  Encoded identity;
  std::optional<Encoded> brotli;  // from <file>.br
  std::optional<Encoded> gzip;    // from <file>.gz

  const Encoded& encoded(ContentCoding coding) const;
  bool has_encodings() const { return brotli.has_value() || gzip.has_value(); }
};

class StaticSite {
 public:
  // Limits that keep a mistaken --root (a home folder...) from filling memory: larger files, and
  // files past the total, are left out with a warning.
  static constexpr std::uintmax_t kMaxFileBytes = 64ull * 1024 * 1024;
  static constexpr std::uintmax_t kMaxTotalBytes = 512ull * 1024 * 1024;

  StaticSite() = default;

  // Reads every regular file under `root`, except: names starting with '.' (dotfiles, and everything
  // under a dot-folder such as .git), and symbolic links that lead out of `root` (or are broken;
  // a link to a file inside `root` is served). Symbolic links to folders are not followed. A file "x.br" or "x.gz" next to a file "x" is x's precompressed form: it is used
  // only when it is at least as new as x (a stale one is ignored with a warning), and is never served
  // under its own name (a request for /x.br gets 404). A ".br"/".gz" file without such an "x" is an
  // ordinary file. Problems are appended to `warnings`. Never throws for I/O problems.
  static StaticSite load(const std::filesystem::path& root, std::vector<std::string>* warnings = nullptr);

  struct Lookup {
    enum class Status { Found, BadRequest, NotFound };
    Status status = Status::NotFound;
    const StaticAsset* asset = nullptr;  // set when Found; lives as long as the StaticSite
    std::string path;                    // the relative path found, e.g. "fonts/hangul.ttf"
  };

  // Maps a request target to a file. A directory target without a trailing slash is served its
  // index.html, as with one.
  Lookup find(std::string_view target) const;

  std::size_t file_count() const { return assets_.size(); }
  std::uintmax_t total_bytes() const { return total_bytes_; }  // everything held, siblings included

 private:
  std::unordered_map<std::string, StaticAsset> assets_;  // by relative path, '/'-separated
  std::unordered_set<std::string> directories_;
  std::uintmax_t total_bytes_ = 0;
};

}  // namespace moim::server
