// Lobby scenarios: idle memory, churn and fan-out.
//
// idle:   --connections N lobby clients connect and say hello (after --warm 10 warm-up connections,
//         so one-time allocations of the server are not counted), the server's VmRSS is read before
//         and, after a --settle pause, after; the figure is the growth divided by N, in bytes.
// churn:  --observers lobby clients watch; --churners clients (4 per room, rooms of capacity 6: the default --mesh-max, over it a room is a large one)
//         each join, and when joined leave, and when left join again (one request outstanding per
//         churner). Every join and leave changes a room's count. The server (since issue 10 item 5)
//         sends the room list's changes in batches, every 100 ms, one room-updated per changed room,
//         to connections in the lobby only (hello'd, not in a call), and a fresh welcome just before
//         `left`. Figures over the measured interval: completed joins + leaves per second, the
//         room-updated messages and bytes (WebSocket frames as received) per observer per second,
//         the server's CPU (utime + stime from /proc) and everything it sent to our clients per
//         second. Afterwards the churners stop and a new connection's welcome gives the server's
//         final state; checked (--lobby-batches 1): (1) every observer, and every churner (back in the
//         lobby: its last welcome plus what came after), ends holding that count for every room;
//         (2) no churner received a room-updated between its `joined` and its `left`; (3) nobody
//         received more updates of one room than the server can have made batches since its hello
//         (a flush at most every --batch-ms), i.e. at most one per room per batch. (Updates of one
//         room received less than half a batch apart are counted too, close_pairs_received, but
//         not checked: when the generator waits for its CPU, two batches are read together.) With --lobby-batches 0 (servers before the batches: one room-updated per change to
//         every hello'd connection, in a call or not) (1) holds and, instead of (2) and (3), every
//         observer got exactly one room-updated per room change; (2) and (3) are still counted.
// fanout: --lobby N clients in the lobby; one more client creates a room --events times (--gap s
//         apart plus a random 0..--gap-jitter s); for each, the time from sending create-room to
//         each lobby client's receipt of the room-updated. Per event p50/p99/max across clients, the
//         first receipt (with batches: mostly the wait for the next batch) and p99 - first (the
//         fan-out itself); the run's figures are the medians over events.
#include "fleet.hpp"
#include "scenarios.hpp"
#include "protocol.hpp"
#include "util.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <random>
#include <thread>
#include <unordered_map>

namespace moim::loadgen {

namespace {

using json = nlohmann::json;

class Ignore : public Handler {
 public:
  void on_message(Client&, std::string_view) override {}
};

tcp::endpoint endpoint_of(const Options& options) {
  return tcp::endpoint(asio::ip::make_address(options.get("host", "127.0.0.1")),
                       static_cast<unsigned short>(options.num("port", 0)));
}

// Room id and participant count of a room-updated message (whose shape we know).
bool parse_room_updated(std::string_view text, std::uint64_t& room, std::uint32_t& participants) {
  const auto id = scan_uint(text, R"("id":)");
  const auto count = scan_uint(text, R"("participants":)");
  if (!id || !count) return false;
  room = *id;
  participants = static_cast<std::uint32_t>(*count);
  return true;
}

}  // namespace

int run_idle(const Options& options) {
  const std::string pid = options.get("server-pid", "");
  if (pid.empty()) {
    std::cerr << "moim-loadgen idle: --server-pid is required\n";
    return 2;
  }
  const auto count = static_cast<std::size_t>(options.num("connections", 1000));
  const auto warm = static_cast<std::size_t>(options.num("warm", 10));
  const double settle = options.num("settle", 2);

  asio::io_context ioc{1};
  Fleet fleet(ioc, endpoint_of(options), static_cast<std::size_t>(options.num("sources", 4)));
  Ignore ignore;
  if (warm && !fleet.add(warm, &ignore)) return 1;
  run_until(ioc, [] { return false; }, 0.5);
  const std::int64_t before = rss_bytes(pid).value_or(0);
  const std::int64_t t_start = now_ns();
  if (!fleet.add(count, &ignore, {}, 120)) return 1;
  const double connect_s = static_cast<double>(now_ns() - t_start) / 1e9;
  run_until(ioc, [] { return false; }, settle);  // keep serving (pings) while the server settles
  const std::int64_t after = rss_bytes(pid).value_or(0);
  fleet.close_all();

  const json out = {{"scenario", "idle"},
                    {"connections", count},
                    {"rss_before_bytes", before},
                    {"rss_after_bytes", after},
                    {"bytes_per_conn", static_cast<double>(after - before) / static_cast<double>(count)},
                    {"connect_seconds", connect_s},
                    {"settle_seconds", settle}};
  std::cout << out.dump() << std::endl;
  std::cerr << "idle: " << count << " connections, " << out["bytes_per_conn"].get<double>()
            << " bytes of server RSS each\n";
  return 0;
}

namespace {

// A lobby's room list as one connection sees it: filled from a welcome, kept current by
// room-updated / room-removed. Also counts what arrived and flags a room sent twice within one batch.
struct LobbyView {
  std::unordered_map<std::uint64_t, std::uint32_t> participants;  // room id -> last count seen
  std::unordered_map<std::uint64_t, std::int64_t> last_update_ns;  // room id -> when its last update came
  std::unordered_map<std::uint64_t, std::uint64_t> per_room;       // room id -> updates received
  std::uint64_t updates = 0;     // room-updated + room-removed received
  std::uint64_t close_pairs = 0;  // two updates of one room received less than half a batch apart

