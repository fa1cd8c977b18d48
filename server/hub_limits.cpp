// The hub's limits on what clients make it do: messages per connection, costly requests and rooms
// created per address, and room passwords (argon2id, run off the network thread as password jobs):
// how many run at once, how many checks an address may start, and the growing wait after wrong
// passwords for one room. Refusals are answered with an error; the state per address is AddressBook's.
#include "hub.hpp"

#include "json_text.hpp"

#include <sstream>
#include <string>
#include <utility>

namespace moim {

using json_text::in_quotes;
using proto::ErrorCode;

namespace {

std::string per_second(double rate) {
  std::ostringstream text;
  text << rate;
  return text.str();
}

}  // namespace

// ---- rate limits ----------------------------------------------------------------------------------

void Hub::rate_limited(HubOutput& out, ConnId conn, Conn& state, std::string message, std::string_view request) {
  // Dropped. One error a second says so; answering every message would amplify the flood.
  if (state.rate_error_ms >= 0 && now_ms_ - state.rate_error_ms < 1000) return;
  state.rate_error_ms = now_ms_;
  error(out, conn, ErrorCode::RateLimited, std::move(message), request);
}

bool Hub::admit_message(HubOutput& out, ConnId conn, Conn& state) {
  if (config_.messages_per_second <= 0 ||
      state.messages.take(now_ms_, config_.messages_per_second, config_.message_burst)) {
    return true;
  }
  rate_limited(out, conn, state,
               "Too many messages: this server accepts " + per_second(config_.messages_per_second) +
                   " a second from one connection. Messages over the limit are dropped.",
               "");
  return false;
}

bool Hub::admit_request(HubOutput& out, ConnId conn, Conn& state, std::string_view request) {
  if (addresses_.take_request(state.address, now_ms_)) return true;
  rate_limited(out, conn, state,
               "Too many requests from your network address: this server accepts " +
                   per_second(config_.requests_per_address_per_second) +
                   " a second (hello, create, join, resume, rename, delete) over all its connections. Try again shortly.",
               request);
  return false;
}

// ---- room quotas ----------------------------------------------------------------------------------

bool Hub::within_room_quota(HubOutput& out, ConnId conn, const Conn& state) {
  constexpr std::string_view request = "create-room";
  if (config_.max_rooms_per_address_per_hour > 0) {
    const std::vector<std::int64_t>& created = addresses_.rooms_created(state.address, now_ms_);
    if (created.size() >= config_.max_rooms_per_address_per_hour) {
      const std::int64_t wait_s = (created.front() + 3600 * 1000 - now_ms_ + 59999) / 60000 * 60;
      error(out, conn, ErrorCode::RoomQuota,
            "You have created " + std::to_string(created.size()) +
                " rooms in the last hour, the most this server allows. Try again in " + std::to_string(wait_s / 60) +
                " minutes, or join an existing room.",
            request);
      return false;
    }
  }
  if (config_.max_live_rooms_per_address > 0) {
    const std::size_t live = rooms_.live_rooms_of(services_.secrets.digest(state.address));
    if (live >= config_.max_live_rooms_per_address) {
      error(out, conn, ErrorCode::RoomQuota,
            "Rooms created from your network address already number " + std::to_string(live) +
                ", the most this server allows. Delete one you no longer need, or join an existing room.",
            request);
      return false;
    }
  }
  return true;
}

// ---- password jobs --------------------------------------------------------------------------------

void Hub::start_password_hash(HubOutput& out, ConnId conn, Conn& state, const proto::CreateRoom& req) {
  constexpr std::string_view request = "create-room";
  // A hash is as costly as a check: it comes out of the same per-address budget (a create that is
  // abandoned before its hash is done would otherwise cost nothing).
  if (!addresses_.may_start_check(state.address, now_ms_)) {
    error(out, conn, ErrorCode::TooManyAttempts,
          "Too many password operations from your network address. Wait a minute before trying again.", request);
    return;
  }
  if (start_password_job(out, conn, state,
                         PasswordJob{.id = 0, .kind = PasswordJob::Kind::Hash, .password = req.password, .hash = {}},
                         req, request)) {
    addresses_.check_started(state.address, now_ms_);
  }
}

void Hub::start_password_check(HubOutput& out, ConnId conn, Conn& state, const proto::Join& join,
                               const proto::RoomInfo& room) {
  constexpr std::string_view request = "join";
  if (join.password.empty()) {
    error(out, conn, ErrorCode::PasswordRequired, "Room " + in_quotes(room.name) + " needs a password.", request);
    return;
  }
  // This address's tries at this room: a few are free, then each waits twice as long as the last.
  if (const std::int64_t wait_ms = addresses_.retry_wait_ms(state.address, join.room, now_ms_); wait_ms > 0) {
    error(out, conn, ErrorCode::TooManyAttempts,
          "Too many wrong passwords for this room. Wait " + std::to_string((wait_ms + 999) / 1000) +
              " s before trying again.",
          request);
    return;
  }
  // And over every room: checks are counted when they start, so parallel tries count too.
  if (!addresses_.may_start_check(state.address, now_ms_)) {
    error(out, conn, ErrorCode::TooManyAttempts,
          "Too many password attempts from your network address. Wait a minute before trying again.", request);
    return;
  }
  if (state.password_job != 0) {
    error(out, conn, ErrorCode::ServerBusy, "Your last password is still being checked.", request);
    return;
  }
  const RoomRecord* record = rooms_.find(join.room);
  if (!record) {
    error(out, conn, ErrorCode::RoomNotFound, "That room does not exist (it may have been removed).", request);
    return;
  }
  if (!start_password_job(
          out, conn, state,
          PasswordJob{.id = 0, .kind = PasswordJob::Kind::Verify, .password = join.password, .hash = record->password_hash},
          join, request)) {
    return;
  }
  state.password_job = out.password_jobs.back().id;
  addresses_.check_started(state.address, now_ms_);
}

bool Hub::start_password_job(HubOutput& out, ConnId conn, Conn& state, PasswordJob job,
                             std::variant<proto::CreateRoom, proto::Join> request, std::string_view name) {
  if (pending_.size() >= config_.max_password_jobs || !addresses_.may_start_job(state.address, now_ms_)) {
    error(out, conn, ErrorCode::ServerBusy, "The server is busy checking passwords. Try again in a moment.", name);
    return false;
  }
  job.id = next_job_id_++;
  addresses_.job_started(state.address, now_ms_);
  pending_[job.id] = Pending{conn, state.address, std::move(request)};
  out.password_jobs.push_back(std::move(job));
  return true;
}

HubOutput Hub::on_password_result(const PasswordResult& result) {
  HubOutput out;
  auto it = pending_.find(result.id);
  if (it == pending_.end()) return out;
  Pending pending = std::move(it->second);
  pending_.erase(it);
  addresses_.job_finished(pending.address);
  // A wrong password counts against its address and room even when its connection has closed
  // meanwhile: otherwise closing right after each try would skip every growing wait (found by fuzz_hub).
  if (const auto* join = std::get_if<proto::Join>(&pending.request); join && !result.ok && result.error.empty()) {
    addresses_.wrong_password(pending.address, join->room, now_ms_);
  }
  auto conn = conns_.find(pending.conn);
  if (conn == conns_.end()) return out;  // gone meanwhile: nobody to answer
  Conn& state = conn->second;
  if (const auto* create = std::get_if<proto::CreateRoom>(&pending.request)) {
    if (!result.ok) {
      error(out, pending.conn, ErrorCode::Internal, "The password could not be stored: " + result.error, "create-room");
      return out;
    }
    if (!within_room_quota(out, pending.conn, state)) return out;  // others were created meanwhile
    on_create(out, pending.conn, *create, result.hash);
    return out;
  }
  const auto& join = std::get<proto::Join>(pending.request);
  if (state.password_job == result.id) state.password_job = 0;
  if (!result.ok) {
    if (!result.error.empty()) {
      error(out, pending.conn, ErrorCode::Internal, "The password could not be checked: " + result.error, "join");
      return out;
    }
    error(out, pending.conn, ErrorCode::PasswordWrong, "Wrong password.", "join");
    return out;
  }
  // The room may have changed meanwhile (deleted, recreated with another password): check again.
  if (!rooms_.contains(join.room)) {
    error(out, pending.conn, ErrorCode::RoomNotFound, "That room does not exist (it may have been removed).", "join");
    return out;
  }
  addresses_.right_password(pending.address, join.room);  // the right password: this room's count starts over
  on_join(out, pending.conn, state, join, true);
  return out;
}

}  // namespace moim
