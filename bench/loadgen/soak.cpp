// soak: --clients N simulated people (default 1,000) churn for --minutes (default 10) against one
// server, and the server must give back what they took and lose no relayed message.
//
// Each person has a fixed room (N/4 rooms, capacity 8, created first) and loops, with a random
// pause of up to --think-ms (default 400) between steps: connect + hello, join, then in the room
// either send 1-3 signals to random peers of the room (60%), leave and join again later (25%), say
// goodbye (leave, then a close frame 1000, then a new connection: 5%), drop the connection without a
// close frame and come back with `resume` on a new one 0.3 s later (5%), or wait (5%). Every person
// keeps the room's member list from joined / resumed / peer-joined / peer-left, as a client does.
//
// Every signal carries a serial number. The receiver checks it is the addressee (its current peer id)
// and that `from` is the sender's peer id at the time of sending; each serial must arrive at most once.
// A signal may be refused with `peer-not-found` (the addressee left while it was on the way). After
// the churn stops and the traffic drains: unexplained = undelivered - refused - lost-with-a-drop must be
// 0, where lost-with-a-drop counts undelivered signals whose addressee dropped its connection within
// 1 s of their sending, before or after (the server wrote them into a socket that was being thrown
// away, before it noticed the loss: Moim's protocol has no acknowledgements to replay those). Misrouted, duplicated or unexpected errors fail
// the run too.
//
// Resources: the server's open descriptors (/proc/<pid>/fd) and VmRSS are read before any client
// connects (cold), and after each of two rounds, once every person has said goodbye and the resume
// grace window (--grace-s, default 22) has passed: round 1 lasts --warm-minutes (default 1), round 2
// the rest. Descriptors must be back to the cold count after both rounds. The server hands free heap
// memory back to the system when its last connection closes, so RSS after a round is what it still
// holds: after round 2 it may exceed RSS after round 1 (the warm baseline: SQLite's cache and the
// allocator's own structures are sized by then) by at most 1 MiB. Samples every --sample-s (default
// 30) seconds are printed on stderr.
#include "fleet.hpp"
#include "protocol.hpp"
#include "scenarios.hpp"
#include "util.hpp"
#include "ws_client.hpp"

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <dirent.h>

#include <deque>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <unordered_map>

namespace moim::loadgen {

namespace {

using json = nlohmann::json;

std::int64_t open_descriptors(const std::string& pid) {
  DIR* dir = ::opendir(("/proc/" + pid + "/fd").c_str());
  if (!dir) return -1;
  std::int64_t count = 0;
  while (const dirent* entry = ::readdir(dir)) count += entry->d_name[0] != '.';
  ::closedir(dir);
  return count;
}

struct Signal {
  std::uint32_t from_peer = 0, to_peer = 0;
  std::int64_t sent_ns = 0;
  std::uint32_t delivered = 0;
};

struct Person {
  enum class Step { Off, Connecting, Lobby, Joining, InRoom, Leaving, Goodbye, Resuming };
  std::unique_ptr<Client> conn;
  std::unique_ptr<asio::steady_timer> timer;
  Step step = Step::Off;
  std::uint32_t room = 0, peer = 0;
  std::string token;
  std::set<std::uint32_t> peers;
  bool resume_next = false;  // the next connection resumes instead of joining afresh
  std::int64_t last_drop_ns = -1;
  std::vector<std::int64_t> drops;
};

class Soak : public Handler {
 public:
  Soak(asio::io_context& ioc, tcp::endpoint server, std::size_t people, double think_ms, std::size_t sources)
      : ioc_(ioc), server_(std::move(server)), think_ms_(think_ms), sources_(sources), people_(people) {
    for (auto& p : people_) p.timer = std::make_unique<asio::steady_timer>(ioc_);
  }

  bool running = false;
  std::vector<std::uint32_t> rooms;
  std::uint64_t joins = 0, leaves = 0, goodbyes = 0, drops = 0, resumes = 0, connects = 0;
  std::uint64_t refused = 0, misrouted = 0, duplicates = 0, unexpected_errors = 0, unexpected_closes = 0,
                resume_mismatch = 0, connect_failures = 0, unparsed = 0;
  std::vector<Signal> signals;

