// soak: --clients N simulated people (default 1,000) churn for --minutes (default 10) against one
// server, and the server must give back what they took and lose no relayed message.
//
// Each person has a fixed room (N/4 rooms, capacity 6 — the default --mesh-max — created first) and loops, with a random
// pause of up to --think-ms (default 400) between steps: connect + hello, join, then in the room
// either send 1-3 signals to random peers of the room (60%), leave and join again later (25%), say
// goodbye (leave, then a close frame 1000, then a new connection: 5%), drop the connection as a failing
// network does (it goes silent: no close frame, no FIN) and come back with `resume` on a new one 0.3 s
// later (5%), or wait (5%). Every person
// keeps the room's member list from joined / resumed / peer-joined / peer-left, as a client does.
//
// Signals survive a drop as with the Moim client (docs/PROTOCOL.md, "Signals that survive a drop";
// shared/signal_ledger.hpp, the same Outbox/Inbox as shared/server_link): each person numbers the
// signals of its session (`seq`) and keeps them until the server's `pong.seen` / `resumed.seen`
// covers them, pings every `welcome.limits.heartbeatMs` with the last number it received (`seen`),
// resumes with it (and a ping right behind, whose pong marks where the resume's answer ends, for the
// accounting), sends its unconfirmed signals again right after `resumed`, and drops signals whose
// number it already had (counted: repeats dropped). A person whose drop is pending when the
// churn stops still comes back, resumes and leaves (the client's farewell), so what was kept for
// it is delivered.
//
// Every signal carries a serial number in its payload. The receiver checks it is the addressee (its
// current peer id) and that `from` is the sender's peer id at the time of sending; a serial counts as
// delivered when it first arrives, and must not arrive again under another number (duplicated); a
// repeat dropped by number must be one already delivered. A signal may be refused with
// `peer-not-found` (the addressee left while it was on the way); refusals are matched to signals,
// and a refusal written into the sender's connection as it dropped is not heard (errors are not sent
// again): such a signal counts as refused unheard only when the server's and the addressee's
// answers show it was never relayed (see soak_accounting.hpp), and as undecided
// when they cannot tell (reported, not counted as lost). After the churn stops and the traffic
// drains, every other undelivered signal is lost, and lost must be 0; the lost are split by whether
// their addressee dropped its connection within 1 s of their sending (what the ledger is for) or not
// (unexplained). `resumed.missed` (the server could not send every signal again), a person's outbox
// past its bounds, a gap in the numbers, a refusal heard for no signal or for a delivered one,
// misrouted, duplicated or unexpected errors fail the run too.
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
#include "signal_ledger.hpp"
#include "soak_accounting.hpp"

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <dirent.h>

#include <algorithm>
#include <deque>
#include <iostream>
#include <map>
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

using soak_accounting::SessionEnd;
using soak_accounting::Signal;

struct Person {
  enum class Step { Off, Connecting, Lobby, Joining, InRoom, Leaving, Goodbye, Resuming };
  std::unique_ptr<Client> conn;
  std::unique_ptr<asio::steady_timer> timer;
  std::unique_ptr<asio::steady_timer> beat;  // the heartbeat (ping)
  Step step = Step::Off;
  std::uint32_t room = 0, peer = 0;
  std::string token;
  std::set<std::uint32_t> peers;
  bool resume_next = false;  // the next connection resumes instead of joining afresh
  std::int64_t last_drop_ns = -1;
  std::vector<std::int64_t> drops;
  // The session's signals, both ways (as the Moim client's server link keeps them).
  bool in_call = false;  // from joined / resumed until left (also while the connection is down)
  ledger::Outbox<std::string> outbox{{.max_items = 256, .max_bytes = 512 * 1024}};  // encoded, with their seq
  ledger::Inbox inbox;
  std::vector<std::size_t> session_signals;  // the serials sent in this session, by seq - 1
  std::uint64_t answered_through = 0;         // resumed.seen of the last resume in this session
  std::uint64_t confirmed_through = 0;        // the highest pong.seen / resumed.seen in this session
  std::int64_t resume_sent_ns = 0;
  bool marking = false;  // the ping sent right behind the resume is not answered yet
};

