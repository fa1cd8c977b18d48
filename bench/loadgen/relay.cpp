// Relay scenario: rooms of 4; member k of a room signals member (k+1) mod 4 (a ring), so every
// message is routed by the server to exactly one peer. Each message is a real `signal`: a candidate
// (~300 B frame) or an offer SDP (~5 KB frame), one SDP in every `--mix` messages of each sender
// (default 10, i.e. 9 candidates : 1 SDP). A marker "~LG<sender:8 hex><send time:16 hex>" sits inside
// the candidate line or the SDP (an a= line), so the receiving client knows who sent it and when.
//
// --rate 0 (saturation, closed loop): every sender keeps --window messages in flight (sent, not yet
//   received by its destination) and sends the next one when one arrives. Throughput = messages
//   received by destination clients per second over the measured interval.
// --rate R (paced, open loop): message k is due at start + k/R, from sender k mod N; the generator
//   spins (ioc.poll) and sends each message when due, stamping the actual send time. Latency =
//   receive time - send time, for messages sent during the measured interval.
// Both read the server's CPU time (utime+stime from /proc/<pid>/stat) over the measured interval.
#include "fleet.hpp"
#include "scenarios.hpp"
#include "util.hpp"

#include "protocol.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace moim::loadgen {

namespace {

using json = nlohmann::json;

constexpr std::string_view kMarker = "~LG";
constexpr std::size_t kMarkerLen = 3 + 8 + 16;

void write_hex(char* out, std::uint64_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = kHex[value & 15];
    value >>= 4;
  }
}

std::optional<std::uint64_t> read_hex(std::string_view text) {
  std::uint64_t value = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return std::nullopt;
    value = (value << 4) | static_cast<unsigned>(d);
  }
  return value;
}

std::string marker_for(std::size_t sender) {
  std::string m(kMarkerLen, '0');
  m.replace(0, 3, kMarker);
  write_hex(m.data() + 3, sender, 8);
  return m;
}

// A candidate signal whose frame is about `frame_bytes` long. Signals are encoded with the client's
// own codec (proto::encode), so they have the exact shape the browser client sends.
std::string candidate_message(std::uint32_t to, std::size_t sender, std::size_t frame_bytes) {
  proto::Signal signal;
  signal.peer = to;
  signal.kind = proto::SignalKind::Candidate;
  signal.candidate.candidate =
      "candidate:842163049 1 udp 1677729535 198.51.100.7 61234 typ srflx raddr 10.0.0.12 rport 61234 "
      "generation 0 ufrag EsAw network-id 1 network-cost 10 " +
      marker_for(sender);
  signal.candidate.sdp_mid = "0";
  const std::size_t base = proto::encode(proto::ClientMessage{proto::SendSignal{signal}}).size();
  if (base < frame_bytes) signal.candidate.candidate += ' ' + std::string(frame_bytes - base - 1, 'x');
  return proto::encode(proto::ClientMessage{proto::SendSignal{signal}});
}