  void start_all() {
    running = true;
    for (std::size_t i = 0; i < people_.size(); ++i) {
      people_[i].room = rooms[i % rooms.size()];
      people_[i].resume_next = false;  // a session dropped before the last stop has expired since
      later(i, think_ms_, [this, i] { connect(i); });
    }
  }

  // Stops new steps; whoever is in a room leaves; everyone then closes with a goodbye frame.
  void stop_all() {
    running = false;
    for (std::size_t i = 0; i < people_.size(); ++i) {
      Person& p = people_[i];
      p.timer->cancel();
      if (p.conn && p.conn->is_open()) {
        if (p.step == Person::Step::InRoom) {
          p.step = Person::Step::Goodbye;
          send(i, json{{"type", "leave"}});
        } else if (p.step == Person::Step::Lobby) {
          p.conn->goodbye();
          p.step = Person::Step::Off;
        }
      }
    }
  }
  std::size_t still_connected() const {
    std::size_t n = 0;
    for (const auto& p : people_) n += p.conn && p.conn->is_open();
    return n;
  }
  std::size_t busy() const {  // people with a request outstanding
    std::size_t n = 0;
    for (const auto& p : people_)
      n += p.step == Person::Step::Connecting || p.step == Person::Step::Joining ||
           p.step == Person::Step::Leaving || p.step == Person::Step::Resuming || p.step == Person::Step::Goodbye;
    return n;
  }
  // Closes whatever is left (people whose goodbye got no answer) and frees retired connections.
  void close_all() {
    for (auto& p : people_) {
      if (p.conn) p.conn->close();
      p.step = Person::Step::Off;
    }
  }
  // Frees old connections in two steps: a connection retired over 5 s ago is closed (if the server
  // has not closed it yet) and doomed; it is freed at the next sweep, once the io_context has run the
  // handlers its close cancelled.
  void sweep_retired() {
    doomed_.clear();
    const std::int64_t before = now_ns() - 5'000'000'000;
    while (!retired_.empty() && retired_.front().second < before) {
      if (retired_.front().first->is_open()) retired_.front().first->close();
      doomed_.push_back(std::move(retired_.front().first));
      retired_.pop_front();
    }
  }
  const std::vector<Person>& people() const { return people_; }
  // The person who held a peer id (a joiner's id can reach the others before its own `joined` is
  // read here, so addressees are looked up only at the end).
  const Person* person_with(std::uint32_t peer) const {
    const auto it = person_of_.find(peer);
    return it == person_of_.end() ? nullptr : &people_[it->second];
  }

