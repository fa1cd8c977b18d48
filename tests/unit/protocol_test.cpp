// The wire codec: every message survives a round trip, and every malformed input maps to a stable error
// code without throwing or crashing.
#include "protocol.hpp"

#include <gtest/gtest.h>

#include <tuple>
#include <functional>

#include <sstream>
#include <string>
#include <vector>

namespace moim::proto {
namespace {

// ---- round trips --------------------------------------------------------------------------------

Signal sdp_signal(PeerId peer, SignalKind kind, std::string sdp) {
  Signal signal;
  signal.peer = peer;
  signal.kind = kind;
  signal.sdp = std::move(sdp);
  return signal;
}
Signal candidate_signal(PeerId peer, IceCandidate candidate) {
  Signal signal;
  signal.peer = peer;
  signal.kind = SignalKind::Candidate;
  signal.candidate = std::move(candidate);
  return signal;
}
Signal offer_to(PeerId peer) { return sdp_signal(peer, SignalKind::Offer, "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"); }
Signal answer_to(PeerId peer) { return sdp_signal(peer, SignalKind::Answer, "v=0\r\n"); }
Signal candidate_to(PeerId peer) {
  return candidate_signal(peer, IceCandidate{.candidate = "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host",
                                             .sdp_mid = "0",
                                             .sdp_mline_index = 1});
}

std::vector<ClientMessage> all_client_messages() {
  return {
      Hello{},
      Hello{.version = 3},
      CreateRoom{.name = "Standup", .capacity = 6},
      CreateRoom{.name = "회의실", .capacity = 2},
      Join{.room = 3, .name = "Minji", .mic = true, .camera = true},
      Join{.room = 4294967295u, .name = "김민지", .mic = false, .camera = false},
      Leave{},
      SendSignal{offer_to(7)},
      SendSignal{answer_to(7)},
      SendSignal{candidate_to(7)},
      SendSignal{candidate_signal(7, IceCandidate{})},  // end of candidates
      SetMedia{.mic = false, .camera = true},
      SendMediaSignal{MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Offer, .sdp = "v=0\r\n"}},
      SendMediaSignal{MediaSignal{.link = MediaLink::Subscribe, .kind = SignalKind::Answer, .sdp = "v=0\r\n"}},
      SendMediaSignal{MediaSignal{.link = MediaLink::Subscribe, .kind = SignalKind::Candidate,
                                  .candidate = candidate_to(1).candidate}},
      SendMediaSignal{MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Candidate}},  // end of candidates
      RestartMedia{},
      RestartMedia{.fresh = true},
      SetMediaLayers{},
      SetMediaLayers{{LayerWish{3, MediaLayer::Low}, LayerWish{4, MediaLayer::Medium}, LayerWish{5, MediaLayer::High}}},
      SendPeerMessage{.data = R"({"v":1,"type":"chat","id":"a1","time":1,"seq":1,"text":"안녕 \"hi\""})"},
      SendPeerMessage{.to = 7, .data = "x"},
  };
}

std::vector<ServerMessage> all_server_messages() {
  const RoomInfo standup{.id = 1, .name = "Standup", .participants = 2, .capacity = 6};
  const PeerInfo minji{.id = 5, .name = "Minji", .mic = true, .camera = false};
  const PeerInfo joon{.id = 6, .name = "준", .mic = false, .camera = true};
  return {
      Welcome{.version = 1, .rooms = {}},
      Welcome{.version = 1, .rooms = {standup, RoomInfo{.id = 2, .name = "Lunch", .participants = 0, .capacity = 8}}},
      Welcome{.version = 3,
              .rooms = {RoomInfo{.id = 3, .name = "Town hall", .participants = 0, .capacity = 50, .locked = true,
                                 .mode = RoomMode::Sfu}},
              .limits = Limits{.max_capacity = 50, .heartbeat_ms = 250, .resume_grace_ms = 1000, .mesh_max = 8,
                               .large_rooms = true}},
      LimitsChanged{Limits{.max_capacity = 50, .mesh_max = 6, .large_rooms = false}},
      LimitsChanged{Limits{.max_capacity = 20, .mesh_max = 2, .large_rooms = true}},
      Welcome{.version = 3,
              .rooms = {},
              .limits = Limits{.max_name_chars = 20, .max_room_name_chars = 30, .max_capacity = 4, .heartbeat_ms = 250,
                               .resume_grace_ms = 3'600'000, .mesh_max = 4}},  // a server keeps meshMax within maxCapacity
      RoomCreated{standup},
      RoomUpdated{standup},
      Joined{.room = standup, .self = minji, .token = "opaque-token", .peers = {}},
      Joined{.room = standup, .self = minji, .token = "t", .peers = {joon}},
      PeerJoined{joon},
      PeerLeft{.peer = 5},
      RelayedSignal{offer_to(5)},
      RelayedSignal{answer_to(5)},
      RelayedSignal{candidate_to(5)},
      PeerMedia{.peer = 5, .mic = false, .camera = true},
      Left{},
      Error{.code = ErrorCode::RoomFull, .message = "Room \"Standup\" is full (6/6).", .request = "join"},
      Error{.code = ErrorCode::BadJson, .message = "The message is not valid JSON.", .request = ""},
      IceConfig{},
      IceConfig{.servers = {IceServer{.urls = {"stun:moim.example:8080"}},
                            IceServer{.urls = {"turn:moim.example:3478?transport=udp", "turns:t.example:5349?transport=tcp"},
                                      .username = "1795003600:5",
                                      .credential = "aGVsbG8gd29ybGQgaGVsbG8="}},
                .policy = IcePolicy::Relay,
                .expires = 1795003600},
      RelayedMediaSignal{MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Answer, .sdp = "v=0\r\n"}},
      RelayedMediaSignal{MediaSignal{.link = MediaLink::Subscribe,
                                     .kind = SignalKind::Offer,
                                     .sdp = "v=0\r\n",
                                     .streams = {MediaStream{.mid = "0", .peer = 3, .kind = MediaKind::Audio},
                                                 MediaStream{.mid = "1", .peer = 3, .kind = MediaKind::Video},
                                                 MediaStream{.mid = "v9", .peer = 4, .kind = MediaKind::Video,
                                                             .screen = true}}}},
      RelayedMediaSignal{MediaSignal{.link = MediaLink::Subscribe, .kind = SignalKind::Candidate,
                                     .candidate = candidate_to(1).candidate}},
      MediaState{MediaServerState::Up},
      MediaState{MediaServerState::Down},
      MediaState{MediaServerState::Reset},
      RelayedPeerMessage{.from = 5, .data = R"({"v":1,"type":"chat","id":"a1","time":1,"seq":1,"text":"안녕"})"},
  };
}

