// State shared by every session of one server process. Single-threaded: all of it is touched only
// from the io_context's one thread, so nothing here is locked.
#pragma once

#include "admission.hpp"
#include "connection_registry.hpp"
#include "forwarded.hpp"
#include "hub.hpp"
#include "static_files.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <utility>

namespace boost::asio::ssl {
class context;
}

namespace moim::server {

struct ServerContext {
  // Reads the whole static folder into memory (StaticSite::load); its problems go to `site_warnings`.
  ServerContext(HubConfig config, HubServices services, std::filesystem::path root)
      : hub(std::move(config), services), site(StaticSite::load(root, &site_warnings)) {}

  Hub hub;
  ConnectionRegistry connections;
  std::vector<std::string> site_warnings;
  StaticSite site;                 // the static folder's files, held in memory (never changes while serving)
  ConnId next_conn_id = 1;         // never reused during the process's life

  // Transport (set by main before the listener starts; see tls.hpp and admission.hpp).
  std::shared_ptr<boost::asio::ssl::context> tls;  // --cert/--key; null: plain http and ws only
  ConnectionGate connection_gate;                  // every connection, at accept time (listener.cpp)
  HostPolicy hosts;                                // --server-name: the Host header of every request
  TrustedProxies proxies;                          // --trust-proxy: whose X-Forwarded-For is believed
  OriginPolicy origins;                            // --allow-origin, checked on the WebSocket upgrade
  AddressLimiter per_address;                      // --max-connections-per-address
  std::chrono::seconds http_keep_alive{15};        // --http-keep-alive: idle time between requests
};

}  // namespace moim::server