  void on_message(Client& client, std::string_view text) override {
    const std::size_t i = static_cast<std::size_t>(client.tag);
    Person& p = people_[i];
    if (p.conn.get() != &client) return;  // a retired connection
    if (starts_with(text, R"({"type":"room-updated")") || starts_with(text, R"({"type":"pong")")) return;
    const json msg = json::parse(text, nullptr, false);
    if (!msg.is_object()) {
      ++unparsed;
      return;
    }
    const std::string type = msg.value("type", "");
    if (type == "welcome") {
      // Since the lobby batches (issue 10 item 5) the server also sends a fresh welcome to a
      // connection that leaves a call, just before `left`: that one is a room list only, and the
      // `left` that follows decides what the person does next.
      if (p.step != Person::Step::Connecting) return;
      if (!running) {
        p.conn->goodbye();
        p.step = Person::Step::Off;
      } else if (p.resume_next) {
        p.step = Person::Step::Resuming;
        send(i, json{{"type", "resume"}, {"token", p.token}, {"name", "soak " + std::to_string(i)}});
      } else {
        p.step = Person::Step::Lobby;
        if (running) later(i, think_ms_, [this, i] { join(i); });
      }
    } else if (type == "joined" || type == "resumed") {
      const std::uint32_t self = msg["self"].value("id", 0u);
      if (type == "resumed") {
        ++resumes;
        if (self != p.peer) ++resume_mismatch;
      } else {
        ++joins;
      }
      p.peer = self;
      p.token = msg.value("token", "");
      p.resume_next = false;
      p.peers.clear();
      for (const auto& q : msg["peers"]) p.peers.insert(q.value("id", 0u));
      person_of_[self] = i;
      p.step = Person::Step::InRoom;
      if (running) {
        later(i, think_ms_, [this, i] { act(i); });
      } else {
        p.step = Person::Step::Goodbye;
        send(i, json{{"type", "leave"}});
      }
    } else if (type == "left") {
      ++leaves;
      p.peers.clear();
      if (p.step == Person::Step::Goodbye || !running) {
        ++goodbyes;
        p.conn->goodbye();
        p.step = Person::Step::Off;
        if (running) later(i, think_ms_, [this, i] { connect(i); });
      } else {
        p.step = Person::Step::Lobby;
        if (running) later(i, think_ms_, [this, i] { join(i); });
      }
    } else if (type == "peer-joined") {
      p.peers.insert(msg["peer"].value("id", 0u));
    } else if (type == "peer-left") {
      p.peers.erase(msg.value("peer", 0u));
    } else if (type == "signal") {
      const std::string line = msg["candidate"].value("candidate", "");
      const std::size_t at = line.rfind("~SK");
      if (at == std::string::npos) {
        ++unparsed;
        return;
      }
      const std::size_t serial = std::strtoull(line.c_str() + at + 3, nullptr, 10);
      if (serial >= signals.size()) {
        ++misrouted;
        return;
      }
      Signal& s = signals[serial];
      if (s.to_peer != p.peer || msg.value("from", 0u) != s.from_peer) ++misrouted;
      if (s.delivered++ > 0) ++duplicates;
    } else if (type == "error") {
      const std::string code = msg.value("code", "");
      if (code == "peer-not-found") {
        ++refused;
      } else {
        if (unexpected_errors++ < 5) std::cerr << "soak: person " << i << " got " << text << "\n";
        // Recover like a client would: from the lobby.
        if (p.step == Person::Step::Joining || p.step == Person::Step::Resuming) {
          p.resume_next = false;
          p.step = Person::Step::Lobby;
          if (running) later(i, think_ms_, [this, i] { join(i); });
        }
      }
    }
  }

  void on_closed(Client& client, error_code ec) override {
    const std::size_t i = static_cast<std::size_t>(client.tag);
    Person& p = people_[i];
    if (p.conn.get() != &client) return;
    if (p.step == Person::Step::Off) return;  // our goodbye, answered
    if (unexpected_closes++ < 5) std::cerr << "soak: person " << i << " lost its connection: " << ec.message() << "\n";
    p.resume_next = p.step == Person::Step::InRoom && !p.token.empty();
    p.step = Person::Step::Off;
    if (running) later(i, 300, [this, i] { connect(i); });
  }

 private:
  void later(std::size_t i, double max_ms, std::function<void()> what) {
    Person& p = people_[i];
    std::uniform_real_distribution<double> pause(0.2 * max_ms, max_ms);
    p.timer->expires_after(std::chrono::microseconds(static_cast<std::int64_t>(pause(rng_) * 1000)));
    p.timer->async_wait([what = std::move(what)](error_code ec) {
      if (!ec) what();
    });
  }

  void send(std::size_t i, const json& message) {
    if (people_[i].conn) people_[i].conn->send(message.dump());
  }

  void connect(std::size_t i) {
    if (!running) return;
    Person& p = people_[i];
    if (p.conn) retired_.emplace_back(std::move(p.conn), now_ns());
    p.conn = std::make_unique<Client>(ioc_, i);
    p.conn->tag = static_cast<std::int64_t>(i);
    p.step = Person::Step::Connecting;
    ++connects;
    Client* client = p.conn.get();
    const auto source = asio::ip::address_v4(0x7f000001u + static_cast<unsigned>(i % sources_));
    client->connect(server_, source, [this, i, client](error_code ec) {
      if (people_[i].conn.get() != client) return;
      if (ec) {
        if (connect_failures++ < 5) std::cerr << "soak: person " << i << " cannot connect: " << ec.message() << "\n";
        people_[i].step = Person::Step::Off;
        if (running) later(i, 1000, [this, i] { connect(i); });
        return;
      }
      client->start(this);
      client->send(moim::proto::encode(moim::proto::ClientMessage{moim::proto::Hello{}}));
    });
  }