TEST(ProtocolRoundTrip, EveryClientMessage) {
  for (const ClientMessage& msg : all_client_messages()) {
    const std::string text = encode(msg);
    SCOPED_TRACE(text);
    Decoded<ClientMessage> decoded = decode_client(text);
    ASSERT_TRUE(decoded.ok()) << decoded.error.code << ": " << decoded.error.message;
    EXPECT_EQ(*decoded.message, msg);
    EXPECT_EQ(type_name(*decoded.message), type_name(msg));
  }
}

TEST(ProtocolRoundTrip, EveryServerMessage) {
  for (const ServerMessage& msg : all_server_messages()) {
    const std::string text = encode(msg);
    SCOPED_TRACE(text);
    Decoded<ServerMessage> decoded = decode_server(text);
    ASSERT_TRUE(decoded.ok()) << decoded.error.code << ": " << decoded.error.message;
    EXPECT_EQ(*decoded.message, msg);
  }
}

TEST(ProtocolWire, MediaSignalsAsDocumented) {
  // The examples of PROTOCOL.md, "Large rooms: media through the media server".
  EXPECT_EQ(encode(ClientMessage{SendMediaSignal{MediaSignal{.link = MediaLink::Publish, .kind = SignalKind::Offer,
                                                             .sdp = "v=0..."}}}),
            R"({"type":"media-signal","link":"publish","kind":"offer","sdp":"v=0..."})");
  EXPECT_EQ(encode(ServerMessage{RelayedMediaSignal{MediaSignal{
                .link = MediaLink::Subscribe,
                .kind = SignalKind::Offer,
                .sdp = "...",
                .streams = {MediaStream{.mid = "0", .peer = 3, .kind = MediaKind::Audio},
                            MediaStream{.mid = "1", .peer = 3, .kind = MediaKind::Video}}}}}),
            R"({"type":"media-signal","link":"subscribe","kind":"offer","sdp":"...","streams":[)"
            R"({"mid":"0","peer":3,"kind":"audio"},{"mid":"1","peer":3,"kind":"video"}]})");
  EXPECT_EQ(encode(ClientMessage{RestartMedia{}}), R"({"type":"media-restart"})");
  EXPECT_EQ(encode(ClientMessage{RestartMedia{.fresh = true}}), R"({"type":"media-restart","fresh":true})");
  EXPECT_FALSE(decode_client(R"({"type":"media-restart","fresh":"yes"})").ok()) << "fresh is a boolean";
  EXPECT_EQ(encode(ServerMessage{MediaState{MediaServerState::Down}}), R"({"type":"media-state","state":"down"})");
  // A client never names streams: the server's alone (dropped when encoding, ignored when decoding).
  Decoded<ClientMessage> c = decode_client(
      R"({"type":"media-signal","link":"subscribe","kind":"answer","sdp":"v=0","streams":[{"mid":"0","peer":1,"kind":"audio"}]})");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(std::get<SendMediaSignal>(*c.message).signal.streams.empty());
  // Malformed: unknown link, state or stream kind, an empty mid, too many streams: bad-field.
  for (const std::string text : {
           R"({"type":"media-signal","link":"both","kind":"offer","sdp":"v=0"})",
           R"({"type":"media-signal","kind":"offer","sdp":"v=0"})",
           R"({"type":"media-signal","link":"publish","kind":"offer"})",
       }) {
    Decoded<ClientMessage> bad = decode_client(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error.code, ErrorCode::BadField) << text;
  }
  std::string many = R"({"type":"media-signal","link":"subscribe","kind":"offer","sdp":"v=0","streams":[)";
  for (int i = 0; i <= 200; ++i) many += std::string(i ? "," : "") + R"({"mid":")" + std::to_string(i) + R"(","peer":1,"kind":"audio"})";
  many += "]}";
  for (const std::string& text : std::vector<std::string>{
           R"({"type":"media-state","state":"sideways"})",
           R"({"type":"media-signal","link":"subscribe","kind":"offer","sdp":"v=0","streams":[{"mid":"","peer":1,"kind":"audio"}]})",
           R"({"type":"media-signal","link":"subscribe","kind":"offer","sdp":"v=0","streams":[{"mid":"0","peer":1,"kind":"data"}]})",
           many,
       }) {
    Decoded<ServerMessage> bad = decode_server(text);
    ASSERT_FALSE(bad.ok()) << text.substr(0, 120);
    EXPECT_EQ(bad.error.code, ErrorCode::BadField) << text.substr(0, 120);
  }
  EXPECT_TRUE(client_may_send(MediaLink::Publish, SignalKind::Offer));
  EXPECT_FALSE(client_may_send(MediaLink::Publish, SignalKind::Answer));
}

TEST(ProtocolWire, MediaLayersAsDocumented) {
  EXPECT_EQ(encode(ClientMessage{SetMediaLayers{{LayerWish{3, MediaLayer::Low}, LayerWish{4, MediaLayer::High}}}}),
            R"({"type":"media-layers","layers":[{"peer":3,"layer":"low"},{"peer":4,"layer":"high"}]})");
  std::string many = R"({"type":"media-layers","layers":[)";
  for (int i = 1; i <= 65; ++i) many += std::string(i > 1 ? "," : "") + R"({"peer":)" + std::to_string(i) + R"(,"layer":"low"})";
  many += "]}";
  for (const std::string& text : std::vector<std::string>{
           R"({"type":"media-layers"})",
           R"({"type":"media-layers","layers":{}})",
           R"({"type":"media-layers","layers":[{"peer":3,"layer":"huge"}]})",
           R"({"type":"media-layers","layers":[{"layer":"low"}]})",
           R"({"type":"media-layers","layers":[3]})",
           many,
       }) {
    Decoded<ClientMessage> bad = decode_client(text);
    ASSERT_FALSE(bad.ok()) << text.substr(0, 120);
    EXPECT_EQ(bad.error.code, ErrorCode::BadField) << text.substr(0, 120);
  }
  EXPECT_TRUE(client_may_send(MediaLink::Subscribe, SignalKind::Answer));
  EXPECT_FALSE(client_may_send(MediaLink::Subscribe, SignalKind::Offer));
  EXPECT_TRUE(client_may_send(MediaLink::Subscribe, SignalKind::Candidate));
  for (const auto& [code, name, cls] : {std::tuple{ErrorCode::NotInLargeRoom, "not-in-large-room", ErrorClass::Protocol},
                                        std::tuple{ErrorCode::MediaFailed, "media-failed", ErrorClass::Internal}}) {
    EXPECT_EQ(to_string(code), name);
    EXPECT_EQ(error_code_from_string(name), code);
    EXPECT_EQ(classify(code), cls);
  }
}