  void reset_from_welcome(std::string_view text) {
    participants.clear();
    for (std::size_t at = 0;;) {
      const std::size_t id_at = text.find(R"({"id":)", at);
      if (id_at == std::string_view::npos) break;
      const auto id = scan_uint(text, R"("id":)", id_at);
      const auto count = scan_uint(text, R"("participants":)", id_at);
      if (id && count) participants[*id] = static_cast<std::uint32_t>(*count);
      at = id_at + 1;
    }
  }
  // Returns false if the message is a lobby message we could not read.
  bool apply(std::string_view text, std::int64_t now, std::int64_t batch_gap_ns) {
    std::uint64_t room = 0;
    if (starts_with(text, R"({"type":"room-updated")")) {
      std::uint32_t count = 0;
      if (!parse_room_updated(text, room, count)) return false;
      participants[room] = count;
    } else {  // room-removed
      const auto id = scan_uint(text, R"("room":)");
      if (!id) return false;
      room = *id;
      participants.erase(room);
    }
    ++updates;
    ++per_room[room];
    const auto [it, first] = last_update_ns.try_emplace(room, now);
    if (!first) {
      if (now - it->second < batch_gap_ns) ++close_pairs;
      it->second = now;
    }
    return true;
  }
  // Updates beyond one per room per batch: a server that flushes at most every batch_ns can have
  // made at most span / batch_ns + 1 batches in `span_ns` (from before this connection's hello to now).
  std::uint64_t beyond_one_per_batch(std::int64_t span_ns, std::int64_t batch_ns) const {
    const auto batches = static_cast<std::uint64_t>(span_ns / batch_ns) + 1;
    std::uint64_t excess = 0;
    for (const auto& [room, n] : per_room) excess += n > batches ? n - batches : 0;
    return excess;
  }
  // Rooms of `final_state` this view does not hold with the same count.
  std::size_t stale(const std::unordered_map<std::uint64_t, std::uint32_t>& final_state) const {
    std::size_t n = 0;
    for (const auto& [room, count] : final_state) {
      const auto it = participants.find(room);
      n += it == participants.end() || it->second != count;
    }
    return n;
  }
};

bool is_lobby_message(std::string_view text) {
  return starts_with(text, R"({"type":"room-updated")") || starts_with(text, R"({"type":"room-removed")");
}

class Observer : public Handler {
 public:
  std::vector<LobbyView> views;  // by client tag
  std::int64_t batch_gap_ns = 0;
  std::uint64_t unparsed = 0;

