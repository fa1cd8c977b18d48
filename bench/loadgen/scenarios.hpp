// The load generator's scenarios. Each connects to a running moim-server, measures, and prints one
// JSON object (one line) on stdout; diagnostics go to stderr.
#pragma once

#include <map>
#include <string>

namespace moim::loadgen {

struct Options {
  std::map<std::string, std::string> values;
  std::string get(const std::string& key, const std::string& fallback) const {
    const auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
  }
  double num(const std::string& key, double fallback) const {
    const auto it = values.find(key);
    return it == values.end() ? fallback : std::stod(it->second);
  }
};

int run_relay(const Options& options);    // relay: saturation (closed loop) or paced (open loop)
int run_idle(const Options& options);     // idle: RSS per lobby connection
int run_churn(const Options& options);    // churn: joins + leaves per second, lobby kept current
int run_fanout(const Options& options);   // fanout: room-list change to N lobby clients
int run_soak(const Options& options);     // soak: 1,000 people churning for minutes; resources back, no relay lost
int run_summarize(const Options& options, int argc, char** argv);  // JSON lines -> bench part
int run_median(const Options& options);   // prints the median of one field of one scenario

}  // namespace moim::loadgen