TEST(ProtocolWire, PeerMessagesAsDocumented) {
  // The examples of PROTOCOL.md, "Large rooms: peer messages through the server".
  const std::string data = R"({"v":1,"type":"chat","id":"k3","time":1700000000000,"seq":1,"text":"hi"})";
  EXPECT_EQ(encode(ClientMessage{SendPeerMessage{.data = data}}),
            R"({"type":"peer-message","data":"{\"v\":1,\"type\":\"chat\",\"id\":\"k3\",\"time\":1700000000000,\"seq\":1,\"text\":\"hi\"}"})");
  EXPECT_EQ(encode(ClientMessage{SendPeerMessage{.to = 12, .data = "d"}}), R"({"type":"peer-message","to":12,"data":"d"})");
  EXPECT_EQ(encode(ServerMessage{RelayedPeerMessage{.from = 9, .data = "d"}}), R"({"type":"peer-message","from":9,"data":"d"})");
  // Good: `to` absent or null means everyone else; the data is anything up to the limit, never read.
  for (const std::string text : {std::string(R"({"type":"peer-message","data":"not even json"})"),
                                 std::string(R"({"type":"peer-message","to":null,"data":"d"})"),
                                 R"({"type":"peer-message","data":")" + std::string(kMaxPeerMessageDataBytes, 'x') + "\"}"}) {
    EXPECT_TRUE(decode_client(text).ok()) << text.substr(0, 80);
  }
  // Bad, with their codes.
  const std::vector<std::pair<std::string, ErrorCode>> bad = {
      {R"({"type":"peer-message","from":3,"data":"d"})", ErrorCode::SpoofedSender},
      {R"({"type":"peer-message"})", ErrorCode::BadField},
      {R"({"type":"peer-message","data":""})", ErrorCode::BadField},
      {R"({"type":"peer-message","data":{"v":1}})", ErrorCode::BadField},
      {R"({"type":"peer-message","to":0,"data":"d"})", ErrorCode::BadField},
      {R"({"type":"peer-message","to":"3","data":"d"})", ErrorCode::BadField},
      {R"({"type":"peer-message","to":-1,"data":"d"})", ErrorCode::BadField},
      {R"({"type":"peer-message","data":")" + std::string(kMaxPeerMessageDataBytes + 1, 'x') + "\"}",
       ErrorCode::PeerMessageTooLarge},
  };
  for (const auto& [text, code] : bad) {
    const Decoded<ClientMessage> d = decode_client(text);
    ASSERT_FALSE(d.ok()) << text.substr(0, 80);
    EXPECT_EQ(d.error.code, code) << text.substr(0, 80) << ": " << d.error.message;
    EXPECT_EQ(d.error.request, "peer-message");
  }
  // From the server: `from` is required; the same size bound.
  EXPECT_EQ(decode_server(R"({"type":"peer-message","data":"d"})").error.code, ErrorCode::BadField);
  EXPECT_EQ(decode_server(R"({"type":"peer-message","from":1,"data":")" + std::string(kMaxPeerMessageDataBytes + 1, 'x') + "\"}")
                .error.code,
            ErrorCode::PeerMessageTooLarge);
  EXPECT_EQ(to_string(ErrorCode::PeerMessageTooLarge), "peer-message-too-large");
  EXPECT_EQ(classify(ErrorCode::PeerMessageTooLarge), ErrorClass::Protocol);
}

TEST(ProtocolWire, IceConfigShapeAndBounds) {
  const auto decoded = decode_server(
      R"({"type":"ice","servers":[{"urls":["stun:h:1"]},{"urls":["turn:h:3478?transport=tcp"],"username":"9:1","credential":"c"}]})");
  ASSERT_TRUE(decoded.ok()) << decoded.error.message;
  const auto& ice = std::get<IceConfig>(*decoded.message);
  EXPECT_EQ(ice.policy, IcePolicy::All);  // the default when absent
  EXPECT_EQ(ice.expires, 0u);
  EXPECT_TRUE(ice.has_turn());
  EXPECT_FALSE(IceConfig{.servers = {IceServer{.urls = {"stun:h:1"}}}}.has_turn());
  EXPECT_EQ(encode(ServerMessage{IceConfig{.servers = {IceServer{.urls = {"stun:h:1"}}}}}),
            R"({"type":"ice","servers":[{"urls":["stun:h:1"]}],"policy":"all"})");

  // Inclusive bounds: 8 URLs of 512 bytes, a 256-byte credential; one more is refused.
  IceServer big{.urls = std::vector<std::string>(kMaxIceUrls, "stun:" + std::string(kMaxIceUrlBytes - 5, 'a')),
                .username = std::string(kMaxIceSecretBytes, 'u'),
                .credential = std::string(kMaxIceSecretBytes, 'c')};
  const IceConfig at_limit{.servers = std::vector<IceServer>(kMaxIceServers, big)};
  ASSERT_TRUE(decode_server(encode(ServerMessage{at_limit})).ok());
  for (auto grow : std::vector<std::function<void(IceConfig&)>>{
           [](IceConfig& c) { c.servers.push_back(c.servers[0]); },
           [](IceConfig& c) { c.servers[3].urls.push_back("stun:x"); },
           [](IceConfig& c) { c.servers[3].urls[2] += "a"; },
           [](IceConfig& c) { c.servers[3].credential += "c"; },
           [](IceConfig& c) { c.servers[3].username += "u"; },
       }) {
    IceConfig over = at_limit;
    grow(over);
    const auto refused = decode_server(encode(ServerMessage{over}));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error.code, ErrorCode::BadField) << refused.error.message;
  }
}

