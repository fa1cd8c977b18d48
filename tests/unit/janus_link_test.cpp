// moim-server's link to Janus (server/sfu/janus_link.hpp), step by step with the clock set by hand:
// session and handle, keepalive, the caller's room requests and every answer Janus gives them, timeouts,
// the socket lost and the session claimed back or made again (RecreateRooms), Janus dropping the
// session, wrong secrets, stop; and the --janus-url parser.
#include "effect_script.hpp"
#include "janus_link.hpp"

#include <gtest/gtest.h>

namespace moim::sfu {
namespace {

using json = nlohmann::json;

struct Step {
  std::int64_t at;
  Event event;
  Effects expected;
};

void run(Link& link, const std::vector<Step>& script) {
  test::run_script(script, [&](const Step& s) { return link.handle(s.event, s.at); }, test::at_ms<Step>);
}

Config config() {
  Config c;
  c.api_secret = "api";
  c.admin_key = "adm";
  return c;  // keepalive 15 s, requests 10 s, connect 5 s, backoff 0.25 .. 4 s
}

MessageReceived from_janus(std::string_view text) { return MessageReceived{std::string(text)}; }
Send sent(std::string_view text) { return Send{json::parse(text)}; }
Log info(std::string text) { return Log{Log::Level::Info, std::move(text)}; }
Log warn(std::string text) { return Log{Log::Level::Warn, std::move(text)}; }
Log error(std::string text) { return Log{Log::Level::Error, std::move(text)}; }
RequestFailed failed(RequestId id, ErrorCode code, std::string reason, int janus_code = 0) {
  return RequestFailed{id, Error{code, janus_code, std::move(reason)}};
}

constexpr JanusId kSession = 11, kHandle = 22;
const std::string kCreate = R"({"janus":"create","transaction":"k1","apisecret":"api"})";
const std::string kAttach =
    R"({"janus":"attach","transaction":"k2","apisecret":"api","session_id":11,"plugin":"janus.plugin.videoroom"})";
const std::string kCreated = R"({"janus":"success","transaction":"k1","data":{"id":11}})";
const std::string kAttached = R"({"janus":"success","session_id":11,"transaction":"k2","data":{"id":22}})";
const std::string kLost = "the connection to Janus was lost: ";

// Started at `at`; ready (session 11, handle 22) at the same moment. The link's own transactions so
// far: k1 (create), k2 (attach).
void ready(Link& link, std::int64_t at = 0) {
  run(link, {
                {at, Start{}, {OpenSocket{}}},
                {at, SocketOpened{}, {sent(kCreate)}},
                {at, from_janus(kCreated), {sent(kAttach)}},
                {at, from_janus(kAttached),
                 {SessionUp{kSession, kHandle, SessionKind::First}, info("ready: session 11, VideoRoom handle 22 (first)")}},
            });
  ASSERT_TRUE(link.ready());
}

std::string create_room_message(RequestId id, JanusId room, std::string_view secret, int publishers) {
  return R"({"janus":"message","transaction":"r)" + std::to_string(id) +
         R"(","apisecret":"api","session_id":11,"handle_id":22,"body":{"request":"create","room":)" +
         std::to_string(room) + R"(,"secret":")" + std::string(secret) +
         R"(","is_private":true,"permanent":false,"publishers":)" + std::to_string(publishers) +
         R"(,"description":"moim room )" + std::to_string(room) + R"(","admin_key":"adm"}})";
}
std::string destroy_room_message(RequestId id, JanusId room, std::string_view secret) {
  return R"({"janus":"message","transaction":"r)" + std::to_string(id) +
         R"(","apisecret":"api","session_id":11,"handle_id":22,"body":{"request":"destroy","room":)" +
         std::to_string(room) + R"(,"secret":")" + std::string(secret) + R"(","permanent":false}})";
}
// VideoRoom's answer to request `id`: plugindata.data = `data`.
std::string plugin_answer(RequestId id, std::string_view data) {
  return R"({"janus":"success","session_id":11,"transaction":"r)" + std::to_string(id) +
         R"(","sender":22,"plugindata":{"plugin":"janus.plugin.videoroom","data":)" + std::string(data) + "}}";
}

TEST(JanusLink, CreatesASessionAttachesVideoRoomAndKeepsItAlive) {
  Link link(config());
  EXPECT_EQ(link.phase(), Phase::Idle);
  ready(link);
  EXPECT_EQ(link.session(), kSession);
  EXPECT_EQ(link.handle_id(), kHandle);
  run(link, {
                {14999, Tick{}, {}},
                {15000, Tick{}, {sent(R"({"janus":"keepalive","transaction":"k3","apisecret":"api","session_id":11})")}},
                {15010, from_janus(R"({"janus":"ack","session_id":11,"transaction":"k3"})"), {}},
                {20000, Tick{}, {}},
                {30000, Tick{}, {sent(R"({"janus":"keepalive","transaction":"k4","apisecret":"api","session_id":11})")}},
                {30005, from_janus(R"({"janus":"ack","session_id":11,"transaction":"k4"})"), {}},
            });
  EXPECT_EQ(link.in_flight(), 0u);
}

TEST(JanusLink, WithoutSecretsNoneIsSent) {
  Link link(Config{});
  run(link, {
                {0, Start{}, {OpenSocket{}}},
                {0, SocketOpened{}, {sent(R"({"janus":"create","transaction":"k1"})")}},
                {0, from_janus(kCreated),
                 {sent(R"({"janus":"attach","transaction":"k2","session_id":11,"plugin":"janus.plugin.videoroom"})")}},
                {0, from_janus(kAttached), {SessionUp{kSession, kHandle, SessionKind::First}, info("ready: session 11, VideoRoom handle 22 (first)")}},
                {1, CreateRoom{5, 7, "s", 3, "Standup"},
                 {sent(R"({"janus":"message","transaction":"r5","session_id":11,"handle_id":22,"body":{"request":"create",)"
                       R"("room":7,"secret":"s","is_private":true,"permanent":false,"publishers":3,"description":"Standup"}})")}},
            });
}

