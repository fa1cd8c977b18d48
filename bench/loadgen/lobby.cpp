// Lobby scenarios: idle memory, churn and fan-out.
//
// idle:   --connections N lobby clients connect and say hello (after --warm 10 warm-up connections,
//         so one-time allocations of the server are not counted), the server's VmRSS is read before
//         and, after a --settle pause, after; the figure is the growth divided by N, in bytes.
// churn:  --observers lobby clients watch; --churners clients (4 per room, rooms of capacity 8)
//         each join, and when joined leave, and when left join again (one request outstanding per
//         churner). Every join and leave changes a room's count, so the server broadcasts
//         room-updated to every hello'd connection (observers and churners). The figure is completed
//         joins + leaves per second. Afterwards the churners stop, and every observer must (1) have
//         received exactly one room-updated per room change and (2) hold, for every room, the
//         participant count of a fresh welcome (the server's final state).
// fanout: --lobby N clients in the lobby; one more client creates a room --events times; for each,
//         the time from sending create-room to each lobby client's receipt of the room-updated.
//         Per event p50/p99/max across clients; the run's figures are the medians over events.
#include "fleet.hpp"
#include "scenarios.hpp"
#include "protocol.hpp"
#include "util.hpp"

#include <nlohmann/json.hpp>

#include <thread>
#include <iostream>
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
bool parse_room_updated(std::string_view text, std::uint32_t& room, std::uint32_t& participants) {
  const auto id = scan_uint(text, R"("id":)");
  const auto count = scan_uint(text, R"("participants":)");
  if (!id || !count) return false;
  room = static_cast<std::uint32_t>(*id);
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

class Observer : public Handler {
 public:
  struct State {
    std::unordered_map<std::uint32_t, std::uint32_t> participants;  // room id -> last count seen
    std::uint64_t updates = 0;
  };
  std::vector<State> states;  // by client tag
  std::uint64_t unparsed = 0;

  void on_message(Client& client, std::string_view text) override {
    if (!starts_with(text, R"({"type":"room-updated")")) return;
    std::uint32_t room = 0, participants = 0;
    if (!parse_room_updated(text, room, participants)) {
      ++unparsed;
      return;
    }
    State& state = states[static_cast<std::size_t>(client.tag)];
    state.participants[room] = participants;
    ++state.updates;
  }
};

class Churner : public Handler {
 public:
  std::vector<std::uint32_t> room_of;  // by client tag
  std::vector<bool> busy;              // a request is outstanding
  bool running = false;
  std::uint64_t joins = 0, leaves = 0, errors = 0;
  std::uint64_t joins_at_mark = 0, leaves_at_mark = 0;

  void join(Client& c) {
    busy[static_cast<std::size_t>(c.tag)] = true;
    c.send(R"({"type":"join","room":)" + std::to_string(room_of[static_cast<std::size_t>(c.tag)]) +
           R"(,"name":"churner )" + std::to_string(c.tag) + "\"}");
  }
  void on_message(Client& c, std::string_view text) override {
    if (starts_with(text, R"({"type":"room-updated")") || starts_with(text, R"({"type":"peer-)")) return;
    const auto tag = static_cast<std::size_t>(c.tag);
    if (starts_with(text, R"({"type":"joined")")) {
      ++joins;
      c.send(R"({"type":"leave"})");  // stays outstanding even when stopping: rooms end empty
    } else if (starts_with(text, R"({"type":"left")")) {
      ++leaves;
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
  std::map<std::string, std::uint32_t> created;
  void on_message(Client&, std::string_view text) override {
    if (starts_with(text, R"({"type":"welcome")")) welcome = json::parse(text, nullptr, false);
    if (starts_with(text, R"({"type":"room-created")")) {
      const json msg = json::parse(text, nullptr, false);
      created[msg["room"]["name"].get<std::string>()] = msg["room"]["id"].get<std::uint32_t>();
    }
  }
};

}  // namespace

int run_churn(const Options& options) {
  const std::string pid = options.get("server-pid", "");
  const auto observers = static_cast<std::size_t>(options.num("observers", 100));
  const auto churners = static_cast<std::size_t>(options.num("churners", 40));
  const auto per_room = static_cast<std::size_t>(options.num("per-room", 4));
  const double warmup = options.num("warmup", 1), duration = options.num("duration", 4);
  const std::size_t rooms = (churners + per_room - 1) / per_room;

  asio::io_context ioc{1};
  Fleet fleet(ioc, endpoint_of(options), static_cast<std::size_t>(options.num("sources", 4)));
  Observer observer;
  Churner churner;
  WelcomeCatcher admin;

  // Observers first: they must see every room change from the creation of the rooms on.
  observer.states.resize(observers);
  if (!fleet.add(observers, &observer)) return 1;
  for (std::size_t i = 0; i < observers; ++i) fleet[i].tag = static_cast<std::int64_t>(i);
  if (!fleet.add(1, &admin)) return 1;
  Client& admin_client = fleet[observers];
  const std::string run_id = std::to_string(now_ns() % 1000000);
  for (std::size_t r = 0; r < rooms; ++r) {
    admin_client.send(
        json{{"type", "create-room"}, {"name", "churn-" + run_id + "-" + std::to_string(r)}, {"capacity", 8}}.dump());
  }
  if (!run_until(ioc, [&] { return admin.created.size() >= rooms; }, 10)) return 1;
  if (!fleet.add(churners, &churner)) return 1;
  churner.room_of.resize(churners);
  churner.busy.assign(churners, false);
  for (std::size_t i = 0; i < churners; ++i) {
    Client& c = fleet[observers + 1 + i];
    c.tag = static_cast<std::int64_t>(i);
    churner.room_of[i] = admin.created.at("churn-" + run_id + "-" + std::to_string(i / per_room));
  }

  churner.running = true;
  for (std::size_t i = 0; i < churners; ++i) churner.join(fleet[observers + 1 + i]);
  run_for(ioc, warmup);
  const std::int64_t t0 = now_ns();
  const std::uint64_t ops0 = churner.joins + churner.leaves;
  const double server_cpu0 = pid.empty() ? 0 : cpu_seconds(pid).value_or(0);
  const double self_cpu0 = cpu_seconds("self").value_or(0);
  run_for(ioc, duration);
  const std::int64_t t1 = now_ns();
  const std::uint64_t ops1 = churner.joins + churner.leaves;
  const double wall = static_cast<double>(t1 - t0) / 1e9;
  const double server_cpu = pid.empty() ? -1 : (cpu_seconds(pid).value_or(0) - server_cpu0) / wall;
  const double self_cpu = (cpu_seconds("self").value_or(0) - self_cpu0) / wall;

  // Stop: wait for every churner's last request, then for the observers to have every update.
  churner.running = false;
  const bool stopped = run_until(ioc, [&] {
    for (bool b : churner.busy) if (b) return false;
    return true;
  }, 10);
  const std::uint64_t expected = rooms + churner.joins + churner.leaves;
  const bool delivered = run_until(ioc, [&] {
    for (const auto& s : observer.states) if (s.updates < expected) return false;
    return true;
  }, 10);
  admin.welcome.reset();
  admin_client.send(moim::proto::encode(moim::proto::ClientMessage{moim::proto::Hello{}}));  // a repeated hello returns a fresh room list
  run_until(ioc, [&] { return admin.welcome.has_value(); }, 5);
  run_until(ioc, [] { return false; }, 0.2);  // anything late would show up as a mismatch

  std::size_t stale = 0, miscounted = 0;
  std::size_t rooms_checked = 0;
  if (admin.welcome && admin.welcome->is_object()) {
    for (const auto& room : (*admin.welcome)["rooms"]) {
      const auto id = room["id"].get<std::uint32_t>();
      const auto participants = room["participants"].get<std::uint32_t>();
      bool ours = false;
      for (const auto& [name, rid] : admin.created) ours |= rid == id;
      if (!ours) continue;
      ++rooms_checked;
      for (const auto& s : observer.states) {
        const auto it = s.participants.find(id);
        if (it == s.participants.end() || it->second != participants) ++stale;
      }
    }
  }
  for (const auto& s : observer.states) miscounted += s.updates != expected;
  const bool verified = admin.welcome && stopped && delivered && rooms_checked == rooms && stale == 0 &&
                        miscounted == 0 && observer.unparsed == 0 && churner.errors == 0;
  fleet.close_all();

  const json out = {{"scenario", "churn"},
                    {"ops_per_sec", static_cast<double>(ops1 - ops0) / wall},
                    {"observers", observers},
                    {"churners", churners},
                    {"rooms", rooms},
                    {"broadcast_recipients", observers + churners + 1},
                    {"server_cpu", server_cpu},
                    {"generator_cpu", self_cpu},
                    {"joins", churner.joins},
                    {"leaves", churner.leaves},
                    {"errors", churner.errors},
                    {"expected_updates_per_observer", expected},
                    {"observers_miscounted", miscounted},
                    {"stale_room_views", stale},
                    {"verified", verified},
                    {"seconds", wall}};
  std::cout << out.dump() << std::endl;
  std::cerr << "churn: " << out["ops_per_sec"].get<double>() << " joins+leaves/s, server CPU "
            << static_cast<int>(server_cpu * 100) << "%, lobby views " << (verified ? "verified" : "NOT verified") << "\n";
  if (!verified) std::cerr << "moim-loadgen: churn verification failed\n";
  return verified ? 0 : 3;
}

namespace {

class FanoutLobby : public Handler {
 public:
  std::int64_t sent_at = 0;
  std::uint32_t expect_room = 0;  // 0: not yet known (room-updated can precede our room-created)
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

  asio::io_context ioc{1};
  Fleet fleet(ioc, endpoint_of(options), static_cast<std::size_t>(options.num("sources", 4)));
  FanoutLobby watchers;
  WelcomeCatcher creator;
  if (!fleet.add(lobby, &watchers)) return 1;
  if (!fleet.add(1, &creator)) return 1;
  Client& creator_client = fleet[lobby];
  run_until(ioc, [] { return false; }, 0.3);

  const std::string run_id = std::to_string(now_ns() % 1000000);
  std::vector<double> p50s, p99s, maxes;
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
    run_until(ioc, [] { return false; }, gap);
  }
  fleet.close_all();
  const json out = {{"scenario", "fanout"},
                    {"lobby", lobby},
                    {"events", events},
                    {"p50_ms", median(p50s)},
                    {"p99_ms", median(p99s)},
                    {"max_ms", median(maxes)},
                    {"incomplete_events", incomplete}};
  std::cout << out.dump() << std::endl;
  std::cerr << "fanout to " << lobby << " lobby clients: p50 " << median(p50s) << " ms, p99 " << median(p99s)
            << " ms (medians of " << events << " events)\n";
  return incomplete ? 3 : 0;
}

}  // namespace moim::loadgen