TEST(ProtocolRoundTrip, EveryErrorCode) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::Internal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    EXPECT_EQ(error_code_from_string(to_string(code)), code);
    const ServerMessage msg = Error{.code = code, .message = "m", .request = "join"};
    Decoded<ServerMessage> decoded = decode_server(encode(msg));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded.message, msg);
  }
  EXPECT_EQ(error_code_from_string("no-such-code"), std::nullopt);
}

// ---- exact wire shapes (what docs/PROTOCOL.md shows) -------------------------------------------

TEST(ProtocolWire, ClientExamplesDecode) {
  auto hello = decode_client(R"({"type":"hello","version":3})");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(std::get<Hello>(*hello.message).version, 3);

  auto create = decode_client(R"({"type":"create-room","name":"Standup"})");
  ASSERT_TRUE(create.ok());
  EXPECT_EQ(std::get<CreateRoom>(*create.message), (CreateRoom{.name = "Standup", .capacity = kDefaultCapacity}));

  auto join = decode_client(R"({"type":"join","room":3,"name":"Minji"})");
  ASSERT_TRUE(join.ok());
  EXPECT_EQ(std::get<Join>(*join.message), (Join{.room = 3, .name = "Minji", .mic = true, .camera = true}));

  // Browsers serialize RTCIceCandidate with null sdpMid / sdpMLineIndex: accepted as defaults.
  auto candidate = decode_client(
      R"({"type":"signal","to":7,"kind":"candidate","candidate":{"candidate":"c","sdpMid":null,"sdpMLineIndex":null}})");
  ASSERT_TRUE(candidate.ok()) << candidate.error.message;
  EXPECT_EQ(std::get<SendSignal>(*candidate.message).signal.candidate, (IceCandidate{.candidate = "c", .sdp_mid = "", .sdp_mline_index = 0}));

  // Unknown extra fields are ignored (forward compatibility).
  EXPECT_TRUE(decode_client(R"({"type":"leave","extra":[1,2,3]})").ok());
}

TEST(ProtocolWire, EncodedShapes) {
  EXPECT_EQ(encode(ClientMessage{Hello{}}), R"({"type":"hello","version":3})");
  EXPECT_EQ(encode(ClientMessage{SendSignal{sdp_signal(7, SignalKind::Offer, "v=0")}}),
            R"({"type":"signal","to":7,"kind":"offer","sdp":"v=0"})");
  EXPECT_EQ(encode(ServerMessage{RelayedSignal{candidate_to(5)}}),
            R"({"type":"signal","from":5,"kind":"candidate","candidate":{"candidate":"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host","sdpMid":"0","sdpMLineIndex":1}})");
  EXPECT_EQ(encode(ServerMessage{PeerLeft{.peer = 5}}), R"({"type":"peer-left","peer":5})");
  EXPECT_EQ(encode(ServerMessage{Error{.code = ErrorCode::RoomFull, .message = "full", .request = "join"}}),
            R"({"type":"error","code":"room-full","message":"full","request":"join"})");
  // An unknown request is omitted rather than sent empty.
  EXPECT_EQ(encode(ServerMessage{Error{.code = ErrorCode::BadJson, .message = "m", .request = ""}}),
            R"({"type":"error","code":"bad-json","message":"m"})");
}