// A Chrome-like audio+video offer, with video payload types added until the frame is ~`frame_bytes`.
std::string sdp_message(std::uint32_t to, std::size_t sender, std::size_t frame_bytes) {
  std::string head =
      "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
      "a=extmap-allow-mixed\r\na=msid-semantic: WMS 7b1c3b7e-5b55-4b4e-9d1a-1f6b1c7f0c2a\r\n"
      "a=x-lg:" + marker_for(sender) + "\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\na=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F\r\n"
      "a=setup:actpass\r\na=mid:0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendrecv\r\n"
      "a=msid:7b1c3b7e-5b55-4b4e-9d1a-1f6b1c7f0c2a 1d0e2a4c-7d56-4bb0-a3a4-8d1c2f6e3b90\r\n"
      "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
      "a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n"
      "a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\n"
      "a=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\n"
      "a=ssrc:3735928559 cname:Jk2vQ0wQk1w7bVbq\r\n"
      "a=ssrc:3735928559 msid:7b1c3b7e-5b55-4b4e-9d1a-1f6b1c7f0c2a 1d0e2a4c-7d56-4bb0-a3a4-8d1c2f6e3b90\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 103 104 105 106 107 108 109\r\n"
      "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
      "a=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F\r\n"
      "a=setup:actpass\r\na=mid:1\r\na=extmap:14 urn:ietf:params:rtp-hdrext:toffset\r\n"
      "a=extmap:13 urn:3gpp:video-orientation\r\na=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
      "a=sendrecv\r\na=msid:7b1c3b7e-5b55-4b4e-9d1a-1f6b1c7f0c2a 6f1b0d9e-2c3a-4e5f-8a7b-9c0d1e2f3a4b\r\n"
      "a=rtcp-mux\r\na=rtcp-rsize\r\n";
  static const char* const kCodecs[] = {"VP8", "VP9", "H264", "AV1", "H265"};
  std::string sdp = head;
  proto::Signal signal;
  signal.peer = to;
  signal.kind = proto::SignalKind::Offer;
  auto encoded = [&](const std::string& text) {
    signal.sdp = text;
    return proto::encode(proto::ClientMessage{proto::SendSignal{signal}});
  };
  for (int pt = 96; pt < 128; pt += 2) {
    std::string section = "a=rtpmap:" + std::to_string(pt) + " " + kCodecs[(pt / 2) % 5] + "/90000\r\n";
    for (const char* fb : {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}) {
      section += "a=rtcp-fb:" + std::to_string(pt) + " " + fb + "\r\n";
    }
    section += "a=fmtp:" + std::to_string(pt) +
               " level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
               "a=rtpmap:" + std::to_string(pt + 1) + " rtx/90000\r\na=fmtp:" + std::to_string(pt + 1) +
               " apt=" + std::to_string(pt) + "\r\n";
    if (encoded(sdp + section).size() > frame_bytes) break;
    sdp += section;
  }
  sdp += "a=ssrc-group:FID 1111111111 2222222222\r\na=ssrc:1111111111 cname:Jk2vQ0wQk1w7bVbq\r\n";
  return encoded(sdp);
}

struct Sender {
  std::string candidate, sdp;
  std::size_t candidate_ts = 0, sdp_ts = 0;  // offsets of the 16 hex digits of the send time
  std::uint64_t count = 0;
  std::uint32_t inflight = 0;
};

class Setup : public Handler {
 public:
  std::map<std::string, std::uint32_t> room_ids;
  std::size_t joined = 0, errors = 0;
  void on_message(Client& client, std::string_view text) override {
    if (starts_with(text, R"({"type":"room-updated")")) return;
    const json msg = json::parse(text, nullptr, false);
    const std::string type = msg.is_object() ? msg.value("type", "") : "";
    if (type == "room-created") {
      room_ids[msg["room"]["name"].get<std::string>()] = msg["room"]["id"].get<std::uint32_t>();
    } else if (type == "joined") {
      client.peer_id = msg["self"]["id"].get<std::uint32_t>();
      ++joined;
    } else if (type == "error") {
      if (errors++ < 3) std::cerr << "moim-loadgen: setup error: " << text << "\n";
    }
  }
};

class Relay : public Handler {
 public:
  std::vector<Client*> members;
  std::vector<Sender> senders;
  std::vector<std::uint32_t> expected_sender;  // per destination member
  std::size_t mix = 10, window = 16;
  bool sending = false, saturate = true;
  std::uint64_t sent = 0, received = 0, misrouted = 0, malformed = 0, errors = 0;
  std::uint64_t sent_bytes = 0;
  std::int64_t sample_from = 0, sample_to = 0;  // record latency of messages sent in [from, to)
  std::vector<std::uint32_t> latencies_ns;