  void join(std::size_t i) {
    Person& p = people_[i];
    if (!running || p.step != Person::Step::Lobby) return;
    p.step = Person::Step::Joining;
    send(i, json{{"type", "join"}, {"room", p.room}, {"name", "soak " + std::to_string(i)}});
  }

  void act(std::size_t i) {
    Person& p = people_[i];
    if (!running || p.step != Person::Step::InRoom) return;
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng_);
    if (roll < 60) {
      const int count = std::uniform_int_distribution<int>(1, 3)(rng_);
      for (int k = 0; k < count && !p.peers.empty(); ++k) {
        auto it = p.peers.begin();
        std::advance(it, std::uniform_int_distribution<std::size_t>(0, p.peers.size() - 1)(rng_));
        const std::size_t serial = signals.size();
        signals.push_back(Signal{.from_peer = p.peer, .to_peer = *it, .sent_ns = now_ns()});
        send(i, json{{"type", "signal"},
                     {"to", *it},
                     {"kind", "candidate"},
                     {"candidate",
                      {{"candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host ~SK" + std::to_string(serial)},
                       {"sdpMid", "0"},
                       {"sdpMLineIndex", 0}}}});
      }
      later(i, think_ms_, [this, i] { act(i); });
    } else if (roll < 85) {
      p.step = Person::Step::Leaving;
      send(i, json{{"type", "leave"}});
    } else if (roll < 90) {
      p.step = Person::Step::Goodbye;
      send(i, json{{"type", "leave"}});
    } else if (roll < 95) {
      ++drops;
      p.last_drop_ns = now_ns();
      p.drops.push_back(p.last_drop_ns);
      p.conn->close();  // no close frame: the server holds the session for a resume
      p.resume_next = true;
      p.step = Person::Step::Off;
      later(i, 300, [this, i] { connect(i); });
    } else {
      later(i, think_ms_, [this, i] { act(i); });
    }
  }

  asio::io_context& ioc_;
  tcp::endpoint server_;
  double think_ms_;
  std::size_t sources_;
  std::vector<Person> people_;
  std::deque<std::pair<std::unique_ptr<Client>, std::int64_t>> retired_;  // with the time retired
  std::vector<std::unique_ptr<Client>> doomed_;
  std::unordered_map<std::uint32_t, std::size_t> person_of_;  // peer id -> person (peer ids never repeat)
  std::mt19937_64 rng_{20261121};
};

class RoomMaker : public Handler {
 public:
  std::vector<std::uint32_t> created;
  bool welcomed = false;
  void on_message(Client&, std::string_view text) override {
    if (starts_with(text, R"({"type":"welcome")")) welcomed = true;
    if (!starts_with(text, R"({"type":"room-created")")) return;
    const json msg = json::parse(text, nullptr, false);
    if (msg.is_object()) created.push_back(msg["room"].value("id", 0u));
  }
};

struct Reading {
  std::int64_t rss = 0, fds = 0;
};

Reading read_server(const std::string& pid) { return {rss_bytes(pid).value_or(-1), open_descriptors(pid)}; }

}  // namespace