// The welcome of docs/PROTOCOL.md, limits and timings included, byte for byte.
TEST(ProtocolWire, WelcomeCarriesTheLimitsAndTheServersTimings) {
  const char* wire =
      R"({"type":"welcome","version":3,"rooms":[{"id":1,"name":"Standup","participants":2,"capacity":6,"mode":"mesh"},)"
      R"({"id":2,"name":"Town hall","participants":0,"capacity":40,"mode":"sfu"}],)"
      R"("limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":50,"heartbeatMs":2000,"resumeGraceMs":20000,)"
      R"("meshMax":6,"largeRooms":true}})";
  const Welcome welcome{.version = 3,
                        .rooms = {RoomInfo{.id = 1, .name = "Standup", .participants = 2, .capacity = 6},
                                  RoomInfo{.id = 2, .name = "Town hall", .capacity = 40, .mode = RoomMode::Sfu}},
                        .limits = Limits{.max_name_chars = 32, .max_room_name_chars = 48, .max_capacity = 50,
                                         .heartbeat_ms = 2000, .resume_grace_ms = 20000, .mesh_max = 6,
                                         .large_rooms = true}};
  EXPECT_EQ(encode(ServerMessage{welcome}), wire);
  auto decoded = decode_server(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error.message;
  EXPECT_EQ(std::get<Welcome>(*decoded.message), welcome);
}

// Issue 15: a server from before room modes sends no "mode" (every room is a mesh room) and no
// meshMax / largeRooms (all its rooms are mesh rooms: mesh_max is its max_capacity, no large rooms);
// an unknown mode is refused; `limits` carries the same object as the welcome's.
TEST(ProtocolWire, RoomModesAndLargeRoomLimits) {
  auto old = decode_server(
      R"({"type":"welcome","version":3,"rooms":[{"id":1,"name":"Old","participants":0,"capacity":8}],)"
      R"("limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":8,"heartbeatMs":2000,"resumeGraceMs":20000}})");
  ASSERT_TRUE(old.ok()) << old.error.message;
  const Welcome& welcome = std::get<Welcome>(*old.message);
  EXPECT_EQ(welcome.rooms.at(0).mode, RoomMode::Mesh);
  EXPECT_EQ(welcome.limits.mesh_max, 8u);
  EXPECT_FALSE(welcome.limits.large_rooms);

  // A meshMax outside what a mesh can be here is held within it (0 would make every room a large one).
  for (const auto& [sent, max_capacity, kept] : {std::tuple{"0", "50", 2u}, std::tuple{"40", "50", 8u}, std::tuple{"9", "4", 4u}}) {
    auto odd = decode_server(std::string(R"({"type":"limits","limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":)") +
                             max_capacity + R"(,"heartbeatMs":2000,"resumeGraceMs":20000,"meshMax":)" + sent + "}}");
    ASSERT_TRUE(odd.ok()) << odd.error.message;
    EXPECT_EQ(std::get<LimitsChanged>(*odd.message).limits.mesh_max, kept) << sent;
  }

  auto bad = decode_server(R"({"type":"room-updated","room":{"id":1,"name":"x","participants":0,"capacity":8,"mode":"p2p"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error.code, ErrorCode::BadField);
  EXPECT_NE(bad.error.message.find("room.mode"), std::string::npos) << bad.error.message;

  EXPECT_EQ(encode(ServerMessage{LimitsChanged{Limits{.max_capacity = 50, .heartbeat_ms = 2000, .resume_grace_ms = 20000,
                                                      .mesh_max = 6, .large_rooms = false}}}),
            R"({"type":"limits","limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":50,)"
            R"("heartbeatMs":2000,"resumeGraceMs":20000,"meshMax":6,"largeRooms":false}})");
  for (const auto& [code, name] : {std::pair{ErrorCode::LargeRoomsUnavailable, "large-rooms-unavailable"},
                                   std::pair{ErrorCode::LargeRoomMediaPending, "large-room-media-pending"}}) {
    EXPECT_EQ(to_string(code), name);
    EXPECT_EQ(error_code_from_string(name), code);
    EXPECT_EQ(classify(code), ErrorClass::User);
  }
  EXPECT_EQ(room_mode_from_string("sfu"), RoomMode::Sfu);
  EXPECT_EQ(room_mode_from_string("mesh"), RoomMode::Mesh);
  EXPECT_EQ(room_mode_from_string("SFU"), std::nullopt);
}

TEST(ProtocolWire, EncodingInvalidUtf8NeverThrows) {
  std::string text;
  EXPECT_NO_THROW(text = encode(ClientMessage{CreateRoom{.name = "bad\xC3\x28name", .capacity = 6}}));
  EXPECT_TRUE(is_valid_utf8(text));
  EXPECT_TRUE(decode_client(text).ok());
}

TEST(ProtocolWire, UnknownErrorCodeFromNewerServerIsKept) {
  auto decoded = decode_server(R"({"type":"error","code":"a-code-from-the-future","message":"Slow down."})");
  ASSERT_TRUE(decoded.ok());
  const auto& error = std::get<Error>(*decoded.message);
  EXPECT_EQ(error.code, ErrorCode::Internal);
  EXPECT_EQ(error.message, "Slow down.");
}

// ---- malformed input ----------------------------------------------------------------------------

struct BadInput {
  const char* label;
  std::string text;
  ErrorCode code;
  std::string request;  // expected Decoded.error.request
};

std::ostream& operator<<(std::ostream& os, const BadInput& input) { return os << input.label; }

class ProtocolMalformedClient : public ::testing::TestWithParam<BadInput> {};

TEST_P(ProtocolMalformedClient, MapsToErrorCode) {
  const BadInput& input = GetParam();
  Decoded<ClientMessage> decoded;
  ASSERT_NO_THROW(decoded = decode_client(input.text));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error.code, input.code) << decoded.error.message;
  EXPECT_EQ(decoded.error.request, input.request);
  EXPECT_FALSE(decoded.error.message.empty());
}

const BadInput kBadClientInputs[] = {
    {"empty", "", ErrorCode::BadJson, ""},
    {"not_json", "hello there", ErrorCode::BadJson, ""},
    {"truncated_json", R"({"type":"hello","version":1)", ErrorCode::BadJson, ""},
    {"json_array", R"([{"type":"hello"}])", ErrorCode::BadJson, ""},
    {"json_string", R"("hello")", ErrorCode::BadJson, ""},
    {"json_null", "null", ErrorCode::BadJson, ""},
    // nlohmann reads NUL as the end of the input; JSON has no NUL, so whatever follows, it is refused.
    {"nul_after_object", std::string(R"({"type":"leave"})") + '\0', ErrorCode::BadJson, ""},
    {"nul_then_long_bad_string", std::string(R"({"type":"leave"})") + '\0' + '"' + std::string(300, 'a') + R"(\q")",
     ErrorCode::BadJson, ""},
    {"missing_type", R"({"version":1})", ErrorCode::MissingType, ""},
    {"type_number", R"({"type":1})", ErrorCode::MissingType, ""},
    {"type_null", R"({"type":null})", ErrorCode::MissingType, ""},
    {"unknown_type", R"({"type":"dance"})", ErrorCode::UnknownType, "dance"},
    {"server_type_from_client", R"({"type":"welcome","version":1,"rooms":[]})", ErrorCode::UnknownType, "welcome"},
    {"hello_no_version", R"({"type":"hello"})", ErrorCode::BadField, "hello"},
    {"hello_version_string", R"({"type":"hello","version":"1"})", ErrorCode::BadField, "hello"},
    {"hello_version_float", R"({"type":"hello","version":1.5})", ErrorCode::BadField, "hello"},
    {"hello_version_huge", R"({"type":"hello","version":99999999999})", ErrorCode::BadField, "hello"},
    {"create_no_name", R"({"type":"create-room","capacity":6})", ErrorCode::BadField, "create-room"},
    {"create_name_number", R"({"type":"create-room","name":5})", ErrorCode::BadField, "create-room"},
    {"create_capacity_string", R"({"type":"create-room","name":"a","capacity":"6"})", ErrorCode::BadField,
     "create-room"},
    {"create_capacity_negative", R"({"type":"create-room","name":"a","capacity":-1})", ErrorCode::BadField,
     "create-room"},
    {"create_capacity_float", R"({"type":"create-room","name":"a","capacity":6.0})", ErrorCode::BadField,
     "create-room"},
    {"create_capacity_over_u32", R"({"type":"create-room","name":"a","capacity":4294967296})", ErrorCode::BadField,
     "create-room"},
    {"join_room_string", R"({"type":"join","room":"3","name":"Minji"})", ErrorCode::BadField, "join"},
    {"join_no_room", R"({"type":"join","name":"Minji"})", ErrorCode::BadField, "join"},
    {"join_no_name", R"({"type":"join","room":3})", ErrorCode::BadField, "join"},
    {"join_name_null", R"({"type":"join","room":3,"name":null})", ErrorCode::BadField, "join"},
    {"join_mic_string", R"({"type":"join","room":3,"name":"Minji","mic":"yes"})", ErrorCode::BadField, "join"},
    {"join_camera_number", R"({"type":"join","room":3,"name":"Minji","camera":1})", ErrorCode::BadField, "join"},
    {"signal_to_negative", R"({"type":"signal","to":-1,"kind":"offer","sdp":"v=0"})", ErrorCode::BadField,
     "signal"},
    {"signal_to_string", R"({"type":"signal","to":"7","kind":"offer","sdp":"v=0"})", ErrorCode::BadField,
     "signal"},
    {"signal_no_to", R"({"type":"signal","kind":"offer","sdp":"v=0"})", ErrorCode::BadField, "signal"},
    {"signal_no_kind", R"({"type":"signal","to":7,"sdp":"v=0"})", ErrorCode::BadField, "signal"},
    {"signal_unknown_kind", R"({"type":"signal","to":7,"kind":"pranswer","sdp":"v=0"})", ErrorCode::BadField,
     "signal"},
    {"signal_offer_no_sdp", R"({"type":"signal","to":7,"kind":"offer"})", ErrorCode::BadField, "signal"},
    {"signal_answer_sdp_object", R"({"type":"signal","to":7,"kind":"answer","sdp":{}})", ErrorCode::BadField,
     "signal"},
    {"candidate_without_object", R"({"type":"signal","to":7,"kind":"candidate"})", ErrorCode::BadField, "signal"},
    {"candidate_is_string", R"({"type":"signal","to":7,"kind":"candidate","candidate":"candidate:1"})",
     ErrorCode::BadField, "signal"},
    {"candidate_missing_line", R"({"type":"signal","to":7,"kind":"candidate","candidate":{"sdpMid":"0"}})",
     ErrorCode::BadField, "signal"},
    {"candidate_mline_negative",
     R"({"type":"signal","to":7,"kind":"candidate","candidate":{"candidate":"c","sdpMLineIndex":-1}})",
     ErrorCode::BadField, "signal"},
    {"candidate_mid_number", R"({"type":"signal","to":7,"kind":"candidate","candidate":{"candidate":"c","sdpMid":0}})",
     ErrorCode::BadField, "signal"},
    {"signal_with_from", R"({"type":"signal","from":3,"to":7,"kind":"offer","sdp":"v=0"})", ErrorCode::SpoofedSender,
     "signal"},
    {"signal_with_null_from", R"({"type":"signal","from":null,"to":7,"kind":"offer","sdp":"v=0"})",
     ErrorCode::SpoofedSender, "signal"},
    {"media_missing_camera", R"({"type":"media","mic":false})", ErrorCode::BadField, "media"},
    {"media_mic_string", R"({"type":"media","mic":"yes","camera":true})", ErrorCode::BadField, "media"},
    {"oversize", R"({"type":"hello","version":1,"pad":")" + std::string(kMaxMessageBytes, 'x') + R"("})",
     ErrorCode::MessageTooLarge, ""},
    {"utf8_bad_continuation", "{\"type\":\"join\",\"room\":1,\"name\":\"\xC3\x28\"}", ErrorCode::BadUtf8, ""},
    {"utf8_overlong_slash", "{\"type\":\"join\",\"room\":1,\"name\":\"\xC0\xAF\"}", ErrorCode::BadUtf8, ""},
    {"utf8_overlong_3byte", "{\"type\":\"join\",\"room\":1,\"name\":\"\xE0\x80\xAF\"}", ErrorCode::BadUtf8, ""},
    {"utf8_lone_surrogate", "{\"type\":\"join\",\"room\":1,\"name\":\"\xED\xA0\x80\"}", ErrorCode::BadUtf8, ""},
    {"utf8_above_max", "{\"type\":\"join\",\"room\":1,\"name\":\"\xF4\x90\x80\x80\"}", ErrorCode::BadUtf8, ""},
    {"utf8_truncated_at_end", "{\"type\":\"leave\"}\xE2\x82", ErrorCode::BadUtf8, ""},
    {"utf8_truncated_in_string", "{\"type\":\"join\",\"room\":1,\"name\":\"\xF0\x9F\x98\"}", ErrorCode::BadUtf8, ""},
    {"utf8_stray_continuation", "{\"type\":\"leave\",\"x\":\"\x80\"}", ErrorCode::BadUtf8, ""},
    {"utf8_ff_byte", "\xFF", ErrorCode::BadUtf8, ""},
    {"json_escaped_lone_surrogate", R"({"type":"join","room":1,"name":"\ud800"})", ErrorCode::BadJson, ""},
    {"deeply_nested_arrays", std::string(10000, '['), ErrorCode::BadJson, ""},
    {"deeply_nested_objects", std::string(5000, '{'), ErrorCode::BadJson, ""},
};

