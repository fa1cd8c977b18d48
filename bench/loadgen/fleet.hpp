// A set of generator clients that connect (with bounded parallelism), say hello and wait for welcome.
#pragma once

#include "protocol.hpp"
#include "util.hpp"
#include "ws_client.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace moim::loadgen {

// Runs `ioc` until `done()` is true or `timeout_s` passed; returns done().
inline bool run_until(asio::io_context& ioc, const std::function<bool()>& done, double timeout_s) {
  const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(timeout_s * 1e9);
  while (!done()) {
    if (now_ns() > deadline) return false;
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Runs `ioc` for `seconds` (handlers only; no polling loop of our own).
inline void run_for(asio::io_context& ioc, double seconds) {
  if (ioc.stopped()) ioc.restart();
  ioc.run_for(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
}

class Fleet : public Handler {
 public:
  Fleet(asio::io_context& ioc, tcp::endpoint server, std::size_t sources)
      : ioc_(ioc), server_(std::move(server)), sources_(sources ? sources : 1) {}

  // Connects `count` more clients; each one that got its welcome is handed to `then` (whose handler
  // receives everything after the welcome). Returns false (and prints why) on failure or timeout.
  bool add(std::size_t count, Handler* then, const std::function<void(Client&, std::string_view)>& on_welcome = {},
           double timeout_s = 60) {
    then_ = then;
    on_welcome_ = on_welcome;
    const std::size_t first = clients_.size();
    target_ = first + count;
    for (std::size_t i = first; i < target_; ++i) clients_.push_back(std::make_unique<Client>(ioc_, i));
    next_ = first;
    pump();
    const bool ok = run_until(ioc_, [&] { return welcomed_ + failed_ >= target_; }, timeout_s);
    if (!ok || failed_ > 0) {
      std::cerr << "moim-loadgen: " << failed_ << " connections failed, " << (target_ - welcomed_ - failed_)
                << " timed out (first error: " << first_error_ << ")\n";
      return false;
    }
    return true;
  }

  Client& operator[](std::size_t i) { return *clients_[i]; }
  std::size_t size() const { return clients_.size(); }
  std::vector<std::unique_ptr<Client>>& clients() { return clients_; }

  void close_all() {
    for (auto& c : clients_) c->close();
  }

  std::size_t max_parallel = 256;

  void on_message(Client& client, std::string_view text) override {
    if (!starts_with(text, R"({"type":"welcome")")) return;  // nothing else comes before it
    ++welcomed_;
    --in_progress_;
    client.set_handler(then_);
    if (on_welcome_) on_welcome_(client, text);
    pump();
  }
  void on_closed(Client&, error_code ec) override {
    note_failure(ec);
    pump();
  }

 private:
  void note_failure(error_code ec) {
    if (failed_++ == 0) first_error_ = ec.message();
    --in_progress_;
  }

  void pump() {
    while (in_progress_ < max_parallel && next_ < target_) {
      Client& client = *clients_[next_];
      const auto source = asio::ip::address_v4(0x7f000001u + static_cast<unsigned>(next_ % sources_));
      ++next_;
      ++in_progress_;
      client.connect(server_, source, [this, &client](error_code ec) {
        if (ec) {
          note_failure(ec);
          return pump();
        }
        client.start(this);
        client.send(moim::proto::encode(moim::proto::ClientMessage{moim::proto::Hello{}}));
      });
    }
  }

  asio::io_context& ioc_;
  tcp::endpoint server_;
  std::size_t sources_;
  std::vector<std::unique_ptr<Client>> clients_;
  Handler* then_ = nullptr;
  std::function<void(Client&, std::string_view)> on_welcome_;
  std::size_t target_ = 0, next_ = 0, in_progress_ = 0, welcomed_ = 0, failed_ = 0;
  std::string first_error_;
};

}  // namespace moim::loadgen