int run_soak(const Options& options) {
  const std::string pid = options.get("server-pid", "");
  if (pid.empty()) {
    std::cerr << "moim-loadgen soak: --server-pid is required\n";
    return 2;
  }
  const auto clients = static_cast<std::size_t>(options.num("clients", 1000));
  const double minutes = options.num("minutes", 10), warm_minutes = options.num("warm-minutes", 1);
  const double think_ms = options.num("think-ms", 400), grace_s = options.num("grace-s", 22);
  const double sample_s = options.num("sample-s", 30);
  const std::size_t sources = static_cast<std::size_t>(options.num("sources", 16));
  const tcp::endpoint server(asio::ip::make_address(options.get("host", "127.0.0.1")),
                             static_cast<unsigned short>(options.num("port", 0)));
  asio::io_context ioc{1};

  const Reading cold = read_server(pid);
  std::cerr << "soak: cold server: RSS " << cold.rss / 1024 << " KiB, " << cold.fds << " descriptors\n";

  // The rooms, created by one client that then leaves.
  const std::size_t room_count = std::max<std::size_t>(1, clients / 4);
  RoomMaker maker;
  Client admin(ioc, 0);
  bool admin_up = false;
  admin.connect(server, asio::ip::address_v4(0x7f000001u), [&](error_code ec) {
    if (ec) return;
    admin.start(&maker);
    admin.send(moim::proto::encode(moim::proto::ClientMessage{moim::proto::Hello{}}));
    admin_up = true;
  });
  if (!run_until(ioc, [&] { return maker.welcomed; }, 10)) {
    std::cerr << "moim-loadgen soak: no welcome from the server\n";
    return 1;
  }
  const std::string run_id = std::to_string(now_ns() % 1000000);
  for (std::size_t r = 0; r < room_count; ++r) {
    admin.send(json{{"type", "create-room"}, {"name", "soak-" + run_id + "-" + std::to_string(r)}, {"capacity", 8}}.dump());
    // 20 every 0.5 s: under the default limit of 50 messages per second per connection.
    if (r % 20 == 19) run_until(ioc, [] { return false; }, 0.5);
  }
  if (!run_until(ioc, [&] { return maker.created.size() >= room_count; }, 60)) {
    std::cerr << "moim-loadgen soak: only " << maker.created.size() << " of " << room_count << " rooms created\n";
    return 1;
  }
  admin.goodbye();
  run_until(ioc, [] { return false; }, 0.5);

  Soak soak(ioc, server, clients, think_ms, sources);
  soak.rooms = maker.created;
  json rounds = json::array();
  bool resources_ok = true;
  Reading warm{};
  const double round_minutes[2] = {std::min(warm_minutes, minutes), std::max(0.0, minutes - warm_minutes)};
  const std::int64_t soak_start = now_ns();
  for (int round = 0; round < 2; ++round) {
    if (round_minutes[round] <= 0) continue;
    soak.start_all();
    const std::int64_t end = now_ns() + static_cast<std::int64_t>(round_minutes[round] * 60e9);
    Reading peak{};
    while (now_ns() < end) {
      run_until(ioc, [] { return false; }, std::min(sample_s, static_cast<double>(end - now_ns()) / 1e9));
      soak.sweep_retired();
      const Reading r = read_server(pid);
      peak.rss = std::max(peak.rss, r.rss);
      peak.fds = std::max(peak.fds, r.fds);
      std::cerr << "soak: " << static_cast<int>(static_cast<double>(now_ns() - soak_start) / 1e9) << " s: RSS "
                << r.rss / 1024 << " KiB, " << r.fds << " descriptors, " << soak.joins << " joins, " << soak.leaves
                << " leaves, " << soak.signals.size() << " signals, " << soak.drops << " drops, " << soak.resumes
                << " resumes, " << soak.goodbyes << " goodbyes\n";
    }
    soak.stop_all();
    const bool drained = run_until(ioc, [&] { return soak.busy() == 0; }, 30);
    run_until(ioc, [&] { return soak.still_connected() == 0; }, 10);
    const std::size_t left_open = soak.still_connected();
    soak.close_all();
    // (run_until, not run_for: run_for returns at once when the io_context has no work left.)
    run_until(ioc, [] { return false; }, grace_s);  // any session still held (a drop whose resume never came) ends by then
    soak.sweep_retired();
    run_until(ioc, [] { return false; }, 0.5);
    soak.sweep_retired();
    const Reading after = read_server(pid);
    if (round == 0) warm = after;
    const bool fds_back = after.fds == cold.fds;
    resources_ok = resources_ok && fds_back;
    rounds.push_back({{"minutes", round_minutes[round]},
                      {"peak_rss_bytes", peak.rss},
                      {"peak_descriptors", peak.fds},
                      {"rss_after_bytes", after.rss},
                      {"descriptors_after", after.fds},
                      {"descriptors_back_to_cold", fds_back},
                      {"drained", drained},
                      {"connections_left_open", left_open}});
    std::cerr << "soak: round " << round + 1 << " over: RSS " << after.rss / 1024 << " KiB (peak " << peak.rss / 1024
              << "), descriptors " << after.fds << " (cold " << cold.fds << ", peak " << peak.fds << ")"
              << (drained ? "" : ", NOT drained") << "\n";
  }

  // Every signal: delivered once, refused, or lost with its addressee's dropped connection.
  std::uint64_t undelivered = 0, lost_with_drop = 0;
  for (const Signal& s : soak.signals) {
    if (s.delivered) continue;
    ++undelivered;
    const Person* addressee = soak.person_with(s.to_peer);
    if (!addressee) continue;
    for (const std::int64_t drop : addressee->drops) {
      if (drop - s.sent_ns <= 1'000'000'000 && s.sent_ns - drop <= 1'000'000'000) {
        ++lost_with_drop;
        break;
      }
    }
  }
  const std::int64_t unexplained =
      static_cast<std::int64_t>(undelivered) - static_cast<std::int64_t>(soak.refused) - static_cast<std::int64_t>(lost_with_drop);
  const std::int64_t rss_growth = rounds.size() == 2 ? rounds[1]["rss_after_bytes"].get<std::int64_t>() - warm.rss : 0;
  // The server hands free heap memory back when its last connection closes (server/hub_clock.cpp), so
  // RSS after a round is what it still holds: after 9 more minutes of churn, at most 1 MiB more.
  const bool rss_ok = rss_growth <= 1 << 20;
  const bool relay_ok = unexplained <= 0 && soak.misrouted == 0 && soak.duplicates == 0 && soak.unexpected_errors == 0 &&
                        soak.resume_mismatch == 0 && soak.unparsed == 0;
  const json out = {{"scenario", "soak"},
                    {"clients", clients},
                    {"rooms", room_count},
                    {"minutes", minutes},
                    {"cold_rss_bytes", cold.rss},
                    {"cold_descriptors", cold.fds},
                    {"warm_rss_bytes", warm.rss},
                    {"rss_growth_after_warm_bytes", rss_growth},
                    {"rounds", rounds},
                    {"connects", soak.connects},
                    {"joins", soak.joins},
                    {"leaves", soak.leaves},
                    {"goodbyes", soak.goodbyes},
                    {"drops", soak.drops},
                    {"resumes", soak.resumes},
                    {"signals", soak.signals.size()},
                    {"delivered", soak.signals.size() - undelivered},
                    {"refused_peer_gone", soak.refused},
                    {"lost_with_dropped_connection", lost_with_drop},
                    {"unexplained_losses", std::max<std::int64_t>(0, unexplained)},
                    {"misrouted", soak.misrouted},
                    {"duplicates", soak.duplicates},
                    {"unexpected_errors", soak.unexpected_errors},
                    {"unexpected_closes", soak.unexpected_closes},
                    {"resume_id_changed", soak.resume_mismatch},
                    {"connect_failures", soak.connect_failures},
                    {"relay_ok", relay_ok},
                    {"descriptors_ok", resources_ok},
                    {"rss_ok", rss_ok}};
  std::cout << out.dump() << std::endl;
  std::cerr << "soak: " << soak.signals.size() << " signals, " << soak.signals.size() - undelivered << " delivered, "
            << soak.refused << " refused (addressee gone), " << lost_with_drop << " lost with a dropped connection, "
            << std::max<std::int64_t>(0, unexplained) << " unexplained; RSS after warm-up round " << warm.rss / 1024
            << " KiB, after the last round " << (warm.rss + rss_growth) / 1024 << " KiB; descriptors "
            << (resources_ok ? "back to the cold count" : "NOT back to the cold count")
            << (rss_ok ? "" : "; RSS grew by more than 1 MiB between the rounds") << "\n";
  return relay_ok && resources_ok && rss_ok ? 0 : 3;
}

}  // namespace moim::loadgen