INSTANTIATE_TEST_SUITE_P(Table, ProtocolMalformedClient, ::testing::ValuesIn(kBadClientInputs),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(ProtocolMalformed, SizeLimitIsInclusive) {
  std::string at_limit = R"({"type":"leave","pad":")";
  at_limit += std::string(kMaxMessageBytes - at_limit.size() - 2, 'x');
  at_limit += "\"}";
  ASSERT_EQ(at_limit.size(), kMaxMessageBytes);
  EXPECT_TRUE(decode_client(at_limit).ok());
  at_limit.insert(at_limit.size() - 2, "x");
  EXPECT_EQ(decode_client(at_limit).error.code, ErrorCode::MessageTooLarge);
}

TEST(ProtocolMalformed, DeeplyNestedButValidJsonDoesNotCrash) {
  // Valid JSON, nested as deep as the size limit allows, in an ignored field.
  const std::size_t depth = (kMaxMessageBytes - 64) / 2;
  const std::string text = R"({"type":"leave","x":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  ASSERT_LE(text.size(), kMaxMessageBytes);
  EXPECT_TRUE(decode_client(text).ok());
  // And as the whole message: not an object.
  EXPECT_EQ(decode_client(std::string(depth, '[') + std::string(depth, ']')).error.code, ErrorCode::BadJson);
}