class Soak : public Handler {
 public:
  Soak(asio::io_context& ioc, tcp::endpoint server, std::size_t people, double think_ms, std::size_t sources)
      : ioc_(ioc), server_(std::move(server)), think_ms_(think_ms), sources_(sources), people_(people) {
    for (auto& p : people_) {
      p.timer = std::make_unique<asio::steady_timer>(ioc_);
      p.beat = std::make_unique<asio::steady_timer>(ioc_);
    }
  }

  bool running = false;
  std::vector<std::uint32_t> rooms;
  std::uint64_t joins = 0, leaves = 0, goodbyes = 0, drops = 0, resumes = 0, connects = 0;
  std::uint64_t refused = 0, misrouted = 0, duplicates = 0, unexpected_errors = 0, unexpected_closes = 0,
                resume_mismatch = 0, connect_failures = 0, unparsed = 0;
  // The ledger: pings sent, signals sent again by the people after `resumed`, repeats the people
  // dropped by number, repeats of a signal never delivered (must be 0), numbers skipped (must be 0),
  // resumes whose `missed` said the server could not send every signal again (must be 0), resumes
  // where a person's outbox had passed its bounds (must be 0), unconfirmed signals of a session that
  // could not be resumed (lost with it).
  std::uint64_t pings = 0, resent = 0, repeats_dropped = 0, repeats_not_had = 0, gaps = 0, missed_resumes = 0,
                outbox_overflows = 0, abandoned = 0;
  std::vector<Signal> signals;
  // `peer-not-found` answers by (sender's peer id, addressee's peer id, from the error's message);
  // those whose message names no peer.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> refusals_by_pair;
  std::uint64_t refusals_unnamed = 0;
  // Per peer id (a session), about its last connection (soak_accounting.hpp).
  std::unordered_map<std::uint32_t, SessionEnd> sessions;

  void start_all() {
    running = true;
    for (std::size_t i = 0; i < people_.size(); ++i) {
      people_[i].room = rooms[i % rooms.size()];
      people_[i].resume_next = false;  // a session dropped before the last stop has expired since
      people_[i].in_call = false;
      later(i, think_ms_, [this, i] { connect(i); });
    }
  }

