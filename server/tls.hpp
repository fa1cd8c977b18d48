// Optional TLS (--cert/--key): the OpenSSL context and the stream type of a TLS connection.
// With TLS on, the one port speaks https and wss; a plain-http request on it is answered with a
// redirect to https (DetectSession in http_session.hpp).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace moim::server {

// A TLS connection: OpenSSL over a Beast tcp_stream (whose timer times the TLS and HTTP exchanges).
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

struct TlsContextResult {
  std::shared_ptr<boost::asio::ssl::context> context;  // null on failure
  std::string error;                                   // why, for the startup message
};

// The suites offered: TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305 only; every TLS 1.3 suite.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// A server context for TLS 1.2 and later with the PEM certificate chain `cert` and private key
// `key`. Fails (with a readable reason) when a file is missing or unreadable, is not PEM of the
// right kind, or the key does not belong to the certificate.
TlsContextResult make_tls_context(const std::filesystem::path& cert, const std::filesystem::path& key);

}  // namespace moim::server