TEST(ProtocolMalformed, LongUnknownTypeIsClippedInRequest) {
  const std::string type(1000, 't');
  auto decoded = decode_client(R"({"type":")" + type + "\"}");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error.code, ErrorCode::UnknownType);
  EXPECT_LE(decoded.error.request.size(), 64u);
  EXPECT_EQ(decoded.error.request, type.substr(0, decoded.error.request.size()));
}

TEST(ProtocolMalformed, BadFieldMessageNamesTheField) {
  auto decoded = decode_client(R"({"type":"create-room","name":"a","capacity":"6"})");
  EXPECT_NE(decoded.error.message.find("\"capacity\""), std::string::npos) << decoded.error.message;
  decoded = decode_client(R"({"type":"signal","to":7,"kind":"candidate","candidate":{"sdpMid":"0"}})");
  EXPECT_NE(decoded.error.message.find("\"candidate.candidate\""), std::string::npos) << decoded.error.message;
}

TEST(ProtocolMalformed, ServerMessages) {
  const std::pair<const char*, ErrorCode> cases[] = {
      {R"({"type":"welcome","version":1})", ErrorCode::BadField},
      {R"({"type":"welcome","version":1,"rooms":[{"id":1}]})", ErrorCode::BadField},
      {R"({"type":"welcome","version":1,"rooms":[3]})", ErrorCode::BadField},
      // The timings are required: a client has no copy of them.
      {R"({"type":"welcome","version":3,"rooms":[],"limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":8}})",
       ErrorCode::BadField},
      {R"({"type":"welcome","version":3,"rooms":[],"limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":8,"heartbeatMs":2000}})",
       ErrorCode::BadField},
      {R"({"type":"welcome","version":3,"rooms":[],"limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":8,"heartbeatMs":-1,"resumeGraceMs":0}})",
       ErrorCode::BadField},
      {R"({"type":"welcome","version":3,"rooms":[],"limits":{"maxNameChars":32,"maxRoomNameChars":48,"maxCapacity":8,"heartbeatMs":2000,"resumeGraceMs":4294967296}})",
       ErrorCode::BadField},
      {R"({"type":"joined","room":{"id":1,"name":"a","participants":1,"capacity":6},"self":{"id":1,"name":"x","mic":true,"camera":true},"peers":[]})",
       ErrorCode::BadField},  // no token
      {R"({"type":"peer-left","peer":-5})", ErrorCode::BadField},
      {R"({"type":"signal","to":5,"kind":"offer","sdp":"v=0"})", ErrorCode::BadField},  // server form needs from
      {R"({"type":"peer-media","peer":5,"mic":true})", ErrorCode::BadField},
      {R"({"type":"error","message":"x"})", ErrorCode::BadField},
      {R"({"type":"hello","version":1})", ErrorCode::UnknownType},
      {R"([])", ErrorCode::BadJson},
      // ICE servers: what RTCPeerConnection would throw on is refused here.
      {R"({"type":"ice"})", ErrorCode::BadField},
      {R"({"type":"ice","servers":[{"urls":"stun:a:1"}]})", ErrorCode::BadField},   // urls must be an array
      {R"({"type":"ice","servers":[{"urls":[]}]})", ErrorCode::BadField},
      {R"({"type":"ice","servers":[{"urls":["http://a"]}]})", ErrorCode::BadField},
      {R"({"type":"ice","servers":[{"urls":[5]}]})", ErrorCode::BadField},
      {R"({"type":"ice","servers":[{"urls":["turn:a:3478"]}]})", ErrorCode::BadField},  // no credentials
      {R"({"type":"ice","servers":[{"urls":["turn:a:3478"],"username":"u"}]})", ErrorCode::BadField},
      {R"({"type":"ice","servers":[],"policy":"none"})", ErrorCode::BadField},
      {R"({"type":"ice","servers":[],"expires":-1})", ErrorCode::BadField},
      {R"({"type":"ice","servers":[],"expires":1.5})", ErrorCode::BadField},
      {R"({"type":"ice","servers":[1,1,1,1,1,1,1,1,1]})", ErrorCode::BadField},  // over kMaxIceServers
  };
  for (const auto& [text, code] : cases) {
    Decoded<ServerMessage> decoded;
    ASSERT_NO_THROW(decoded = decode_server(text));
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error.code, code) << text << " -> " << decoded.error.message;
  }
}

// ---- enums --------------------------------------------------------------------------------------

TEST(ProtocolEnums, ClassesAndStreaming) {
  EXPECT_EQ(classify(ErrorCode::RoomFull), ErrorClass::User);
  EXPECT_EQ(classify(ErrorCode::TooManyRooms), ErrorClass::User);
  EXPECT_EQ(classify(ErrorCode::BadJson), ErrorClass::Protocol);
  EXPECT_EQ(classify(ErrorCode::VersionMismatch), ErrorClass::Protocol);
  EXPECT_EQ(classify(ErrorCode::Internal), ErrorClass::Internal);
  std::ostringstream os;
  os << ErrorCode::SpoofedSender << ' ' << ErrorClass::Protocol << ' ' << SignalKind::Candidate;
  EXPECT_EQ(os.str(), "spoofed-sender protocol candidate");
}

// ---- text rules ---------------------------------------------------------------------------------