  // Stops new steps; whoever is in a room leaves; everyone then closes with a goodbye frame. Whoever
  // dropped its connection and is about to come back still does, resumes and then leaves (so the
  // signals kept for it reach it, as the client's farewell does).
  void stop_all() {
    running = false;
    for (std::size_t i = 0; i < people_.size(); ++i) {
      Person& p = people_[i];
      p.timer->cancel();
      if (p.step == Person::Step::Off && p.resume_next) {
        connect(i);
      } else if (p.conn && p.conn->is_open()) {
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
  // Closes whatever is left (people whose goodbye got no answer); retired connections are freed by
  // sweep_retired().
  void close_all() {
    for (auto& p : people_) {
      p.beat->cancel();
      if (p.conn) p.conn->close();
      p.step = Person::Step::Off;
    }
  }
  // Frees old connections in two steps: a connection retired over 5 s ago is closed (if the server
  // has not closed it yet) and doomed; it is freed at the next sweep, once the io_context has run the
  // handlers its close cancelled. A silently dropped connection stays open while its person's resume
  // is still to be answered: our close would be a FIN, which the server takes as the person leaving.
  void sweep_retired() {
    doomed_.clear();
    const std::int64_t before = now_ns() - 5'000'000'000;
    for (std::size_t n = retired_.size(); n > 0 && retired_.front().second < before; --n) {
      auto entry = std::move(retired_.front());
      retired_.pop_front();
      const Client& old = *entry.first;
      if (old.is_open() && people_[static_cast<std::size_t>(old.tag)].resume_next) {
        retired_.push_back(std::move(entry));  // looked at again later
        continue;
      }
      if (entry.first->is_open()) entry.first->close();
      doomed_.push_back(std::move(entry.first));
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
    if (starts_with(text, R"({"type":"room-updated")")) return;
    if (starts_with(text, R"({"type":"pong")")) {
      // The last of our signals the server has: those need not be sent again (not while the session
      // is being taken back: that pong is about a connection without it).
      const std::size_t at = text.find(R"("seen":)");
      if (at != std::string_view::npos && p.in_call && !p.resume_next) {
        const std::uint64_t seen = std::strtoull(std::string(text.substr(at + 7, 20)).c_str(), nullptr, 10);
        p.outbox.seen(seen);
        confirmed(p, seen);
      }
      if (p.marking && p.in_call && !p.resume_next) {
        p.marking = false;
        SessionEnd& session = sessions[p.peer];
        session.mark = p.inbox.seen();
        session.marked = true;
      }
      return;
    }
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
      if (msg.contains("limits")) heartbeat_ms_ = msg["limits"].value("heartbeatMs", heartbeat_ms_);
      beat(i);
      if (p.resume_next) {  // also after the stop: it comes back to leave
        p.step = Person::Step::Resuming;
        send_text(i, proto::encode(proto::ClientMessage{proto::Resume{.token = p.token,
                                                                      .name = "soak " + std::to_string(i),
                                                                      .mic = true,
                                                                      .camera = true,
                                                                      .client = "",
                                                                      .seen = p.inbox.seen()}}));
        // A ping right behind it: its pong marks where the resume's answer ends (for the accounting).
        send_text(i, proto::encode(proto::ClientMessage{proto::Ping{.seen = p.inbox.seen()}}));
        ++pings;
        p.resume_sent_ns = now_ns();
        p.marking = true;
      } else if (!running) {
        p.conn->goodbye();
        p.step = Person::Step::Off;
      } else {
        p.step = Person::Step::Lobby;
        if (running) later(i, think_ms_, [this, i] { join(i); });
      }
    } else if (type == "joined" || type == "resumed") {
      const std::uint32_t self = msg["self"].value("id", 0u);
      p.peers.clear();
      for (const auto& q : msg["peers"]) p.peers.insert(q.value("id", 0u));
      if (type == "resumed") {
        ++resumes;
        if (self != p.peer) ++resume_mismatch;
        if (msg.value("missed", false)) ++missed_resumes;
        const std::uint64_t seen = msg.value("seen", std::uint64_t{0});
        confirmed(p, seen);
        // What the server took from the dropped connection: whatever it answered went there.
        for (std::uint64_t seq = p.answered_through + 1; seq <= std::min<std::uint64_t>(seen, p.session_signals.size()); ++seq) {
          Signal& s = signals[p.session_signals[seq - 1]];
          if (!p.peers.contains(s.to_peer)) s.answer_maybe_lost = true;
        }
        p.answered_through = std::max(p.answered_through, seen);
        // Our signals the server did not have, again, in order, before anything new.
        const auto unseen = p.outbox.after(seen);
        if (!unseen) {
          ++outbox_overflows;
        } else {
          for (const std::string* text : *unseen) send_text(i, *text);
          resent += unseen->size();
        }
      } else {
        ++joins;
        p.outbox.reset();  // a new session numbers from 1
        p.inbox.reset();
        p.session_signals.clear();
        p.answered_through = 0;
        p.confirmed_through = 0;
      }
      p.in_call = true;
      if (type == "resumed") {
        sessions[self] = SessionEnd{.resume_sent_ns = p.resume_sent_ns, .attached_ns = now_ns()};
      } else {
        sessions[self] = SessionEnd{};
        p.marking = false;
      }
      p.peer = self;
      p.token = msg.value("token", "");
      p.resume_next = false;
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
      sessions[p.peer].left = true;
      p.peers.clear();
      p.in_call = false;
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
      switch (p.inbox.receive(msg.value("seq", std::uint64_t{0}))) {
        case ledger::Inbox::Arrival::Duplicate:  // sent again after a resume: we had it
          ++repeats_dropped;
          if (s.delivered == 0) ++repeats_not_had;
          return;
        case ledger::Inbox::Arrival::AfterGap: ++gaps; break;
        case ledger::Inbox::Arrival::Fresh: break;
      }
      if (SessionEnd& session = sessions[p.peer]; session.marked && p.inbox.seen() > session.mark)
        session.live_after_mark = true;
      if (s.to_peer != p.peer || msg.value("from", 0u) != s.from_peer) ++misrouted;
      if (s.delivered++ > 0) ++duplicates;
    } else if (type == "error") {
      const std::string code = msg.value("code", "");
      if (code == "peer-not-found") {
        ++refused;
        // "Peer 7 is not in your room." (server/hub.cpp): which of our signals it answers.
        const std::string text = msg.value("message", "");
        const unsigned long to = text.rfind("Peer ", 0) == 0 ? std::strtoul(text.c_str() + 5, nullptr, 10) : 0;
        if (to != 0) {
          ++refusals_by_pair[{p.peer, static_cast<std::uint32_t>(to)}];
        } else {
          ++refusals_unnamed;
        }
      } else {
        if (unexpected_errors++ < 5) std::cerr << "soak: person " << i << " got " << text << "\n";
        // Recover like a client would: from the lobby.
        if (p.step == Person::Step::Joining || p.step == Person::Step::Resuming) {
          if (p.step == Person::Step::Resuming) abandoned += p.outbox.size();  // the session could not be taken back
          p.marking = false;
          p.in_call = false;
          p.resume_next = false;
          p.step = Person::Step::Lobby;
          if (running) {
            later(i, think_ms_, [this, i] { join(i); });
          } else {
            p.conn->goodbye();
            p.step = Person::Step::Off;
          }
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
    // In a call (or on the way back into it): take the session back on a new connection.
    const bool was_resuming = (p.step == Person::Step::Connecting || p.step == Person::Step::Resuming) && p.resume_next;
    p.resume_next = (p.step == Person::Step::InRoom || was_resuming) && !p.token.empty();
    if (!p.resume_next) p.in_call = false;
    p.step = Person::Step::Off;
    if (running || p.resume_next) later(i, 300, [this, i] { connect(i); });
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

  void send(std::size_t i, const json& message) { send_text(i, message.dump()); }

  // The server says it has our signals up to `seen`: when each was first known to be there.
  void confirmed(Person& p, std::uint64_t seen) {
    const std::uint64_t through = std::min<std::uint64_t>(seen, p.session_signals.size());
    for (std::uint64_t seq = p.confirmed_through + 1; seq <= through; ++seq)
      signals[p.session_signals[seq - 1]].confirmed_ns = now_ns();
    p.confirmed_through = std::max(p.confirmed_through, through);
  }
  void send_text(std::size_t i, std::string_view text) {
    if (people_[i].conn) people_[i].conn->send(text);
  }

  // Every heartbeatMs while the connection is open, as the client does; in a call with the last
  // signal number received, so the server forgets what it need not send again.
  void beat(std::size_t i) {
    Person& p = people_[i];
    Client* client = p.conn.get();
    p.beat->expires_after(std::chrono::milliseconds(heartbeat_ms_));
    p.beat->async_wait([this, i, client](error_code ec) {
      Person& p = people_[i];
      if (ec || p.conn.get() != client || !client->is_open() || p.step == Person::Step::Off) return;
      send_text(i, proto::encode(proto::ClientMessage{proto::Ping{.seen = p.in_call ? p.inbox.seen() : 0}}));
      ++pings;
      beat(i);
    });
  }

  void connect(std::size_t i) {
    Person& p = people_[i];
    if (!running && !p.resume_next) return;
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
        if (running || people_[i].resume_next) later(i, 1000, [this, i] { connect(i); });
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
        signals.push_back(Signal{.from_peer = p.peer, .to_peer = *it, .sent_ns = now_ns(), .seq = p.outbox.next_seq()});
        // Numbered and kept until the server says it has it (as the client's server link does).
        std::string text = proto::encode(proto::ClientMessage{proto::SendSignal{proto::Signal{
            .peer = *it,
            .kind = proto::SignalKind::Candidate,
            .sdp = {},
            .candidate = {.candidate = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host ~SK" + std::to_string(serial),
                          .sdp_mid = "0",
                          .sdp_mline_index = 0},
            .seq = p.outbox.next_seq()}}});
        send_text(i, text);
        p.session_signals.push_back(serial);
        const std::size_t bytes = text.size();
        p.outbox.push(std::move(text), bytes);
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
      // Silent, as a failing network is: a FIN (or a close frame 1000/1001) is the tab leaving, and the
      // server ends the session at once (server/websocket_session.cpp). The person stops reading the
      // old connection now; the resume on the new one takes the session from it (the server then
      // closes it), and the retired connection is closed on our side 5 s later.
      retired_.emplace_back(std::move(p.conn), now_ns());
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
  std::uint32_t heartbeat_ms_ = 2000;  // until the welcome says
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
    admin.send(json{{"type", "create-room"}, {"name", "soak-" + run_id + "-" + std::to_string(r)}, {"capacity", 6}}.dump());
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

  // Every signal: delivered (once), refused, undecided or lost (the rules: soak_accounting.hpp).
  const soak_accounting::Accounting a = soak_accounting::account({
      .signals = soak.signals,
      .refusals_by_pair = soak.refusals_by_pair,
      .refusals_unnamed = soak.refusals_unnamed,
      .sessions = soak.sessions,
      .gaps = soak.gaps,
      .drops_of = [&](std::uint32_t peer) {
        const Person* person = soak.person_with(peer);
        return person ? person->drops : std::vector<std::int64_t>{};
      },
  });
  const auto tell = [&](const char* what, std::size_t k, bool with_drop) {
    const Signal& s = soak.signals[k];
    std::cerr << "soak: " << what << " signal " << k << " from peer " << s.from_peer << " (its seq " << s.seq << ") to peer "
              << s.to_peer << ", sent " << (s.sent_ns - soak_start) / 1'000'000 << " ms in"
              << (with_drop ? ", the addressee dropped its connection within 1 s" : "") << "\n";
  };
  for (std::size_t n = 0; n < a.undecided_signals.size() && n < 5; ++n) tell("undecided", a.undecided_signals[n], false);
  for (std::size_t n = 0; n < a.lost_signals.size() && n < 5; ++n) tell("lost", a.lost_signals[n].signal, a.lost_signals[n].with_drop);
  const std::uint64_t delivered = a.delivered, delivered_and_refused = a.delivered_and_refused,
                      refused_matched = a.refused_matched, refused_unheard = a.refused_unheard, undecided = a.undecided,
                      lost = a.lost, lost_with_drop = a.lost_with_drop, refusals_unmatched = a.refusals_unmatched;
  const std::uint64_t unexplained = lost - lost_with_drop;
  const std::int64_t rss_growth = rounds.size() == 2 ? rounds[1]["rss_after_bytes"].get<std::int64_t>() - warm.rss : 0;
  // The server hands free heap memory back when its last connection closes (server/hub_clock.cpp), so
  // RSS after a round is what it still holds: after 9 more minutes of churn, at most 1 MiB more.
  const bool rss_ok = rss_growth <= 1 << 20;
  const bool relay_ok = lost == 0 && delivered_and_refused == 0 && refusals_unmatched == 0 && soak.misrouted == 0 && soak.duplicates == 0 && soak.unexpected_errors == 0 &&
                        soak.resume_mismatch == 0 && soak.unparsed == 0 && soak.repeats_not_had == 0 && soak.gaps == 0 &&
                        soak.missed_resumes == 0 && soak.outbox_overflows == 0;
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
                    {"delivered", delivered},
                    {"refused_peer_gone", refused_matched + refused_unheard},
                    {"refusals_heard", soak.refused},
                    {"refused_unheard_sender_dropped", refused_unheard},
                    {"undecided_refused_unheard_or_lost", undecided},
                    {"lost", lost},
                    {"lost_with_dropped_connection", lost_with_drop},
                    {"unexplained_losses", unexplained},
                    {"delivered_and_refused", delivered_and_refused},
                    {"refusals_unmatched", refusals_unmatched},
                    {"pings", soak.pings},
                    {"signals_sent_again", soak.resent},
                    {"repeats_dropped", soak.repeats_dropped},
                    {"repeats_never_delivered", soak.repeats_not_had},
                    {"numbers_skipped", soak.gaps},
                    {"missed_resumes", soak.missed_resumes},
                    {"outbox_overflows", soak.outbox_overflows},
                    {"unconfirmed_with_expired_session", soak.abandoned},
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
  std::cerr << "soak: " << soak.signals.size() << " signals, " << delivered << " delivered, " << refused_matched
            << " refused (addressee gone) + " << refused_unheard << " refused unheard (sender dropped), " << undecided
            << " undecided (refused unheard, or lost), " << lost
            << " lost (" << lost_with_drop << " with a dropped connection, " << unexplained << " unexplained); "
            << soak.resent << " sent again by the people, " << soak.repeats_dropped << " repeats dropped ("
            << soak.repeats_not_had << " never delivered), " << soak.gaps << " numbers skipped, " << soak.missed_resumes
            << " resumes with missed, " << soak.outbox_overflows
            << " outbox overflows; RSS after warm-up round " << warm.rss / 1024
            << " KiB, after the last round " << (warm.rss + rss_growth) / 1024 << " KiB; descriptors "
            << (resources_ok ? "back to the cold count" : "NOT back to the cold count")
            << (rss_ok ? "" : "; RSS grew by more than 1 MiB between the rounds") << "\n";
  return relay_ok && resources_ok && rss_ok ? 0 : 3;
}

}  // namespace moim::loadgen
