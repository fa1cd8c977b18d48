// State shared by every session of one server process. Single-threaded: all of it is touched only
// from the io_context's one thread, so nothing here is locked.
#pragma once

#include "connection_registry.hpp"
#include "hub.hpp"
#include "static_files.hpp"

#include <filesystem>
#include <utility>

namespace moim::server {

struct ServerContext {
  // Reads the whole static folder into memory (StaticSite::load); its problems go to `site_warnings`.
  ServerContext(HubConfig config, Hub::TokenSource make_token, std::filesystem::path root)
      : hub(std::move(config), std::move(make_token)),
        doc_root(std::move(root)),
        site(StaticSite::load(doc_root, &site_warnings)) {}

  Hub hub;
  ConnectionRegistry connections;
  std::filesystem::path doc_root;  // static files are served from here
  std::vector<std::string> site_warnings;
  StaticSite site;                 // doc_root's files, held in memory (never changes while serving)
  ConnId next_conn_id = 1;         // never reused during the process's life
  bool keep_alive_running = false; // the keep-alive sweep (websocket_session.cpp) has been started
};

}  // namespace moim::server