TEST(ProtocolText, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("김민지 😀 é \xEF\xBF\xBF \xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xC3\x28"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(is_valid_utf8("abcdefgh\xE2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));
  EXPECT_EQ(utf8_length("김민지"), 3u);
  EXPECT_EQ(utf8_length("a😀b"), 3u);
}

TEST(ProtocolText, Trim) {
  EXPECT_EQ(trim("  김민지  "), "김민지");
  EXPECT_EQ(trim("\t\r\n Minji \v\f"), "Minji");
  EXPECT_EQ(trim("\u3000Minji\u3000"), "Minji");
  EXPECT_EQ(trim("\u00A0\u2003\u200B\uFEFFMin ji\u202F"), "Min ji");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("a"), "a");
}

TEST(ProtocolText, DisplayNames) {
  auto korean = normalize_display_name("  김민지  ");
  ASSERT_TRUE(korean);
  EXPECT_EQ(*korean, "김민지");
  EXPECT_EQ(utf8_length(*korean), 3u);

  EXPECT_EQ(normalize_display_name("\u3000Minji\u3000"), "Minji");
  EXPECT_TRUE(normalize_display_name(std::string(32, 'a')));
  EXPECT_FALSE(normalize_display_name(std::string(33, 'a')));
  std::string korean32;
  for (int i = 0; i < 32; ++i) korean32 += "김";
  EXPECT_TRUE(normalize_display_name(korean32));  // the limit counts code points, not bytes
  EXPECT_FALSE(normalize_display_name(korean32 + "김"));
  EXPECT_TRUE(normalize_display_name("  " + std::string(32, 'a') + "  "));  // trimmed first

  EXPECT_FALSE(normalize_display_name(""));
  EXPECT_FALSE(normalize_display_name("   "));
  EXPECT_FALSE(normalize_display_name("\u3000"));
  EXPECT_FALSE(normalize_display_name(std::string("Min\0ji", 6)));
  EXPECT_FALSE(normalize_display_name("Min\x1Bji"));
  EXPECT_FALSE(normalize_display_name("Min\x7Fji"));
  EXPECT_FALSE(normalize_display_name("Min\u0085ji"));  // C1
  EXPECT_FALSE(normalize_display_name("Min\tji"));
  EXPECT_FALSE(normalize_display_name("Min\xC3\x28"));
}

// One rule for every place a name is checked (the hub's join and resume, the client's join, its checks
// before a join and a link's name prompt): the trimmed name, or why not, under a server's own limit.
TEST(ProtocolText, CheckedNamesUnderAServersLimit) {
  struct Row {
    std::string typed;
    std::size_t max;
    NameFault fault;
    std::string name;  // the trimmed name (also when refused, but for bad UTF-8)
  };
  std::string korean5;
  for (int i = 0; i < 5; ++i) korean5 += "김";
  const std::vector<Row> rows = {
      {"  Minji  ", 32, NameFault::None, "Minji"},
      {"  Minji  ", 5, NameFault::None, "Minji"},         // exactly the server's limit, after trimming
      {"Minji!", 5, NameFault::TooLong, "Minji!"},         // one over it
      {korean5, 5, NameFault::None, korean5},              // code points, not bytes
      {korean5 + "김", 5, NameFault::TooLong, korean5 + "김"},
      {std::string(40, 'a'), 1000, NameFault::TooLong, std::string(40, 'a')},  // never above the protocol's 32
      {std::string(32, 'a'), 1000, NameFault::None, std::string(32, 'a')},
      {"\u3000 \t", 32, NameFault::Empty, ""},
      {"", 32, NameFault::Empty, ""},
      {"Min\x1Bji", 32, NameFault::Invalid, "Min\x1Bji"},
      {"Min\u0085ji", 32, NameFault::Invalid, "Min\u0085ji"},
      {"Min\x1Bji is a long name", 5, NameFault::TooLong, "Min\x1Bji is a long name"},  // the visible fault first
      {"Min\xC3\x28", 32, NameFault::Invalid, ""},
  };
  for (const Row& row : rows) {
    const CheckedName got = check_display_name(row.typed, row.max);
    EXPECT_EQ(got.fault, row.fault) << '"' << row.typed << "\" max " << row.max;
    EXPECT_EQ(got.name, row.name) << '"' << row.typed << '"';
    EXPECT_EQ(got.ok(), row.fault == NameFault::None);
    // The optional form says the same.
    const auto normalized = normalize_display_name(row.typed, row.max);
    EXPECT_EQ(normalized.has_value(), got.ok()) << '"' << row.typed << '"';
    if (normalized) EXPECT_EQ(*normalized, row.name);
  }
  EXPECT_EQ(check_room_name("  Standup  ", 6).fault, NameFault::TooLong);
  EXPECT_EQ(check_room_name("  Stand  ", 6).name, "Stand");
  EXPECT_EQ(check_room_name(std::string(48, 'r'), 1000).fault, NameFault::None);
  EXPECT_EQ(check_room_name(std::string(49, 'r'), 1000).fault, NameFault::TooLong);
}

TEST(ProtocolText, RoomNamesAndCapacity) {
  EXPECT_EQ(normalize_room_name("  Standup "), "Standup");
  EXPECT_TRUE(normalize_room_name(std::string(48, 'r')));
  EXPECT_FALSE(normalize_room_name(std::string(49, 'r')));
  EXPECT_FALSE(normalize_room_name(""));
  EXPECT_FALSE(normalize_room_name("a\nb"));
  EXPECT_EQ(room_name_key("StandUp Ä"), "standup Ä");

  EXPECT_FALSE(is_valid_capacity(0));
  EXPECT_FALSE(is_valid_capacity(1));
  EXPECT_TRUE(is_valid_capacity(2));
  EXPECT_TRUE(is_valid_capacity(8));
  EXPECT_TRUE(is_valid_capacity(9)) << "issue 15: up to 50 (over a server's mesh_max: a large room)";
  EXPECT_TRUE(is_valid_capacity(50));
  EXPECT_FALSE(is_valid_capacity(51));
}

// A lobby of 1,000 rooms with ordinary names is over the client-message limit; the client must
// still accept the server's welcome listing them all. Server messages have their own, larger cap.
TEST(Protocol, LargeWelcomeIsAcceptedUpToTheServerMessageLimit) {
  Welcome w;
  for (RoomId id = 1; id <= 1000; ++id) w.rooms.push_back({id, "Room " + std::to_string(id) + " weekly standup", 3, 6});
  const std::string text = encode(ServerMessage{w});
  ASSERT_GT(text.size(), kMaxMessageBytes);
  auto decoded = decode_server(text);
  ASSERT_TRUE(decoded.ok()) << decoded.error.message;
  EXPECT_EQ(std::get<Welcome>(*decoded.message), w);

  std::string huge = R"({"type":"left","pad":")" + std::string(kMaxServerMessageBytes, 'x') + R"("})";
  EXPECT_EQ(decode_server(huge).error.code, ErrorCode::MessageTooLarge);
  // The same text from a client is refused at the client limit.
  EXPECT_EQ(decode_client(text).error.code, ErrorCode::MessageTooLarge);
}

}  // namespace
}  // namespace moim::proto
