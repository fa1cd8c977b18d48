// moim-loadgen: a load generator for moim-server (raw WebSocket clients speaking the Moim protocol).
//
//   moim-loadgen relay  --port P [--server-pid PID] [--rooms 25] [--window 16] [--mix 10] [--rate 0]
//                       [--warmup 1] [--duration 4]
//   moim-loadgen idle   --port P --server-pid PID [--connections 1000] [--settle 2]
//   moim-loadgen churn  --port P [--server-pid PID] [--observers 100] [--churners 40] [--duration 4]
//   moim-loadgen fanout --port P [--lobby 1000] [--events 20]
//   moim-loadgen soak   --port P --server-pid PID [--clients 1000] [--minutes 10] [--warm-minutes 1]
//                       [--think-ms 400] [--grace-s 22] [--sample-s 30] [--sources 16]
//   moim-loadgen median --file RUNS.jsonl --scenario S --field F
//   moim-loadgen summarize --out PART.json RUNS.jsonl...
//
// Each measuring subcommand prints one JSON line; bench/loadgen/run.sh collects them and summarizes.
// See the comments at the top of relay.cpp and lobby.cpp for what each scenario does.
#include "scenarios.hpp"
#include "util.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <csignal>
#include <functional>
#include <tuple>
#include <fstream>
#include <iostream>
#include <sys/resource.h>

namespace moim::loadgen {

namespace {

using json = nlohmann::json;

std::vector<json> read_runs(const std::vector<std::string>& files) {
  std::vector<json> runs;
  for (const std::string& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] != '{') continue;
      json run = json::parse(line, nullptr, false);
      if (run.is_object()) runs.push_back(std::move(run));
    }
  }
  return runs;
}

std::vector<double> field(const std::vector<json>& runs, const std::string& scenario, const std::string& name,
                          const std::function<bool(const json&)>& keep = {}) {
  std::vector<double> values;
  for (const json& run : runs) {
    if (run.value("scenario", "") != scenario || !run.contains(name) || !run[name].is_number()) continue;
    if (keep && !keep(run)) continue;
    values.push_back(run[name].get<double>());
  }
  return values;
}

double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

std::string percent(double fraction) { return std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%"; }

std::string range_text(const std::vector<double>& values, bool as_percent) {
  if (values.empty()) return "n/a";
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  auto fmt = [&](double v) { return as_percent ? percent(v) : std::to_string(v); };
  return fmt(median(values)) + " (" + fmt(*lo) + "-" + fmt(*hi) + ")";
}

json metric(const std::string& id, const std::string& label, const std::string& unit, const std::vector<double>& values,
            int decimals, const json& target, const std::string& note) {
  json m = {{"id", id}, {"label", label}, {"unit", unit}};
  if (values.empty()) {
    m["median"] = nullptr;
    m["min"] = nullptr;
    m["max"] = nullptr;
    m["runs"] = 0;
    m["valid"] = false;
  } else {
    m["median"] = round_to(median(values), decimals);
    m["min"] = round_to(*std::min_element(values.begin(), values.end()), decimals);
    m["max"] = round_to(*std::max_element(values.begin(), values.end()), decimals);
    m["runs"] = values.size();
  }
  m["target"] = target;
  if (!note.empty()) m["note"] = note;
  return m;
}

}  // namespace

int run_median(const Options& options) {
  const std::vector<json> runs = read_runs({options.get("file", "")});
  const std::vector<double> values = field(runs, options.get("scenario", ""), options.get("field", ""));
  if (values.empty()) return 1;
  std::cout << median(values) << "\n";
  return 0;
}