  void on_message(Client& client, std::string_view text) override {
    if (!is_lobby_message(text)) return;
    if (!views[static_cast<std::size_t>(client.tag)].apply(text, now_ns(), batch_gap_ns)) ++unparsed;
  }
};

class Churner : public Handler {
 public:
  std::vector<std::uint64_t> room_of;  // by client tag
  std::vector<bool> busy;              // a request is outstanding
  std::vector<bool> in_call;           // between `joined` and `left`
  std::vector<LobbyView> views;        // the room list each churner holds (welcome + lobby messages)
  std::int64_t batch_gap_ns = 0;
  bool running = false;
  std::uint64_t joins = 0, leaves = 0, errors = 0, unparsed = 0;
  std::uint64_t updates_in_call = 0;   // lobby messages received while in a call
  std::uint64_t welcomes = 0;          // welcomes received after the first (one before each `left`)

  void join(Client& c) {
    busy[static_cast<std::size_t>(c.tag)] = true;
    c.send(R"({"type":"join","room":)" + std::to_string(room_of[static_cast<std::size_t>(c.tag)]) +
           R"(,"name":"churner )" + std::to_string(c.tag) + "\"}");
  }
  void on_message(Client& c, std::string_view text) override {
    const auto tag = static_cast<std::size_t>(c.tag);
    if (is_lobby_message(text)) {
      if (in_call[tag]) ++updates_in_call;
      if (!views[tag].apply(text, now_ns(), batch_gap_ns)) ++unparsed;
      return;
    }
    if (starts_with(text, R"({"type":"peer-)")) return;
    if (starts_with(text, R"({"type":"welcome")")) {
      ++welcomes;
      views[tag].reset_from_welcome(text);
    } else if (starts_with(text, R"({"type":"joined")")) {
      ++joins;
      in_call[tag] = true;
      c.send(R"({"type":"leave"})");  // stays outstanding even when stopping: rooms end empty
    } else if (starts_with(text, R"({"type":"left")")) {
      ++leaves;
      in_call[tag] = false;
      busy[tag] = false;
      if (running) join(c);
    } else if (starts_with(text, R"({"type":"error")")) {
      if (errors++ < 3) std::cerr << "moim-loadgen: churn error: " << text << "\n";
      busy[tag] = false;
      if (running) join(c);
    }
  }
};

class WelcomeCatcher : public Handler {
 public:
  std::optional<json> welcome;
  std::map<std::string, std::uint64_t> created;
  void on_message(Client&, std::string_view text) override {
    if (starts_with(text, R"({"type":"welcome")")) welcome = json::parse(text, nullptr, false);
    if (starts_with(text, R"({"type":"room-created")")) {
      const json msg = json::parse(text, nullptr, false);
      created[msg["room"]["name"].get<std::string>()] = msg["room"]["id"].get<std::uint64_t>();
    }
  }
};

std::uint64_t bytes_received(Fleet& fleet, std::size_t from, std::size_t to) {
  std::uint64_t sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += fleet[i].bytes_received();
  return sum;
}

}  // namespace

int run_churn(const Options& options) {
  const std::string pid = options.get("server-pid", "");
  const auto observers = static_cast<std::size_t>(options.num("observers", 100));
  const auto churners = static_cast<std::size_t>(options.num("churners", 40));
  const auto per_room = static_cast<std::size_t>(options.num("per-room", 4));
  const double warmup = options.num("warmup", 1), duration = options.num("duration", 4);
  const std::size_t rooms = (churners + per_room - 1) / per_room;
  // The server's room-list contract: batched (1, since issue 10 item 5: at most one message per room
  // per --batch-ms to connections in the lobby only) or one room-updated per change to every
  // hello'd connection (0, servers before it; run.sh tells which).
  const bool batched = options.num("lobby-batches", 1) != 0;
  const double batch_ms = options.num("batch-ms", 100);
  const auto batch_gap_ns = static_cast<std::int64_t>(batch_ms / 2 * 1e6);

  asio::io_context ioc{1};
  Fleet fleet(ioc, endpoint_of(options), static_cast<std::size_t>(options.num("sources", 4)));
  Observer observer;
  observer.batch_gap_ns = batch_gap_ns;
  Churner churner;
  churner.batch_gap_ns = batch_gap_ns;
  WelcomeCatcher admin;

  // Observers first: they must see every room from its creation on.
  observer.views.resize(observers);
  const std::int64_t observers_since = now_ns();
  if (!fleet.add(observers, &observer)) return 1;
  for (std::size_t i = 0; i < observers; ++i) fleet[i].tag = static_cast<std::int64_t>(i);
  if (!fleet.add(1, &admin)) return 1;
  Client& admin_client = fleet[observers];
  const std::string run_id = std::to_string(now_ns() % 1000000);
  for (std::size_t r = 0; r < rooms; ++r) {
    admin_client.send(
        json{{"type", "create-room"}, {"name", "churn-" + run_id + "-" + std::to_string(r)}, {"capacity", 6}}.dump());
  }
  if (!run_until(ioc, [&] { return admin.created.size() >= rooms; }, 10)) return 1;
  churner.room_of.resize(churners);
  churner.busy.assign(churners, false);
  churner.in_call.assign(churners, false);
  churner.views.resize(churners);
  const std::size_t first_churner = observers + 1;
  const std::int64_t churners_since = now_ns();
  // Each churner's room list starts from its own welcome (which lists the rooms just created).
  if (!fleet.add(churners, &churner, [&](Client& c, std::string_view text) {
        churner.views[c.index() - first_churner].reset_from_welcome(text);
      })) {
    return 1;
  }
  for (std::size_t i = 0; i < churners; ++i) {
    Client& c = fleet[first_churner + i];
    c.tag = static_cast<std::int64_t>(i);
    churner.room_of[i] = admin.created.at("churn-" + run_id + "-" + std::to_string(i / per_room));
  }

  churner.running = true;
  for (std::size_t i = 0; i < churners; ++i) churner.join(fleet[first_churner + i]);
  run_for(ioc, warmup);
  auto observer_updates = [&] {
    std::uint64_t n = 0;
    for (const auto& v : observer.views) n += v.updates;
    return n;
  };
  const std::int64_t t0 = now_ns();
  const std::uint64_t ops0 = churner.joins + churner.leaves;
  const std::uint64_t obs_updates0 = observer_updates();
  const std::uint64_t obs_bytes0 = bytes_received(fleet, 0, observers);
  const std::uint64_t all_bytes0 = bytes_received(fleet, 0, fleet.size());
  const double server_cpu0 = pid.empty() ? 0 : cpu_seconds(pid).value_or(0);
  const double self_cpu0 = cpu_seconds("self").value_or(0);
  const double server_wait0 = pid.empty() ? 0 : runqueue_wait_seconds(pid);
  const double self_wait0 = runqueue_wait_seconds("self");
  run_for(ioc, duration);
  const std::int64_t t1 = now_ns();
  const std::uint64_t ops1 = churner.joins + churner.leaves;
  // Time runnable but waiting for a CPU (other work on the machine), as a fraction of the interval.
  const double server_wait = pid.empty() ? -1 : (runqueue_wait_seconds(pid) - server_wait0) / (static_cast<double>(t1 - t0) / 1e9);
  const double self_wait = (runqueue_wait_seconds("self") - self_wait0) / (static_cast<double>(t1 - t0) / 1e9);
  const double wall = static_cast<double>(t1 - t0) / 1e9;
  const double server_cpu = pid.empty() ? -1 : (cpu_seconds(pid).value_or(0) - server_cpu0) / wall;
  const double self_cpu = (cpu_seconds("self").value_or(0) - self_cpu0) / wall;
  const double per_observer = static_cast<double>(observers) * wall;
  const double updates_per_observer_s = static_cast<double>(observer_updates() - obs_updates0) / per_observer;
  const double bytes_per_observer_s = static_cast<double>(bytes_received(fleet, 0, observers) - obs_bytes0) / per_observer;
  const double server_bytes_s = static_cast<double>(bytes_received(fleet, 0, fleet.size()) - all_bytes0) / wall;
  const double ops_per_sec = static_cast<double>(ops1 - ops0) / wall;

  // Stop: wait for every churner's last request (each ends in the lobby, its rooms empty).
  churner.running = false;
  const bool stopped = run_until(ioc, [&] {
    for (bool b : churner.busy) if (b) return false;
    return true;
  }, 10);
  // The server's final state, from the welcome of a new connection (a repeated hello on an old one
  // would have to wait 5 s since its first).
  std::unordered_map<std::uint64_t, std::uint32_t> final_state;
  WelcomeCatcher fresh;
  const bool welcomed = fleet.add(1, &fresh, [&](Client&, std::string_view text) {
    LobbyView all;
    all.reset_from_welcome(text);
    for (const auto& [name, id] : admin.created) {
      if (const auto it = all.participants.find(id); it != all.participants.end()) final_state[id] = it->second;
    }
  });
  auto stale_views = [&] {
    std::size_t observers_stale = 0, churners_stale = 0;
    for (const auto& v : observer.views) observers_stale += v.stale(final_state);
    for (const auto& v : churner.views) churners_stale += v.stale(final_state);
    return std::pair{observers_stale, churners_stale};
  };
  // Every lobby connection must reach it: with batches, within a batch or two.
  run_until(ioc, [&] { return stale_views() == std::pair<std::size_t, std::size_t>{0, 0}; }, 5);
  run_until(ioc, [] { return false; }, 0.3);  // anything late would show up as a mismatch
  const auto [stale, churners_stale] = stale_views();

  // One update per room per batch at most. Checked by count, which the generator's own scheduling
  // cannot disturb: two batches read late arrive together, so receipt gaps (close_pairs) are only
  // reported.
  const std::int64_t end = now_ns();
  const auto batch_ns = static_cast<std::int64_t>(batch_ms * 1e6);
  std::uint64_t beyond = 0, churners_beyond = 0, close_pairs = 0, churner_close_pairs = 0;
  for (const auto& v : observer.views) {
    beyond += v.beyond_one_per_batch(end - observers_since, batch_ns);
    close_pairs += v.close_pairs;
  }
  for (const auto& v : churner.views) {
    churners_beyond += v.beyond_one_per_batch(end - churners_since, batch_ns);
    churner_close_pairs += v.close_pairs;
  }
  // Servers before the batches: exactly one room-updated per change (creations, joins, leaves).
  const std::uint64_t expected = rooms + churner.joins + churner.leaves;
  std::size_t miscounted = 0;
  if (!batched) {
    for (const auto& v : observer.views) miscounted += v.updates != expected;
  }
  const bool contract = batched ? beyond == 0 && churners_beyond == 0 && churner.updates_in_call == 0
                                : miscounted == 0;
  const bool verified = welcomed && stopped && final_state.size() == rooms && stale == 0 && churners_stale == 0 &&
                        contract && observer.unparsed == 0 && churner.unparsed == 0 && churner.errors == 0;
  fleet.close_all();

  const json out = {{"scenario", "churn"},
                    {"lobby_batches", batched},
                    {"ops_per_sec", ops_per_sec},
                    {"observers", observers},
                    {"churners", churners},
                    {"rooms", rooms},
                    {"server_cpu", server_cpu},
                    {"generator_cpu", self_cpu},
                    {"server_runqueue_wait", server_wait},
                    {"generator_runqueue_wait", self_wait},
                    {"room_updates_per_observer_per_sec", updates_per_observer_s},
                    {"bytes_per_observer_per_sec", bytes_per_observer_s},
                    {"server_bytes_sent_per_sec", server_bytes_s},
                    {"server_bytes_per_op", ops_per_sec > 0 ? server_bytes_s / ops_per_sec : 0},
                    {"joins", churner.joins},
                    {"leaves", churner.leaves},
                    {"errors", churner.errors},
                    {"churner_welcomes", churner.welcomes},
                    {"updates_in_call", churner.updates_in_call},
                    {"updates_beyond_one_per_batch", beyond},
                    {"churner_updates_beyond_one_per_batch", churners_beyond},
                    {"close_pairs_received", close_pairs},
                    {"churner_close_pairs_received", churner_close_pairs},
                    {"observers_miscounted", miscounted},
                    {"stale_room_views", stale},
                    {"churner_stale_room_views", churners_stale},
                    {"verified", verified},
                    {"seconds", wall}};
  std::cout << out.dump() << std::endl;
  std::cerr << "churn: " << ops_per_sec << " joins+leaves/s, server CPU " << static_cast<int>(server_cpu * 100)
            << "%, " << updates_per_observer_s << " room-updated and " << static_cast<std::int64_t>(bytes_per_observer_s)
            << " B per observer per s, lobby views " << (verified ? "verified" : "NOT verified") << "\n";
  if (!verified) std::cerr << "moim-loadgen: churn verification failed\n";
  return verified ? 0 : 3;
}

namespace {

class FanoutLobby : public Handler {
 public:
  std::int64_t sent_at = 0;
  std::string expect_name;
  std::vector<std::uint32_t> latencies_ns;
  std::size_t received = 0;
  void on_message(Client&, std::string_view text) override {
    if (!starts_with(text, R"({"type":"room-updated")")) return;
    const std::int64_t t = now_ns();
    if (text.find(expect_name) == std::string_view::npos) return;
    latencies_ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(t - sent_at, 0xffffffff)));
    ++received;
  }
};

}  // namespace