TEST(JanusLink, CreatesAndDestroysRooms) {
  Link link(config());
  ready(link);
  run(link, {
                {100, CreateRoom{1, 42, "room-secret", 50, ""}, {sent(create_room_message(1, 42, "room-secret", 50))}},
                {110, DestroyRoom{2, 9, "other"}, {sent(destroy_room_message(2, 9, "other"))}},
                // Answers in any order; an "ack" before the answer changes nothing.
                {120, from_janus(R"({"janus":"ack","session_id":11,"transaction":"r2"})"), {}},
                {130, from_janus(plugin_answer(2, R"({"videoroom":"destroyed","room":9,"permanent":false})")), {RequestDone{2, 9}}},
                {140, from_janus(plugin_answer(1, R"({"videoroom":"created","room":42,"permanent":false})")), {RequestDone{1, 42}}},
            });
  EXPECT_EQ(link.in_flight(), 0u);
}

// Every answer VideoRoom or the core gives a room request, and the code it becomes.
TEST(JanusLink, EveryRefusalHasItsCode) {
  struct Case {
    std::string answer;  // to request #1, a create of room 42
    Error error;
  };
  const std::vector<Case> cases = {
      {plugin_answer(1, R"({"videoroom":"event","error_code":427,"error":"Room 42 already exists"})"),
       {ErrorCode::RoomExists, 427, "Room 42 already exists"}},
      {plugin_answer(1, R"j({"videoroom":"event","error_code":426,"error":"No such room (42)"})j"),
       {ErrorCode::NoSuchRoom, 426, "No such room (42)"}},
      {plugin_answer(1, R"j({"videoroom":"event","error_code":433,"error":"Unauthorized (wrong secret)"})j"),
       {ErrorCode::RoomUnauthorized, 433, "Unauthorized (wrong secret)"}},
      {plugin_answer(1, R"j({"videoroom":"event","error_code":429,"error":"Missing mandatory element (admin_key)"})j"),
       {ErrorCode::BadRequest, 429, "Missing mandatory element (admin_key)"}},
      {plugin_answer(1, R"({"videoroom":"event","error_code":499,"error":"Unknown error"})"),
       {ErrorCode::JanusError, 499, "Unknown error"}},
      {plugin_answer(1, R"({"videoroom":"event","error_code":"x","error":"odd"})"), {ErrorCode::JanusError, 0, "odd"}},
      {R"j({"janus":"error","session_id":11,"transaction":"r1","error":{"code":403,"reason":"Unauthorized request (wrong or missing secret/token)"}})j",
       {ErrorCode::Unauthorized, 403, "Unauthorized request (wrong or missing secret/token)"}},
      {R"({"janus":"error","session_id":11,"transaction":"r1","error":{"code":454,"reason":"Invalid JSON"}})",
       {ErrorCode::BadRequest, 454, "Invalid JSON"}},
      {R"({"janus":"error","transaction":"r1"})", {ErrorCode::BadReply, 0, "an error without its code"}},
      {R"({"janus":"success","session_id":11,"transaction":"r1"})",
       {ErrorCode::BadReply, 0, R"(expected 'created' for room 42: {})"}},
      {plugin_answer(1, R"({"videoroom":"created","room":43})"),
       {ErrorCode::BadReply, 0, R"(expected 'created' for room 42: {"room":43,"videoroom":"created"})"}},
      {plugin_answer(1, R"({"videoroom":"destroyed","room":42})"),
       {ErrorCode::BadReply, 0, R"(expected 'created' for room 42: {"room":42,"videoroom":"destroyed"})"}},
      {R"({"janus":"hangup","session_id":11,"transaction":"r1"})", {ErrorCode::BadReply, 0, "unexpected answer 'hangup'"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.answer);
    Link link(config());
    ready(link);
    run(link, {
                  {100, CreateRoom{1, 42, "s", 6, ""}, {sent(create_room_message(1, 42, "s", 6))}},
                  {200, from_janus(c.answer), {RequestFailed{1, c.error}}},
              });
    EXPECT_TRUE(link.ready());
  }
}

TEST(JanusLink, ClassifiesJanusCodes) {
  const std::vector<std::pair<int, ErrorCode>> table = {
      {403, ErrorCode::Unauthorized}, {458, ErrorCode::SessionLost},   {459, ErrorCode::SessionLost},
      {426, ErrorCode::NoSuchRoom},   {427, ErrorCode::RoomExists},    {433, ErrorCode::RoomUnauthorized},
      {421, ErrorCode::BadRequest},   {422, ErrorCode::BadRequest},    {423, ErrorCode::BadRequest},
      {429, ErrorCode::BadRequest},   {430, ErrorCode::BadRequest},    {452, ErrorCode::BadRequest},
      {453, ErrorCode::BadRequest},   {454, ErrorCode::BadRequest},    {455, ErrorCode::BadRequest},
      {456, ErrorCode::BadRequest},   {457, ErrorCode::BadRequest},    {467, ErrorCode::BadRequest},
      {490, ErrorCode::JanusError},   {460, ErrorCode::JanusError},    {432, ErrorCode::JanusError},
      {0, ErrorCode::JanusError},     {-1, ErrorCode::JanusError},
  };
  for (const auto& [code, expected] : table) EXPECT_EQ(classify(code), expected) << code;
  // The names are stable (logs and, later, the protocol use them).
  const std::vector<std::pair<ErrorCode, std::string_view>> names = {
      {ErrorCode::Unavailable, "unavailable"},   {ErrorCode::Timeout, "timeout"},
      {ErrorCode::ConnectionLost, "connection-lost"}, {ErrorCode::SessionLost, "session-lost"},
      {ErrorCode::Unauthorized, "unauthorized"}, {ErrorCode::RoomUnauthorized, "room-unauthorized"},
      {ErrorCode::NoSuchRoom, "no-such-room"},   {ErrorCode::RoomExists, "room-exists"},
      {ErrorCode::BadRequest, "bad-request"},    {ErrorCode::BadReply, "bad-reply"},
      {ErrorCode::Busy, "busy"},                 {ErrorCode::Stopped, "stopped"},
      {ErrorCode::JanusError, "janus-error"},
  };
  for (const auto& [code, name] : names) EXPECT_EQ(to_string(code), name);
}

TEST(JanusLink, RefusesRequestsItCannotSend) {
  Config small = config();
  small.max_pending = 2;
  Link link(small);
  const std::string kBadSecret = "the room secret must be 1-256 printable bytes";
  run(link, {
                {0, CreateRoom{1, 42, "s", 6, ""}, {failed(1, ErrorCode::Unavailable, "no session with Janus (idle)")}},
                {0, Start{}, {OpenSocket{}}},
                {0, DestroyRoom{2, 42, "s"}, {failed(2, ErrorCode::Unavailable, "no session with Janus (connecting)")}},
                {0, SocketOpened{}, {sent(kCreate)}},
                {0, CreateRoom{3, 42, "s", 6, ""}, {failed(3, ErrorCode::Unavailable, "no session with Janus (creating)")}},
                {0, from_janus(kCreated), {sent(kAttach)}},
                {0, CreateRoom{4, 42, "s", 6, ""}, {failed(4, ErrorCode::Unavailable, "no session with Janus (attaching)")}},
                {0, from_janus(kAttached), {SessionUp{kSession, kHandle, SessionKind::First}, info("ready: session 11, VideoRoom handle 22 (first)")}},
                // Malformed: checked here, never sent.
                {1, CreateRoom{5, 0, "s", 6, ""}, {failed(5, ErrorCode::BadRequest, "room id 0 is out of range")}},
                {1, CreateRoom{6, kMaxRoomId + 1, "s", 6, ""},
                 {failed(6, ErrorCode::BadRequest, "room id 9007199254740992 is out of range")}},
                {1, CreateRoom{7, 42, "", 6, ""}, {failed(7, ErrorCode::BadRequest, kBadSecret)}},
                {1, CreateRoom{8, 42, std::string(257, 's'), 6, ""}, {failed(8, ErrorCode::BadRequest, kBadSecret)}},
                {1, CreateRoom{9, 42, "a\nb", 6, ""}, {failed(9, ErrorCode::BadRequest, kBadSecret)}},
                {1, CreateRoom{10, 42, "s", 0, ""}, {failed(10, ErrorCode::BadRequest, "publishers must be from 1 to 100")}},
                {1, CreateRoom{11, 42, "s", 101, ""}, {failed(11, ErrorCode::BadRequest, "publishers must be from 1 to 100")}},
                {1, CreateRoom{12, 42, "s", 6, "tab\there"},
                 {failed(12, ErrorCode::BadRequest, "the description must be at most 256 printable bytes")}},
                {1, DestroyRoom{13, 0, "s"}, {failed(13, ErrorCode::BadRequest, "room id 0 is out of range")}},
                {1, DestroyRoom{14, 42, ""}, {failed(14, ErrorCode::BadRequest, kBadSecret)}},
                // The largest room id and secret go out.
                {2, CreateRoom{15, kMaxRoomId, std::string(256, 's'), 100, ""},
                 {sent(create_room_message(15, kMaxRoomId, std::string(256, 's'), 100))}},
                // An id in flight cannot be used again; past max_pending: busy.
                {3, DestroyRoom{15, 42, "s"}, {failed(15, ErrorCode::BadRequest, "request #15 is already in flight")}},
                {3, DestroyRoom{16, 42, "s"}, {sent(destroy_room_message(16, 42, "s"))}},
                {3, DestroyRoom{17, 42, "s"}, {failed(17, ErrorCode::Busy, "2 requests in flight")}},
                {4, from_janus(plugin_answer(16, R"({"videoroom":"destroyed","room":42})")), {RequestDone{16, 42}}},
                {5, DestroyRoom{17, 42, "s"}, {sent(destroy_room_message(17, 42, "s"))}},
                // The link's own requests do not count: a keepalive goes out however many are in flight.
                {15000, Tick{},
                 {failed(15, ErrorCode::Timeout, "Janus did not answer within 10 s"),
                  failed(17, ErrorCode::Timeout, "Janus did not answer within 10 s"),
                  sent(R"({"janus":"keepalive","transaction":"k3","apisecret":"api","session_id":11})")}},
            });
}

// A request Janus does not answer fails at its deadline; the link stays up, and the late answer is
// ignored (said once).
TEST(JanusLink, UnansweredRequestsTimeOut) {
  Link link(config());
  ready(link);
  run(link, {
                {100, CreateRoom{1, 42, "s", 6, ""}, {sent(create_room_message(1, 42, "s", 6))}},
                {5000, DestroyRoom{2, 42, "s"}, {sent(destroy_room_message(2, 42, "s"))}},
                {10099, Tick{}, {}},
                {10100, Tick{}, {failed(1, ErrorCode::Timeout, "Janus did not answer within 10 s")}},
                {10200, from_janus(plugin_answer(1, R"({"videoroom":"created","room":42})")),
                 {warn("ignored an answer to a transaction not in flight (late, or not ours) (said once until the link is ready again)")}},
                {10300, from_janus(R"({"janus":"success","transaction":"zzz"})"), {}},
                {14000, from_janus(plugin_answer(2, R"({"videoroom":"destroyed","room":42})")), {RequestDone{2, 42}}},
            });
  EXPECT_TRUE(link.ready());
}

// The socket closes under a ready link: what is in flight fails, the session is claimed back on the
// next socket, and nothing was lost.
TEST(JanusLink, ClaimsTheSessionBackAfterTheSocketDrops) {
  Link link(config());
  ready(link);
  run(link, {
                {100, CreateRoom{1, 42, "s", 6, ""}, {sent(create_room_message(1, 42, "s", 6))}},
                {200, SocketClosed{"read: End of file"},
                 {failed(1, ErrorCode::ConnectionLost, kLost + "read: End of file"), SessionDown{"read: End of file"},
                  warn("connection lost (read: End of file); connecting again")}},
                {200, CreateRoom{2, 42, "s", 6, ""}, {failed(2, ErrorCode::Unavailable, "no session with Janus (waiting)")}},
                {200, SocketClosed{"late"}, {}},  // nothing of a dropped socket counts
                {449, Tick{}, {}},
                {450, Tick{}, {OpenSocket{}}},
                {460, SocketOpened{}, {sent(R"({"janus":"claim","transaction":"k3","apisecret":"api","session_id":11})")}},
                {470, from_janus(R"({"janus":"success","session_id":11,"transaction":"k3"})"),
                 {SessionUp{kSession, kHandle, SessionKind::Reclaimed}, info("ready: session 11, VideoRoom handle 22 (reclaimed)")}},
                {480, CreateRoom{3, 42, "s", 6, ""}, {sent(create_room_message(3, 42, "s", 6))}},
                {490, from_janus(plugin_answer(3, R"({"videoroom":"created","room":42})")), {RequestDone{3, 42}}},
                // The keepalive's clock starts again at the claim.
                {15469, Tick{}, {}},
                {15470, Tick{}, {sent(R"({"janus":"keepalive","transaction":"k4","apisecret":"api","session_id":11})")}},
            });
}

// Janus restarted: the claim finds no session; a new one is made and the owner told to make its
// rooms again.
TEST(JanusLink, MakesANewSessionAndAsksForTheRoomsAfterJanusRestarted) {
  Link link(config());
  ready(link);
  run(link, {
                {1000, SocketClosed{"read: Connection reset by peer"},
                 {SessionDown{"read: Connection reset by peer"}, warn("connection lost (read: Connection reset by peer); connecting again")}},
                {1250, Tick{}, {OpenSocket{}}},
                {1250, SocketClosed{"connect: Connection refused"},
                 {warn("cannot reach Janus (connect: Connection refused); trying again every 4 s at most")}},
                {1499, Tick{}, {}},
                {1500, Tick{}, {OpenSocket{}}},
                {1760, SocketOpened{}, {sent(R"({"janus":"claim","transaction":"k3","apisecret":"api","session_id":11})")}},
                {1770, from_janus(R"({"janus":"error","session_id":11,"transaction":"k3","error":{"code":458,"reason":"No such session 11"}})"),
                 {warn("Janus no longer knows session 11 (restarted, or the session timed out): making a new one"),
                  sent(R"({"janus":"create","transaction":"k4","apisecret":"api"})")}},
                {1780, from_janus(R"({"janus":"success","transaction":"k4","data":{"id":33}})"),
                 {sent(R"({"janus":"attach","transaction":"k5","apisecret":"api","session_id":33,"plugin":"janus.plugin.videoroom"})")}},
                {1790, from_janus(R"({"janus":"success","session_id":33,"transaction":"k5","data":{"id":44}})"),
                 {SessionUp{33, 44, SessionKind::Replaced}, RecreateRooms{}, info("ready: session 33, VideoRoom handle 44 (replaced)")}},
            });
  EXPECT_EQ(link.session(), 33u);
  EXPECT_EQ(link.attempts(), 0);
}

// moim-server restarted: the session of its previous run is claimed before anything else, and the
// handles it had are the caller's again (their events reach it); nothing was lost.
TEST(JanusLink, ClaimsTheSessionOfAnEarlierRun) {
  Link link(config());
  run(link, {
                {0, Start{EarlierSession{.session = kSession, .handle = kHandle, .handles = {77}}}, {OpenSocket{}}},
                {10, SocketOpened{}, {sent(R"({"janus":"claim","transaction":"k1","apisecret":"api","session_id":11})")}},
                {20, from_janus(R"({"janus":"success","session_id":11,"transaction":"k1"})"),
                 {SessionUp{kSession, kHandle, SessionKind::Reclaimed}, info("ready: session 11, VideoRoom handle 22 (reclaimed)")}},
                {30, from_janus(R"({"janus":"hangup","session_id":11,"sender":77,"reason":"ICE failed"})"),
                 {HandleEvent{77, "hangup", {{"janus", "hangup"}, {"session_id", 11}, {"sender", 77}, {"reason", "ICE failed"}}, nullptr}}},
                {40, CreateRoom{1, 42, "s", 6, ""}, {sent(create_room_message(1, 42, "s", 6))}},
            });
}

// ... and when Janus no longer has it (Janus restarted too, or the server was away longer than
// reclaim_session_timeout): a new session, which replaces the lost one (the rooms are made again),
// and the old handles are nobody's.
TEST(JanusLink, AnEarlierRunsSessionJanusForgotIsReplaced) {
  Link link(config());
  run(link, {
                {0, Start{EarlierSession{.session = kSession, .handle = kHandle, .handles = {77}}}, {OpenSocket{}}},
                {10, SocketOpened{}, {sent(R"({"janus":"claim","transaction":"k1","apisecret":"api","session_id":11})")}},
                {20, from_janus(R"({"janus":"error","session_id":11,"transaction":"k1","error":{"code":458,"reason":"No such session 11"}})"),
                 {warn("Janus no longer knows session 11 (restarted, or the session timed out): making a new one"),
                  sent(R"({"janus":"create","transaction":"k2","apisecret":"api"})")}},
                {30, from_janus(R"({"janus":"success","transaction":"k2","data":{"id":33}})"),
                 {sent(R"({"janus":"attach","transaction":"k3","apisecret":"api","session_id":33,"plugin":"janus.plugin.videoroom"})")}},
                {40, from_janus(R"({"janus":"success","session_id":33,"transaction":"k3","data":{"id":44}})"),
                 {SessionUp{33, 44, SessionKind::Replaced}, RecreateRooms{}, info("ready: session 33, VideoRoom handle 44 (replaced)")}},
                {50, from_janus(R"({"janus":"hangup","session_id":33,"sender":77})"),
                 {warn("ignored a Janus event 'hangup' (said once until the link is ready again)")}},
            });
}

// Each run of moim-server puts its own prefix before its transactions: Janus answering, after the
// claim, a request of the previous run ("r1" there) is not taken for this run's request 1.
TEST(JanusLink, TransactionsCarryThisRunsPrefix) {
  Config c = config();
  c.transaction_prefix = "b7-";
  Link link(c);
  run(link, {
                {0, Start{EarlierSession{.session = kSession, .handle = kHandle, .handles = {77}}}, {OpenSocket{}}},
                {10, SocketOpened{}, {sent(R"({"janus":"claim","transaction":"b7-k1","apisecret":"api","session_id":11})")}},
                {20, from_janus(R"({"janus":"success","session_id":11,"transaction":"b7-k1"})"),
                 {SessionUp{kSession, kHandle, SessionKind::Reclaimed}, info("ready: session 11, VideoRoom handle 22 (reclaimed)")}},
                {30, PluginMessage{1, 77, {{"request", "configure"}}, nullptr},
                 {sent(R"({"janus":"message","transaction":"b7-r1","apisecret":"api","session_id":11,"handle_id":77,"body":{"request":"configure"}})")}},
                {40, from_janus(R"({"janus":"event","session_id":11,"sender":77,"transaction":"r1","plugindata":{"plugin":"janus.plugin.videoroom","data":{"configured":"ok"}}})"),
                 {warn("ignored an answer to a transaction not in flight (late, or not ours) (said once until the link is ready again)")}},
                {50, from_janus(R"({"janus":"event","session_id":11,"sender":77,"transaction":"b7-r1","plugindata":{"plugin":"janus.plugin.videoroom","data":{"configured":"ok"}}})"),
                 {PluginReply{1, 77, {{"configured", "ok"}}, nullptr}}},
            });
}

// Tries after a loss wait 0.25, 0.5, 1, 2, 4, 4 ... s; said once, then every 30th try; a ready link
// starts the count again.
TEST(JanusLink, BacksOffWhileJanusIsAway) {
  Link link(config());
  std::vector<Step> script = {{0, Start{}, {OpenSocket{}}},
                              {0, SocketClosed{"connect: Connection refused"},
                               {warn("cannot reach Janus (connect: Connection refused); trying again every 4 s at most")}}};
  std::int64_t at = 0;
  for (int attempt = 2; attempt <= 31; ++attempt) {
    const std::int64_t wait = std::min<std::int64_t>(4000, 250LL << (attempt - 2));
    at += wait;
    script.push_back({at - 1, Tick{}, {}});
    script.push_back({at, Tick{}, {OpenSocket{}}});
    Effects refused;
    if (attempt == 30) refused.push_back(warn("still cannot reach Janus after 30 tries (connect: Connection refused); trying again every 4 s at most"));
    script.push_back({at, SocketClosed{"connect: Connection refused"}, refused});
  }
  run(link, script);
  EXPECT_EQ(link.attempts(), 31);
  EXPECT_EQ(link.retry_at(), at + 4000);
  // Back: a first session (none was ever ready), and the count starts again.
  run(link, {
                {at + 4000, Tick{}, {OpenSocket{}}},
                {at + 4000, SocketOpened{}, {sent(kCreate)}},
                {at + 4000, from_janus(kCreated), {sent(kAttach)}},
                {at + 4000, from_janus(kAttached),
                 {SessionUp{kSession, kHandle, SessionKind::First}, info("ready: session 11, VideoRoom handle 22 (first)")}},
                {at + 5000, SocketClosed{"gone"}, {SessionDown{"gone"}, warn("connection lost (gone); connecting again")}},
            });
  EXPECT_EQ(link.retry_at(), at + 5250);
}

// A socket that neither opens nor fails (a black hole) is given up after connect_timeout_ms.
TEST(JanusLink, GivesUpASocketThatNeverOpens) {
  Link link(config());
  run(link, {
                {0, Start{}, {OpenSocket{}}},
                {4999, Tick{}, {}},
                {5000, Tick{},
                 {CloseSocket{}, warn("cannot reach Janus (the connection did not open within 5 s); trying again every 4 s at most")}},
                {5000, SocketOpened{}, {}},  // too late: that socket is gone
                {5250, Tick{}, {OpenSocket{}}},
            });
  EXPECT_EQ(link.phase(), Phase::Connecting);
}

// The link's own request unanswered (Janus hangs): the socket is dropped and made again.
TEST(JanusLink, AKeepaliveUnansweredDropsTheSocket) {
  Link link(config());
  ready(link);
  run(link, {
                {15000, Tick{}, {sent(R"({"janus":"keepalive","transaction":"k3","apisecret":"api","session_id":11})")}},
                {20000, CreateRoom{1, 42, "s", 6, ""}, {sent(create_room_message(1, 42, "s", 6))}},
                {25000, Tick{},
                 {CloseSocket{}, failed(1, ErrorCode::ConnectionLost, kLost + "Janus did not answer keepalive within 10 s"),
                  SessionDown{"Janus did not answer keepalive within 10 s"},
                  warn("connection lost (Janus did not answer keepalive within 10 s); connecting again")}},
                {25250, Tick{}, {OpenSocket{}}},
            });
}

TEST(JanusLink, ASessionRequestUnansweredDropsTheSocket) {
  Link link(config());
  run(link, {
                {0, Start{}, {OpenSocket{}}},
                {0, SocketOpened{}, {sent(kCreate)}},
                {10000, Tick{},
                 {CloseSocket{}, warn("cannot reach Janus (Janus did not answer create within 10 s); trying again every 4 s at most")}},
            });
  EXPECT_EQ(link.phase(), Phase::Waiting);
}

// Janus ends the session while the socket stays (the keepalives did not arrive in time): what is in
// flight fails, a new session is made on the same socket, and the rooms are asked for.
TEST(JanusLink, MakesANewSessionWhenJanusTimesItOut) {
  Link link(config());
  ready(link);
  run(link, {
                {100, CreateRoom{1, 42, "s", 6, ""}, {sent(create_room_message(1, 42, "s", 6))}},
                {200, from_janus(R"({"janus":"timeout","session_id":99})"),
                 {warn("ignored a Janus event 'timeout' (said once until the link is ready again)")}},
                {300, from_janus(R"({"janus":"timeout","session_id":11})"),
                 {failed(1, ErrorCode::SessionLost, "Janus dropped the session: the session timed out"),
                  SessionDown{"the session timed out"}, warn("Janus dropped session 11 (the session timed out); making a new one"),
                  sent(R"({"janus":"create","transaction":"k3","apisecret":"api"})")}},
                {310, from_janus(R"({"janus":"success","transaction":"k3","data":{"id":12}})"),
                 {sent(R"({"janus":"attach","transaction":"k4","apisecret":"api","session_id":12,"plugin":"janus.plugin.videoroom"})")}},
                {320, from_janus(R"({"janus":"success","session_id":12,"transaction":"k4","data":{"id":23}})"),
                 {SessionUp{12, 23, SessionKind::Replaced}, RecreateRooms{}, info("ready: session 12, VideoRoom handle 23 (replaced)")}},
            });
}

TEST(JanusLink, MakesANewSessionWhenAKeepaliveOrRequestFindsItGone) {
  {
    Link link(config());
    ready(link);
    run(link, {
                  {15000, Tick{}, {sent(R"({"janus":"keepalive","transaction":"k3","apisecret":"api","session_id":11})")}},
                  {15001, from_janus(R"({"janus":"error","session_id":11,"transaction":"k3","error":{"code":458,"reason":"No such session 11"}})"),
                   {SessionDown{"keepalive: No such session 11"},
                    warn("Janus dropped session 11 (keepalive: No such session 11); making a new one"),
                    sent(R"({"janus":"create","transaction":"k4","apisecret":"api"})")}},
              });
  }
  {
    Link link(config());
    ready(link);
    run(link, {
                  {100, CreateRoom{1, 42, "s", 6, ""}, {sent(create_room_message(1, 42, "s", 6))}},
                  {101, CreateRoom{2, 43, "s", 6, ""}, {sent(create_room_message(2, 43, "s", 6))}},
                  {110, from_janus(R"({"janus":"error","session_id":11,"transaction":"r1","error":{"code":459,"reason":"No such handle 22 in session 11"}})"),
                   {failed(1, ErrorCode::SessionLost, "No such handle 22 in session 11", 459),
                    failed(2, ErrorCode::SessionLost, "Janus dropped the session: 459 No such handle 22 in session 11"),
                    SessionDown{"459 No such handle 22 in session 11"},
                    warn("Janus dropped session 11 (459 No such handle 22 in session 11); making a new one"),
                    sent(R"({"janus":"create","transaction":"k3","apisecret":"api"})")}},
              });
  }
  {
    Link link(config());
    ready(link);
    run(link, {
                  {100, from_janus(R"({"janus":"detached","session_id":11,"sender":77})"),
                   {warn("ignored a Janus event 'detached' (said once until the link is ready again)")}},
                  {200, from_janus(R"({"janus":"detached","session_id":11,"sender":22})"),
                   {SessionDown{"our handle was detached"}, warn("Janus dropped session 11 (our handle was detached); making a new one"),
                    sent(R"({"janus":"create","transaction":"k3","apisecret":"api"})")}},
              });
  }
}

// Janus refusing the session or the plugin: logged as an error, the socket dropped, tried again.
TEST(JanusLink, ARefusedSessionOrPluginIsTriedAgainLater) {
  Link link(config());
  const std::string why = "create refused: Janus refused the API secret (--janus-api-secret-file)";
  run(link, {
                {0, Start{}, {OpenSocket{}}},
                {0, SocketOpened{}, {sent(kCreate)}},
                {5, from_janus(R"j({"janus":"error","transaction":"k1","error":{"code":403,"reason":"Unauthorized request (wrong or missing secret/token)"}})j"),
                 {error(why), CloseSocket{}, warn("cannot reach Janus (" + why + "); trying again every 4 s at most")}},
                {255, Tick{}, {OpenSocket{}}},
                {260, SocketOpened{}, {sent(R"({"janus":"create","transaction":"k2","apisecret":"api"})")}},
                {265, from_janus(R"({"janus":"success","transaction":"k2","data":{"id":11}})"),
                 {sent(R"({"janus":"attach","transaction":"k3","apisecret":"api","session_id":11,"plugin":"janus.plugin.videoroom"})")}},
                {270, from_janus(R"({"janus":"error","session_id":11,"transaction":"k3","error":{"code":460,"reason":"No such plugin 'janus.plugin.videoroom'"}})"),
                 {error("attach refused: 460 No such plugin 'janus.plugin.videoroom'"), CloseSocket{}}},
                // A session that never became ready is not claimed: a new one is made.
                {770, Tick{}, {OpenSocket{}}},
                {770, SocketOpened{}, {sent(R"({"janus":"create","transaction":"k4","apisecret":"api"})")}},
            });
}

TEST(JanusLink, StopFailsWhatIsInFlightAndEndsEverything) {
  Link link(config());
  ready(link);
  run(link, {
                {100, CreateRoom{1, 42, "s", 6, ""}, {sent(create_room_message(1, 42, "s", 6))}},
                {200, Stop{},
                 {failed(1, ErrorCode::Stopped, "the Janus link was stopped"), CloseSocket{}, SessionDown{"stopped"}}},
                {300, from_janus(plugin_answer(1, R"({"videoroom":"created","room":42})")), {}},
                {300, SocketClosed{"x"}, {}},
                {300, Start{}, {}},
                {90000, Tick{}, {}},
                {90000, DestroyRoom{2, 42, "s"}, {failed(2, ErrorCode::Stopped, "the Janus link was stopped")}},
                {90000, Stop{}, {}},
            });
  EXPECT_EQ(link.phase(), Phase::Stopped);
  // Stopped while waiting to try again: no socket to close.
  Link waiting(config());
  run(waiting, {
                   {0, Start{}, {OpenSocket{}}},
                   {0, SocketClosed{"refused"}, {warn("cannot reach Janus (refused); trying again every 4 s at most")}},
                   {10, Stop{}, {}},
                   {1000, Tick{}, {}},
               });
}

TEST(JanusLink, IgnoresWhatItCannotReadSayingSoOnce) {
  Link link(config());
  ready(link);
  run(link, {
                {1, from_janus("not json"), {warn("ignored a message from Janus that is not a JSON object (said once until the link is ready again)")}},
                {2, from_janus("[1,2]"), {}},
                {3, from_janus(R"({"janus":"webrtcup","session_id":11,"sender":5})"),
                 {warn("ignored a Janus event 'webrtcup' (said once until the link is ready again)")}},
                {4, from_janus(R"({"janus":"webrtcup","session_id":11,"sender":6})"), {}},
                {5, from_janus(R"({"janus":"success","transaction":"k9"})"),
                 {warn("ignored an answer to a transaction not in flight (late, or not ours) (said once until the link is ready again)")}},
                {6, from_janus(R"({"janus":"success","session_id":"11","transaction":7})"),
                 {warn("ignored a Janus event 'success' (said once until the link is ready again)")}},
            });
  EXPECT_TRUE(link.ready());
}

// The media relay's handles (sfu/media_sessions.hpp): attach, messages answered at once or after an
// ack (with a jsep), trickle (answered by the ack), detach; a 459 fails that request only.
TEST(JanusLink, AttachesMessagesTricklesAndDetachesHandles) {
  Link link(config());
  ready(link);
  const json offer = {{"type", "offer"}, {"sdp", "v=0"}};
  run(link, {
                {100, AttachHandle{1},
                 {sent(R"({"janus":"attach","transaction":"r1","apisecret":"api","session_id":11,"plugin":"janus.plugin.videoroom"})")}},
                {110, from_janus(R"({"janus":"success","session_id":11,"transaction":"r1","data":{"id":77}})"), {HandleAttached{1, 77}}},
                {120, PluginMessage{2, 77, {{"request", "configure"}}, offer},
                 {sent(R"({"janus":"message","transaction":"r2","apisecret":"api","session_id":11,"handle_id":77,)"
                       R"("body":{"request":"configure"},"jsep":{"type":"offer","sdp":"v=0"}})")}},
                // Asynchronous: an ack, then the event with the same transaction and Janus's jsep.
                {130, from_janus(R"({"janus":"ack","session_id":11,"transaction":"r2"})"), {}},
                {140, from_janus(R"({"janus":"event","session_id":11,"transaction":"r2","sender":77,"plugindata":)"
                                 R"({"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","configured":"ok"}},)"
                                 R"("jsep":{"type":"answer","sdp":"v=1"}})"),
                 {PluginReply{2, 77, {{"videoroom", "event"}, {"configured", "ok"}}, {{"type", "answer"}, {"sdp", "v=1"}}}}},
                // Synchronous: "success" with the plugin's data, no jsep.
                {150, PluginMessage{3, 77, {{"request", "exists"}, {"room", 5}}, nullptr},
                 {sent(R"({"janus":"message","transaction":"r3","apisecret":"api","session_id":11,"handle_id":77,)"
                       R"("body":{"request":"exists","room":5}})")}},
                {160, from_janus(plugin_answer(3, R"({"videoroom":"success","exists":true})")),
                 {PluginReply{3, 77, {{"videoroom", "success"}, {"exists", true}}, nullptr}}},
                {170, Trickle{4, 77, {{"completed", true}}},
                 {sent(R"({"janus":"trickle","transaction":"r4","apisecret":"api","session_id":11,"handle_id":77,"candidate":{"completed":true}})")}},
                {180, from_janus(R"({"janus":"ack","session_id":11,"transaction":"r4"})"), {RequestDone{4, 0}}},
                // The plugin's refusal, asynchronously.
                {190, PluginMessage{5, 77, {{"request", "join"}}, nullptr},
                 {sent(R"({"janus":"message","transaction":"r5","apisecret":"api","session_id":11,"handle_id":77,"body":{"request":"join"}})")}},
                {195, from_janus(R"({"janus":"event","session_id":11,"transaction":"r5","sender":77,"plugindata":)"
                                 R"j({"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","error_code":428,"error":"No such feed (3)"}}})j"),
                 {failed(5, ErrorCode::JanusError, "No such feed (3)", 428)}},
                // A handle Janus no longer has: that request fails, the session stays.
                {200, Trickle{6, 78, {{"completed", true}}},
                 {sent(R"({"janus":"trickle","transaction":"r6","apisecret":"api","session_id":11,"handle_id":78,"candidate":{"completed":true}})")}},
                {210, from_janus(R"({"janus":"error","session_id":11,"transaction":"r6","error":{"code":459,"reason":"No such handle 78"}})"),
                 {failed(6, ErrorCode::SessionLost, "No such handle 78", 459)}},
                {220, DetachHandle{7, 77},
                 {sent(R"({"janus":"detach","transaction":"r7","apisecret":"api","session_id":11,"handle_id":77})")}},
                {230, from_janus(R"({"janus":"success","session_id":11,"transaction":"r7"})"), {RequestDone{7, 0}}},
            });
  EXPECT_TRUE(link.ready());
  EXPECT_EQ(link.in_flight(), 0u);
  // Malformed requests, and the link's own handle, are refused without a word to Janus.
  run(link, {
                {300, PluginMessage{8, 22, {{"request", "destroy"}}, nullptr},
                 {failed(8, ErrorCode::BadRequest, "not a handle of the caller's")}},
                {300, PluginMessage{9, 77, json::array(), nullptr}, {failed(9, ErrorCode::BadRequest, "the body must be an object")}},
                {300, Trickle{10, 77, "x"}, {failed(10, ErrorCode::BadRequest, "the candidate must be an object")}},
                {300, DetachHandle{11, 0}, {failed(11, ErrorCode::BadRequest, "not a handle of the caller's")}},
            });
}

// Janus's events about the caller's handles (those it attached in this session), without a
// transaction, keyed by the handle; anyone else's are ignored.
TEST(JanusLink, DeliversHandleEvents) {
  Link link(config());
  ready(link);
  const auto attach = [](RequestId id) {
    return sent(R"({"janus":"attach","transaction":"r)" + std::to_string(id) +
                R"(","apisecret":"api","session_id":11,"plugin":"janus.plugin.videoroom"})");
  };
  run(link, {
                {10, AttachHandle{1}, {attach(1)}},
                {10, from_janus(R"({"janus":"success","session_id":11,"transaction":"r1","data":{"id":77}})"), {HandleAttached{1, 77}}},
                {20, AttachHandle{2}, {attach(2)}},
                {20, from_janus(R"({"janus":"success","session_id":11,"transaction":"r2","data":{"id":78}})"), {HandleAttached{2, 78}}},
                {100, from_janus(R"({"janus":"webrtcup","session_id":11,"sender":77})"),
                 {HandleEvent{77, "webrtcup", {{"janus", "webrtcup"}, {"session_id", 11}, {"sender", 77}}, nullptr}}},
                {110, from_janus(R"({"janus":"event","session_id":11,"sender":78,"plugindata":{"plugin":"janus.plugin.videoroom",)"
                                 R"("data":{"videoroom":"updated","streams":[]}},"jsep":{"type":"offer","sdp":"v=0"}})"),
                 {HandleEvent{78, "event", {{"videoroom", "updated"}, {"streams", json::array()}}, {{"type", "offer"}, {"sdp", "v=0"}}}}},
                {120, from_janus(R"({"janus":"hangup","session_id":11,"sender":77,"reason":"DTLS alert"})"),
                 {HandleEvent{77, "hangup", {{"janus", "hangup"}, {"session_id", 11}, {"sender", 77}, {"reason", "DTLS alert"}}, nullptr}}},
                // Another session's, or a handle not attached here: not ours.
                {130, from_janus(R"({"janus":"webrtcup","session_id":12,"sender":77})"),
                 {warn("ignored a Janus event 'webrtcup' (said once until the link is ready again)")}},
                {140, from_janus(R"({"janus":"media","session_id":11,"sender":79,"type":"audio","receiving":true})"),
                 {warn("ignored a Janus event 'media' (said once until the link is ready again)")}},
                // Detached (Janus's word): said, then the handle is no longer the caller's.
                {150, from_janus(R"({"janus":"detached","session_id":11,"sender":78})"),
                 {HandleEvent{78, "detached", {{"janus", "detached"}, {"session_id", 11}, {"sender", 78}}, nullptr}}},
                {160, from_janus(R"({"janus":"webrtcup","session_id":11,"sender":78})"), {}},
            });
  EXPECT_TRUE(link.ready());
}