  void send_from(std::size_t s) {
    Sender& sender = senders[s];
    const bool sdp = sender.count++ % mix == mix - 1;
    std::string& msg = sdp ? sender.sdp : sender.candidate;
    write_hex(msg.data() + (sdp ? sender.sdp_ts : sender.candidate_ts), static_cast<std::uint64_t>(now_ns()), 16);
    members[s]->send(msg);
    ++sender.inflight;
    ++sent;
    sent_bytes += msg.size();
  }

  void on_message(Client& client, std::string_view text) override {
    const std::int64_t t = now_ns();
    if (!starts_with(text, R"({"type":"signal")")) return other(text);
    const std::size_t at = text.find(kMarker);
    std::optional<std::uint64_t> sender, ts;
    if (at != std::string_view::npos && at + kMarkerLen <= text.size()) {
      sender = read_hex(text.substr(at + 3, 8));
      ts = read_hex(text.substr(at + 11, 16));
    }
    if (!sender || !ts || *sender >= senders.size()) {
      ++malformed;
      return;
    }
    ++received;
    if (*sender != expected_sender[static_cast<std::size_t>(client.tag)]) ++misrouted;
    const auto sent_at = static_cast<std::int64_t>(*ts);
    if (sent_at >= sample_from && sent_at < sample_to) {
      latencies_ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(t - sent_at, 0xffffffff)));
    }
    Sender& s = senders[*sender];
    --s.inflight;
    if (saturate && sending) {
      while (s.inflight < window) send_from(*sender);
    }
  }

  void other(std::string_view text) {
    if (starts_with(text, R"({"type":"room-updated")")) return;
    const json msg = json::parse(text, nullptr, false);
    if (msg.is_object() && msg.value("type", "") == "error") {
      if (errors++ < 3) std::cerr << "moim-loadgen: relay error: " << text << "\n";
    }
  }

  std::uint64_t inflight() const { return sent - received - malformed; }
};

}  // namespace

