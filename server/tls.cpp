#include "tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fstream>
#include <system_error>

namespace moim::server {

namespace ssl = boost::asio::ssl;

namespace {

// The most recent OpenSSL error of this thread as text ("" when there is none); clears the queue.
std::string openssl_error() {
  unsigned long code = 0, last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return "";
  char text[256];
  ERR_error_string_n(last, text, sizeof text);
  return text;
}

// "" when the file can be opened for reading, else why not.
std::string unreadable(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "no such file";
  if (std::filesystem::is_directory(path, ec)) return "is a folder";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot be read (permissions?)";
  return "";
}

}  // namespace

TlsContextResult make_tls_context(const std::filesystem::path& cert, const std::filesystem::path& key) {
  TlsContextResult result;
  if (std::string why = unreadable(cert); !why.empty()) {
    result.error = "--cert '" + cert.string() + "': " + why;
    return result;
  }
  if (std::string why = unreadable(key); !why.empty()) {
    result.error = "--key '" + key.string() + "': " + why;
    return result;
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  ERR_clear_error();
  // TLS 1.2 is the oldest version browsers still speak; older ones are refused at the handshake.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  // No session resumption state kept per client beyond OpenSSL's default cache; no renegotiation.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  // TLS 1.2: only forward-secret AEAD suites (Mozilla's "intermediate" list without DHE): no CBC,
  // no RSA key exchange, no SHA-1 MACs. TLS 1.3 suites are all AEAD; set explicitly all the same.
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 || SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1) {
    result.error = "the TLS cipher list was refused by OpenSSL: " + openssl_error();
    return result;
  }

  boost::system::error_code ec;
  context->use_certificate_chain_file(cert.string(), ec);
  if (ec) {
    const std::string detail = openssl_error();
    result.error = "--cert '" + cert.string() + "' is not a PEM certificate (chain): " +
                   (detail.empty() ? ec.message() : detail);
    return result;
  }
  context->use_private_key_file(key.string(), ssl::context::pem, ec);
  if (ec) {
    // Asio turns OpenSSL's error into `ec` (the queue may be empty by now).
    const std::string detail = openssl_error();
    const std::string reason = detail.empty() ? ec.message() : detail;
    const bool mismatch = reason.find("key values mismatch") != std::string::npos;
    result.error = mismatch ? "--key '" + key.string() + "' does not belong to the certificate in --cert '" +
                                  cert.string() + "'"
                            : "--key '" + key.string() + "' is not a PEM private key: " + reason;
    return result;
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    openssl_error();
    result.error = "--key '" + key.string() + "' does not belong to the certificate in --cert '" + cert.string() + "'";
    return result;
  }
  result.context = std::move(context);
  return result;
}

}  // namespace moim::server