int run_summarize(const Options& options, int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 0; i < argc; ++i) files.emplace_back(argv[i]);
  const std::vector<json> runs = read_runs(files);
  json metrics = json::array();

  // a. relay
  {
    const auto tput = field(runs, "relay-saturation", "throughput");
    const auto cpu = field(runs, "relay-saturation", "server_cpu");
    const auto gen = field(runs, "relay-saturation", "generator_cpu");
    const auto sat_wait = field(runs, "relay-saturation", "server_runqueue_wait");
    std::string shape;
    for (const json& run : runs) {
      if (run.value("scenario", "") != "relay-saturation") continue;
      shape = std::to_string(run.value("clients", 0)) + " clients in rooms of 4, ring (each sends to one peer), " +
              std::to_string(run.value("window", 0)) + " in flight per sender, candidate " +
              std::to_string(run.value("candidate_frame_bytes", 0)) + " B : SDP offer " +
              std::to_string(run.value("sdp_frame_bytes", 0)) + " B = " + run.value("mix", std::string("?"));
      break;
    }
    const bool valid = !cpu.empty() && median(cpu) >= 0.90;
    // Below 90% server CPU the server was not the bottleneck: either the generator was (it is then
    // near 100% itself) or other work on the machine took part of the server's core.
    const bool generator_bound = !gen.empty() && median(gen) >= 0.90;
    const std::string why = generator_bound ? "the generator was the bottleneck"
                                            : "the generator had room to spare, so other work on the machine took part of "
                                              "the server's core";
    json m = metric("relay.throughput", "relay, one core (msg/s received)", "msg/s", tput, 0, {{"op", ">="}, {"value", 50000}},
                    "server CPU " + range_text(cpu, true) + " (runnable but waiting for its core " +
                        range_text(sat_wait, true) + "), generator CPU " + range_text(gen, true) + "; " + shape +
                        (valid ? "" : "; INVALID: server below 90% CPU: " + why));
    if (!valid) m["valid"] = false;
    metrics.push_back(m);

    const auto rate = field(runs, "relay-latency", "rate");
    const auto lat_cpu = field(runs, "relay-latency", "server_cpu");
    const auto lag = field(runs, "relay-latency", "send_lag_p99_us");
    std::size_t kept_up = 0, latency_runs = 0;
    for (const json& run : runs) {
      if (run.value("scenario", "") != "relay-latency") continue;
      ++latency_runs;
      kept_up += run.value("kept_up", false);
    }
    // A tail is the server's only if neither process was kept waiting for its CPU by other work on
    // the machine (run-queue wait from /proc/<pid>/schedstat): a wake-up that waits for another
    // task's time slice costs milliseconds, on either side.
    constexpr double kMaxRunqueueWait = 0.02;
    const auto server_wait = field(runs, "relay-latency", "server_runqueue_wait");
    const auto generator_wait = field(runs, "relay-latency", "generator_runqueue_wait");
    const bool machine_quiet = !server_wait.empty() && !generator_wait.empty() &&
                               median(server_wait) <= kMaxRunqueueWait && median(generator_wait) <= kMaxRunqueueWait;
    const bool latency_valid = latency_runs > 0 && kept_up * 2 > latency_runs && machine_quiet;
    const std::string note = "open loop at " + (rate.empty() ? std::string("?") : std::to_string(std::lround(median(rate)))) +
                             " msg/s (half the saturation median), server CPU " + range_text(lat_cpu, true) +
                             ", generator send lag p99 " +
                             (lag.empty() ? std::string("?") : std::to_string(std::lround(median(lag)))) + " us" +
                             "; server kept up with the rate in " + std::to_string(kept_up) + "/" +
                             std::to_string(latency_runs) + " runs; waiting for a CPU: server " +
                             range_text(server_wait, true) + ", generator " + range_text(generator_wait, true) +
                             (machine_quiet ? ""
                                            : "; INVALID: other work on the machine kept the server or the generator "
                                              "off its core (over 2% of the time), so the tail is the machine's");
    for (const auto& [id, label, key, target] :
         {std::tuple{"relay.latency.p50", "relay latency p50 at half rate", "p50_ms", json(nullptr)},
          std::tuple{"relay.latency.p99", "relay latency p99 at half rate", "p99_ms", json{{"op", "<"}, {"value", 2}}},
          std::tuple{"relay.latency.p99.9", "relay latency p99.9 at half rate", "p999_ms", json(nullptr)}}) {
      json m = metric(id, label, "ms", field(runs, "relay-latency", key), 3, target, note);
      if (!latency_valid) m["valid"] = false;
      metrics.push_back(m);
    }
  }
  // b. idle memory
  for (const auto& [count, id, target] :
       {std::tuple{1000, "idle.rss_per_conn.1k", json(nullptr)},
        std::tuple{10000, "idle.rss_per_conn.10k", json{{"op", "<="}, {"value", 4096}}}}) {
    const auto keep = [count = count](const json& run) { return run.value("connections", 0) == count; };
    metrics.push_back(metric(id, "server RSS per idle lobby connection, " + std::to_string(count / 1000) + "k", "bytes",
                             field(runs, "idle", "bytes_per_conn", keep), 0, target,
                             "VmRSS growth / connections (hello'd, in the lobby), after 10 warm-up connections "
                             "and a 2 s settle; 4096 bytes = 4 KiB"));
  }
  // c. churn
  {
    const auto ops = field(runs, "churn", "ops_per_sec");
    std::size_t verified = 0, total = 0;
    bool batched = false;
    std::string shape;
    for (const json& run : runs) {
      if (run.value("scenario", "") != "churn") continue;
      ++total;
      verified += run.value("verified", false);
      batched = run.value("lobby_batches", false);
      shape = std::to_string(run.value("churners", 0)) + " churners in " + std::to_string(run.value("rooms", 0)) +
              " rooms, " + std::to_string(run.value("observers", 0)) + " lobby observers; ";
      shape += batched ? "room-list changes go out in batches every 100 ms, one room-updated per changed room, to "
                         "connections in the lobby only"
                       : "each op broadcasts room-updated to " +
                             std::to_string(run.value("observers", 0) + run.value("churners", 0) + 1) + " connections";
    }
    const auto kb = [](const std::vector<double>& v) {
      if (v.empty()) return std::string("n/a");
      return std::to_string(std::lround(median(v) / 1000)) + " KB/s";
    };
    const std::string checks = batched ? "observers' and churners' room lists matched the final state, no "
                                         "room-updated reached a churner in a call, nobody got more than one update "
                                         "of a room per batch, in "
                                       : "observers got one room-updated per change and matched the final state in ";
    const auto churn_cpu = field(runs, "churn", "server_cpu");
    // One request outstanding per churner: below 90% server CPU the round trips set the pace.
    const std::string pace = !churn_cpu.empty() && median(churn_cpu) < 0.9
                                 ? " (below 90%: the churners' round trips, one request each, set the pace, "
                                   "not the server)"
                                 : "";
    json m = metric("churn.ops", "churn: joins + leaves per second", "ops/s", ops, 0, nullptr,
                    shape + "; server CPU " + range_text(churn_cpu, true) + pace +
                        ", server sent " + kb(field(runs, "churn", "server_bytes_sent_per_sec")) + "; " + checks +
                        std::to_string(verified) + "/" + std::to_string(total) + " runs");
    if (verified != total) m["valid"] = false;
    metrics.push_back(m);
    const std::string per_observer_note =
        "received by each lobby observer during the churn above (WebSocket frames as received, bytes incl. headers)";
    json u = metric("churn.updates_per_observer", "churn: room-updated per lobby observer per second", "msg/s",
                    field(runs, "churn", "room_updates_per_observer_per_sec"), 1, nullptr, per_observer_note);
    json b = metric("churn.bytes_per_observer", "churn: bytes per lobby observer per second", "B/s",
                    field(runs, "churn", "bytes_per_observer_per_sec"), 0, nullptr, per_observer_note);
    if (verified != total) u["valid"] = b["valid"] = false;
    metrics.push_back(u);
    metrics.push_back(b);
  }
  // d. fan-out
  {
    const auto firsts = field(runs, "fanout", "first_ms");
    const auto spreads = field(runs, "fanout", "spread_p99_ms");
    const auto ms = [](const std::vector<double>& v) {
      if (v.empty()) return std::string("n/a");
      return std::to_string(std::lround(median(v) * 10) / 10) + "." + std::to_string(std::lround(median(v) * 10) % 10) +
             " ms";
    };
    const std::string note =
        "create-room by one client -> room-updated at 1,000 lobby clients, median of 20 events per run (creates "
        "at random phases of the server's 100 ms room-list batch, which the figures include): first receipt " +
        ms(firsts) + ", p99 - first receipt " + ms(spreads);
    metrics.push_back(metric("fanout.p50", "room-list fan-out to 1,000 lobbies, p50", "ms",
                             field(runs, "fanout", "p50_ms"), 3, nullptr, note));
    metrics.push_back(metric("fanout.p99", "room-list fan-out to 1,000 lobbies, p99", "ms",
                             field(runs, "fanout", "p99_ms"), 3, nullptr, note));
  }

  const json part = {{"part", "loadgen"}, {"metrics", metrics}};
  const std::string out = options.get("out", "");
  if (out.empty()) {
    std::cout << part.dump(2) << "\n";
  } else {
    std::ofstream file(out);
    file << part.dump(2) << "\n";
    if (!file) {
      std::cerr << "moim-loadgen: cannot write " << out << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace moim::loadgen

int main(int argc, char** argv) {
  using namespace moim::loadgen;
  if (argc < 2) {
    std::cerr << "usage: moim-loadgen relay|idle|churn|fanout|soak|median|summarize [--flag value]...\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  // Many sockets: raise the soft descriptor limit to the hard one.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  const std::string command = argv[1];
  Options options;
  int i = 2;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) break;
    if (i + 1 >= argc) {
      std::cerr << "moim-loadgen: " << arg << " needs a value\n";
      return 2;
    }
    options.values[arg.substr(2)] = argv[++i];
  }
  try {
    if (command == "relay") return run_relay(options);
    if (command == "idle") return run_idle(options);
    if (command == "churn") return run_churn(options);
    if (command == "fanout") return run_fanout(options);
    if (command == "soak") return run_soak(options);
    if (command == "median") return run_median(options);
    if (command == "summarize") return run_summarize(options, argc - i, argv + i);
  } catch (const std::exception& e) {
    std::cerr << "moim-loadgen " << command << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "moim-loadgen: unknown command " << command << "\n";
  return 2;
}