int run_relay(const Options& options) {
  const auto port = static_cast<unsigned short>(options.num("port", 0));
  const std::string pid = options.get("server-pid", "");
  const auto rooms = static_cast<std::size_t>(options.num("rooms", 25));
  const double rate = options.num("rate", 0);
  const double warmup = options.num("warmup", 1), duration = options.num("duration", 4);
  const auto candidate_bytes = static_cast<std::size_t>(options.num("candidate-bytes", 300));
  const auto sdp_bytes = static_cast<std::size_t>(options.num("sdp-bytes", 5000));

  asio::io_context ioc{1};
  Fleet fleet(ioc, tcp::endpoint(asio::ip::make_address(options.get("host", "127.0.0.1")), port),
              static_cast<std::size_t>(options.num("sources", 4)));
  Setup setup;
  Relay relay;
  relay.mix = static_cast<std::size_t>(options.num("mix", 10));
  relay.window = static_cast<std::size_t>(options.num("window", 16));
  relay.saturate = rate <= 0;

  // Rooms first (so the joins below broadcast to few lobbies), then 4 members per room.
  if (!fleet.add(1, &setup)) return 1;
  const std::string run_id = std::to_string(now_ns() % 1000000);
  for (std::size_t r = 0; r < rooms; ++r) {
    fleet[0].send(json{{"type", "create-room"}, {"name", "lg-" + run_id + "-" + std::to_string(r)}, {"capacity", 4}}
                      .dump());
  }
  if (!run_until(ioc, [&] { return setup.room_ids.size() >= rooms || setup.errors > 0; }, 10) || setup.errors) {
    std::cerr << "moim-loadgen: could not create the rooms\n";
    return 1;
  }
  const std::size_t n = rooms * 4;
  if (!fleet.add(n, &setup)) return 1;
  for (std::size_t m = 0; m < n; ++m) {
    Client& c = fleet[1 + m];
    c.tag = static_cast<std::int64_t>(m);
    const std::uint32_t room = setup.room_ids.at("lg-" + run_id + "-" + std::to_string(m / 4));
    c.send(json{{"type", "join"}, {"room", room}, {"name", "lg" + std::to_string(m)}}.dump());
  }
  if (!run_until(ioc, [&] { return setup.joined >= n || setup.errors > 0; }, 20) || setup.errors) {
    std::cerr << "moim-loadgen: could not join the rooms\n";
    return 1;
  }
  run_until(ioc, [] { return false; }, 0.3);  // let the room-updated broadcasts of the joins drain

  relay.senders.resize(n);
  relay.expected_sender.resize(n);
  for (std::size_t m = 0; m < n; ++m) {
    Client& c = fleet[1 + m];
    relay.members.push_back(&c);
    const std::size_t dest = (m / 4) * 4 + (m % 4 + 1) % 4;
    relay.expected_sender[dest] = static_cast<std::uint32_t>(m);
    Sender& s = relay.senders[m];
    const std::uint32_t to = fleet[1 + dest].peer_id;
    s.candidate = candidate_message(to, m, candidate_bytes);
    s.sdp = sdp_message(to, m, sdp_bytes);
    s.candidate_ts = s.candidate.find(kMarker) + 11;
    s.sdp_ts = s.sdp.find(kMarker) + 11;
    c.set_handler(&relay);
  }
  const double avg_payload = (static_cast<double>(relay.senders[0].candidate.size()) * static_cast<double>(relay.mix - 1) +
                              static_cast<double>(relay.senders[0].sdp.size())) /
                             static_cast<double>(relay.mix);

  double server_cpu0 = 0, self_cpu0 = 0, server_wait0 = 0, self_wait0 = 0;
  std::int64_t t0 = 0, t1 = 0;
  std::uint64_t received0 = 0, received1 = 0;
  auto mark_start = [&] {
    t0 = now_ns();
    received0 = relay.received;
    server_cpu0 = pid.empty() ? 0 : cpu_seconds(pid).value_or(0);
    self_cpu0 = cpu_seconds("self").value_or(0);
    server_wait0 = pid.empty() ? 0 : runqueue_wait_seconds(pid);
    self_wait0 = runqueue_wait_seconds("self");
  };
  double server_cpu = -1, self_cpu = 0, server_wait = 0, self_wait = 0;
  auto mark_end = [&] {
    t1 = now_ns();
    received1 = relay.received;
    const double wall = static_cast<double>(t1 - t0) / 1e9;
    if (!pid.empty()) server_cpu = (cpu_seconds(pid).value_or(0) - server_cpu0) / wall;
    self_cpu = (cpu_seconds("self").value_or(0) - self_cpu0) / wall;
    // Time runnable but kept off the CPU by other work on the machine (0 on a quiet machine).
    if (!pid.empty()) server_wait = (runqueue_wait_seconds(pid) - server_wait0) / wall;
    self_wait = (runqueue_wait_seconds("self") - self_wait0) / wall;
  };

  std::vector<std::uint32_t> lag_ns;
  relay.sending = true;
  if (relay.saturate) {
    relay.sample_from = relay.sample_to = 0;
    for (std::size_t s = 0; s < n; ++s) {
      while (relay.senders[s].inflight < relay.window) relay.send_from(s);
    }
    run_for(ioc, warmup);
    mark_start();
    relay.sample_from = t0;
    relay.sample_to = t0 + static_cast<std::int64_t>(duration * 1e9);
    run_for(ioc, duration);
    mark_end();
  } else {
    relay.latencies_ns.reserve(static_cast<std::size_t>(rate * duration * 1.1));
    lag_ns.reserve(static_cast<std::size_t>(rate * (duration + warmup) * 1.1));
    const std::int64_t start = now_ns();
    const std::int64_t window_start = start + static_cast<std::int64_t>(warmup * 1e9);
    const std::int64_t window_end = window_start + static_cast<std::int64_t>(duration * 1e9);
    relay.sample_from = window_start;
    relay.sample_to = window_end;
    const double interval = 1e9 / rate;
    std::uint64_t k = 0;
    bool in_window = false;
    if (ioc.stopped()) ioc.restart();
    for (;;) {
      ioc.poll();
      const std::int64_t t = now_ns();
      if (!in_window && t >= window_start) {
        mark_start();
        in_window = true;
      }
      if (t >= window_end) break;
      for (;;) {
        const std::int64_t due = start + static_cast<std::int64_t>(static_cast<double>(k) * interval);
        if (due > t) break;
        lag_ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(now_ns() - due, 0xffffffff)));
        relay.send_from(k % n);
        ++k;
      }
    }
    mark_end();
  }
  relay.sending = false;
  const bool drained = run_until(ioc, [&] { return relay.inflight() == 0; }, 5);
  fleet.close_all();

  const double wall = static_cast<double>(t1 - t0) / 1e9;
  const double throughput = static_cast<double>(received1 - received0) / wall;
  auto ms = [](double ns) { return ns / 1e6; };
  json out = {
      {"scenario", relay.saturate ? "relay-saturation" : "relay-latency"},
      {"throughput", throughput},
      {"server_cpu", server_cpu},
      {"generator_cpu", self_cpu},
      {"server_runqueue_wait", server_wait},
      {"generator_runqueue_wait", self_wait},
      {"clients", n},
      {"rooms", rooms},
      {"mix", std::to_string(relay.mix - 1) + ":1"},
      {"candidate_frame_bytes", relay.senders[0].candidate.size()},
      {"sdp_frame_bytes", relay.senders[0].sdp.size()},
      {"avg_payload_bytes", avg_payload},
      {"sent", relay.sent},
      {"received", relay.received},
      {"lost", relay.sent - relay.received},
      {"drained", drained},
      {"misrouted", relay.misrouted},
      {"malformed", relay.malformed},
      {"errors", relay.errors},
      {"seconds", wall},
  };
  if (relay.saturate) {
    out["window"] = relay.window;
  } else {
    out["rate"] = rate;
    // The server kept up with the offered rate (a latency figure at a rate it could not carry
    // would measure queueing, not the server).
    out["kept_up"] = throughput >= 0.95 * rate && relay.sent == relay.received;
  }
  std::vector<std::uint32_t>& lat = relay.latencies_ns;
  out["samples"] = lat.size();
  out["p50_ms"] = ms(percentile(lat, 50));
  out["p99_ms"] = ms(percentile(lat, 99));
  out["p999_ms"] = ms(percentile(lat, 99.9));
  out["max_ms"] = ms(percentile(lat, 100));
  if (!lag_ns.empty()) {
    out["send_lag_p99_us"] = percentile(lag_ns, 99) / 1e3;
    out["send_lag_max_us"] = percentile(lag_ns, 100) / 1e3;
  }
  std::cout << out.dump() << std::endl;
  char line[256];
  if (relay.saturate) {
    std::snprintf(line, sizeof line,
                  "relay saturation: %.0f msg/s received, server CPU %.0f%% (+%.0f%% waiting for it), generator CPU %.0f%%",
                  throughput, server_cpu * 100, server_wait * 100, self_cpu * 100);
  } else {
    std::snprintf(line, sizeof line,
                  "relay latency at %.0f msg/s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms; server CPU %.0f%%; waiting for a "
                  "CPU: server %.1f%%, generator %.1f%% of the time",
                  rate, out["p50_ms"].get<double>(), out["p99_ms"].get<double>(), out["p999_ms"].get<double>(),
                  server_cpu * 100, server_wait * 100, self_wait * 100);
  }
  std::cerr << line << "\n";
  const bool ok = drained && relay.misrouted == 0 && relay.malformed == 0 && relay.errors == 0;
  if (!ok) std::cerr << "moim-loadgen: relay run had losses or errors\n";
  return ok ? 0 : 3;
}

}  // namespace moim::loadgen