int run_fanout(const Options& options) {
  const auto lobby = static_cast<std::size_t>(options.num("lobby", 1000));
  const auto events = static_cast<std::size_t>(options.num("events", 20));
  const double gap = options.num("gap", 0.05);
  // A random extra pause of up to --gap-jitter s after each event, so that the creates fall at
  // every phase of the server's room-list batch timer (every 100 ms since issue 10 item 5) rather
  // than at one phase locked to the gap.
  const double gap_jitter = options.num("gap-jitter", 0.1);
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> jitter(0, gap_jitter);

  asio::io_context ioc{1};
  Fleet fleet(ioc, endpoint_of(options), static_cast<std::size_t>(options.num("sources", 4)));
  FanoutLobby watchers;
  WelcomeCatcher creator;
  if (!fleet.add(lobby, &watchers)) return 1;
  if (!fleet.add(1, &creator)) return 1;
  Client& creator_client = fleet[lobby];
  run_until(ioc, [] { return false; }, 0.3);

  const std::string run_id = std::to_string(now_ns() % 1000000);
  std::vector<double> p50s, p99s, maxes, firsts, spreads;
  std::size_t incomplete = 0;
  for (std::size_t e = 0; e < events; ++e) {
    watchers.latencies_ns.clear();
    watchers.latencies_ns.reserve(lobby);
    watchers.received = 0;
    watchers.expect_name = "\"fan-" + run_id + "-" + std::to_string(e) + "\"";
    const std::string request =
        json{{"type", "create-room"}, {"name", "fan-" + run_id + "-" + std::to_string(e)}}.dump();
    watchers.sent_at = now_ns();
    creator_client.send(request);
    if (!run_until(ioc, [&] { return watchers.received >= lobby; }, 5)) ++incomplete;
    p50s.push_back(percentile(watchers.latencies_ns, 50) / 1e6);
    p99s.push_back(percentile(watchers.latencies_ns, 99) / 1e6);
    maxes.push_back(percentile(watchers.latencies_ns, 100) / 1e6);
    // First receipt (the wait for the batch, plus one delivery) and p99 - first (the fan-out itself).
    firsts.push_back(percentile(watchers.latencies_ns, 0) / 1e6);
    spreads.push_back(p99s.back() - firsts.back());
    run_until(ioc, [] { return false; }, gap + jitter(rng));
  }
  fleet.close_all();
  const json out = {{"scenario", "fanout"},
                    {"lobby", lobby},
                    {"events", events},
                    {"p50_ms", median(p50s)},
                    {"p99_ms", median(p99s)},
                    {"max_ms", median(maxes)},
                    {"first_ms", median(firsts)},
                    {"spread_p99_ms", median(spreads)},
                    {"incomplete_events", incomplete}};
  std::cout << out.dump() << std::endl;
  std::cerr << "fanout to " << lobby << " lobby clients: p50 " << median(p50s) << " ms, p99 " << median(p99s)
            << " ms, first receipt " << median(firsts) << " ms, p99 - first " << median(spreads) << " ms (medians of "
            << events << " events)\n";
  return incomplete ? 3 : 0;
}

}  // namespace moim::loadgen
