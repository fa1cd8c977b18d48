// What the lobby and the call screen say (shared/view_text.hpp), line by line: the status line for
// each phase of the link with its countdown, the preview card's ladder, the call's banner, and the
// order of the call's tiles fed by real server messages.
#include "view_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <utility>

namespace moim::view_text {
namespace {

using join_flow::Devices;
using server_link::Phase;
using ui_text::Lang;

std::string en(const ui_text::Message& m) { return ui_text::render(Lang::En, m); }

TEST(ViewText, TheStatusLineFollowsTheLinkWithTheSecondsToTheNextTry) {
  struct Row {
    Phase phase;
    double retry_at, now;
    std::string text;
  };
  const std::vector<Row> rows = {
      {Phase::Connected, 0, 5000, "Connected"},
      {Phase::Connecting, 0, 5000, "Connecting\xE2\x80\xA6"},
      {Phase::Reconnecting, 9000, 5000, "Reconnecting\xE2\x80\xA6"},
      {Phase::Waiting, 7000, 5000, "Reconnecting\xE2\x80\xA6 (next try in 2 s)"},
      {Phase::Waiting, 6500, 5000, "Reconnecting\xE2\x80\xA6 (next try in 2 s)"},  // 1.5 s: rounded up
      {Phase::Waiting, 6001, 5000, "Reconnecting\xE2\x80\xA6 (next try in 1 s)"},  // under 10 ms over: not
      {Phase::Waiting, 6000, 5000, "Reconnecting\xE2\x80\xA6 (next try in 1 s)"},
      {Phase::Waiting, 5250, 5000, "Reconnecting\xE2\x80\xA6 (next try in 1 s)"},
      {Phase::Waiting, 5000, 5000, "Reconnecting\xE2\x80\xA6 (next try in 1 s)"},  // due: never "0 s"
      {Phase::Waiting, 4000, 5000, "Reconnecting\xE2\x80\xA6 (next try in 1 s)"},  // late tick
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(server_link::to_string(row.phase)) + " " + std::to_string(row.retry_at - row.now));
    EXPECT_EQ(link_status(Lang::En, row.phase, row.retry_at, row.now), row.text);
  }
  // The same countdown in Korean.
  EXPECT_EQ(link_status(Lang::Ko, Phase::Waiting, 7000, 5000), "다시 연결 중… (2초 뒤 다시 시도)");
  EXPECT_EQ(link_status(Lang::Ko, Phase::Connected, 0, 0), "연결됨");
}

TEST(ViewText, ThePreviewSaysTheMostImportantThingFirst) {
  const std::string insecure =
      "Camera and microphone need a secure page: open this app over https (or on localhost). You can still join, "
      "to see and hear the others.";
  struct Row {
    bool secure;
    Devices devices;
    bool audio, video;
    std::string text;
  };
  const std::vector<Row> rows = {
      {false, Devices::Settled, false, false, insecure},
      {false, Devices::Idle, false, false, insecure},
      {true, Devices::Requesting, false, false, "Starting camera\xE2\x80\xA6"},
      {true, Devices::Requesting, true, true, "Starting camera\xE2\x80\xA6"},  // a stream of an earlier request
      {true, Devices::Idle, false, false, "Camera off until you join"},
      {true, Devices::Settled, false, false, "Camera and microphone unavailable: you will join without them"},
      {true, Devices::Settled, true, false, "No camera: you will join with audio only"},
      {true, Devices::Settled, false, true, ""},  // no microphone: the preview shows the camera, nothing to say
      {true, Devices::Settled, true, true, ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(join_flow::to_string(row.devices)) + (row.secure ? " secure" : " insecure") +
                 (row.audio ? " audio" : "") + (row.video ? " video" : ""));
    EXPECT_EQ(preview_status(Lang::En, row.secure, row.devices, row.audio, row.video), row.text);
  }
  // The person turned the camera off before joining.
  EXPECT_EQ(preview_status(Lang::En, true, Devices::Settled, true, true, false), "Camera off: you will join without video");
  EXPECT_EQ(preview_status(Lang::Ko, true, Devices::Settled, true, true, false), "카메라 꺼짐: 영상 없이 참여합니다");
  EXPECT_EQ(preview_status(Lang::En, true, Devices::Settled, true, false, false), "No camera: you will join with audio only");
}

TEST(ViewText, TheCallsBannerOnlyWhileTheServerIsOutOfReach) {
  EXPECT_EQ(call_status(Lang::En, true), "Reconnecting\xE2\x80\xA6 (the call goes on)");
  EXPECT_EQ(call_status(Lang::En, false), "");
  EXPECT_EQ(call_status(Lang::Ko, true), "다시 연결 중… (통화는 계속됩니다)");
  // A large room's media server out of reach: said unless the server itself is (it comes first).
  EXPECT_EQ(call_status(Lang::En, false, true), "Reconnecting media\xE2\x80\xA6");
  EXPECT_EQ(call_status(Lang::Ko, false, true), "미디어 다시 연결 중…");
  EXPECT_EQ(call_status(Lang::En, true, true), "Reconnecting\xE2\x80\xA6 (the call goes on)");
  EXPECT_EQ(call_status(Lang::Ko, false), "");
}

// The peer table's browser objects, as far as the tiles care: a handle.
struct Objects {
  int h = 0;
  int handle() const { return h; }
};

TEST(ViewText, TilesAreOurselvesFirstThenThePeersInJoinOrderThenThoseAway) {
  using namespace proto;
  const auto room = [](RoomId id) { return RoomInfo{id, "Room", 1, 6, false}; };
  const auto peer = [](PeerId id) { return PeerInfo{id, "P" + std::to_string(id), true, true}; };
  ClientState world;
  PeerTable<Objects> peers;
  const auto apply = [&](const ServerMessage& msg) {
    world.apply(msg);
    peers.apply(msg, world.call());
  };
  apply(Welcome{kVersion, {room(1)}, {}});
  apply(Joined{room(1), peer(10), "tok", {peer(12), peer(11)}});
  EXPECT_EQ(tile_order(10, peers), (std::vector<PeerId>{10, 12, 11}));
  apply(PeerJoined{peer(13), false});
  EXPECT_EQ(tile_order(10, peers), (std::vector<PeerId>{10, 12, 11, 13}));
  // A server restart: 11 is back at once, 12 and 13 are away (their tiles stay, after the others).
  apply(Resumed{room(1), peer(10), "t2", {peer(11)}, true});
  EXPECT_EQ(tile_order(10, peers), (std::vector<PeerId>{10, 11, 12, 13}));
  apply(PeerJoined{peer(13), true});
  EXPECT_EQ(tile_order(10, peers), (std::vector<PeerId>{10, 11, 13, 12}));
  apply(PeerLeft{11});
  EXPECT_EQ(tile_order(10, peers), (std::vector<PeerId>{10, 13, 12}));
  apply(Left{});
  EXPECT_EQ(tile_order(10, peers), (std::vector<PeerId>{10}));
}

// The words the person reads for each fault of the rule (the lobby's banner, the dialogs).
TEST(ViewText, NameFaultsInWords) {
  using S = NameSubject;
  struct Row {
    proto::NameFault fault;
    std::size_t max;
    S subject;
    std::string want;
  };
  const std::vector<Row> rows = {
      {proto::NameFault::Empty, 32, S::Person, "Enter your name first."},
      {proto::NameFault::TooLong, 20, S::Person, "Your name can have at most 20 characters."},
      {proto::NameFault::Invalid, 32, S::Person, "Your name cannot contain control characters."},
      {proto::NameFault::Empty, 48, S::Room, "Enter a room name."},
      {proto::NameFault::TooLong, 6, S::Room, "A room name can have at most 6 characters."},
      {proto::NameFault::Invalid, 48, S::Room, "A room name cannot contain control characters."},
  };
  for (const Row& r : rows)
    EXPECT_EQ(en(name_fault(r.fault, r.max, r.subject)), r.want) << r.want << ", max " << r.max;
  // From the check itself: the limit in the sentence is the one the name was checked against.
  EXPECT_EQ(en(name_fault(proto::check_display_name("Minji!", 5).fault, 5, S::Person)),
            "Your name can have at most 5 characters.");
  EXPECT_EQ(ui_text::render(Lang::Ko, name_fault(proto::NameFault::TooLong, 5, S::Person)), "이름은 5자까지 쓸 수 있습니다.");
}

// A chat message's time: hours and minutes, two digits each, as the panel shows it.
TEST(ViewText, ChatTimesAreTwoDigitHoursAndMinutes) {
  EXPECT_EQ(clock_text(14, 5), "14:05");
  EXPECT_EQ(clock_text(9, 30), "09:30");
  EXPECT_EQ(clock_text(0, 0), "00:00");
  EXPECT_EQ(clock_text(23, 59), "23:59");
}

TEST(ViewText, StatsFiguresWithTheirUnits) {
  using call_stats::Metric;
  const struct { Metric metric; std::optional<double> value; const char* text; } table[] = {
      {Metric::KbpsIn, 0, "0 kbps"},
      {Metric::KbpsIn, 999.4, "999 kbps"},
      {Metric::KbpsOut, 1234.4, "1,234 kbps"},
      {Metric::KbpsOut, 12005, "12,005 kbps"},
      {Metric::RttMs, 23.4, "23 ms"},
      {Metric::LossPct, 0.46, "0.5 %"},
      {Metric::LossPct, 250, "100.0 %"},
      {Metric::Fps, 29.6, "30 fps"},
      {Metric::Fps, std::nullopt, "\xE2\x80\x93"},
      {Metric::KbpsIn, std::nan(""), "\xE2\x80\x93"},
  };
  for (const auto& row : table) EXPECT_EQ(stats_figure(row.metric, row.value), row.text) << row.text;
  EXPECT_EQ(stats_details(640, 480, "VP8", "host"), "640\xC3\x97" "480 \xC2\xB7 VP8 \xC2\xB7 host");
  EXPECT_EQ(stats_details(0, 480, "", "relay"), "relay");
  EXPECT_EQ(stats_details(0, 0, "", ""), "");
}

}  // namespace
}  // namespace moim::view_text