TEST(JanusLink, ParsesTheJanusUrl) {
  struct Good {
    std::string text;
    JanusUrl url;
    std::string shown;
  };
  for (const Good& g : std::vector<Good>{
           {"ws://127.0.0.1:8188", {"127.0.0.1", "8188", "/"}, "ws://127.0.0.1:8188"},
           {"ws://localhost", {"localhost", "8188", "/"}, "ws://localhost:8188"},
           {"ws://janus.example:443/janus", {"janus.example", "443", "/janus"}, "ws://janus.example:443/janus"},
           {"ws://[::1]:9000/", {"::1", "9000", "/"}, "ws://[::1]:9000"},
           {"ws://[2001:db8::5]", {"2001:db8::5", "8188", "/"}, "ws://[2001:db8::5]:8188"},
           {"ws://h:08188", {"h", "8188", "/"}, "ws://h:8188"},
       }) {
    std::string why;
    const std::optional<JanusUrl> url = parse_url(g.text, &why);
    ASSERT_TRUE(url) << g.text << ": " << why;
    EXPECT_EQ(*url, g.url) << g.text;
    EXPECT_EQ(to_string(*url), g.shown);
  }
  for (const std::string bad : {"", "127.0.0.1:8188", "http://127.0.0.1:8188", "wss://janus.example", "ws://",
                                "ws://:8188", "ws://h:", "ws://h:0", "ws://h:65536", "ws://h:123456", "ws://h:8x",
                                "ws://user:pw@h", "ws://[::1", "ws://[::1]x", "ws://[]:1", "ws://[g::1]", "ws://h/a b",
                                "ws://h/#frag", "ws://bad_host", "ws://h\"x"}) {
    std::string why;
    EXPECT_FALSE(parse_url(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  std::string why;
  parse_url("wss://janus.example", &why);
  EXPECT_EQ(why, "wss:// is not supported yet: give Janus's plain ws:// address");
}

}  // namespace
}  // namespace moim::sfu
