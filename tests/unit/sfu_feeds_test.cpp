// shared/sfu_feeds: a large room's subscription offer, person by person, and the feeds' changes
// from one offer to the next.
#include "sfu_feeds.hpp"

#include <gtest/gtest.h>

namespace moim::sfu_feeds {
namespace {

using proto::MediaKind;
using proto::MediaStream;

MediaStream audio(std::string mid, proto::PeerId peer) { return {std::move(mid), peer, MediaKind::Audio, false}; }
MediaStream video(std::string mid, proto::PeerId peer) { return {std::move(mid), peer, MediaKind::Video, false}; }
MediaStream screen(std::string mid, proto::PeerId peer) { return {std::move(mid), peer, MediaKind::Video, true}; }

TEST(SfuFeeds, EachPersonsMicrophoneAndCamera) {
  struct Row {
    const char* what;
    std::vector<MediaStream> streams;
    Feeds want;
  };
  const std::vector<Row> rows{
      {"none", {}, {}},
      {"two people", {audio("0", 2), video("1", 2), audio("2", 3), video("3", 3)}, {{2, {"0", "1"}}, {3, {"2", "3"}}}},
      {"in any order", {video("3", 3), audio("0", 2), audio("2", 3), video("1", 2)}, {{2, {"0", "1"}}, {3, {"2", "3"}}}},
      {"audio only", {audio("0", 2)}, {{2, {"0", ""}}}},
      {"camera only", {video("1", 2)}, {{2, {"", "1"}}}},
      {"ourselves skipped", {audio("0", 5), video("1", 5), audio("2", 3)}, {{3, {"2", ""}}}},
      {"id 0 skipped", {audio("0", 0), video("1", 2)}, {{2, {"", "1"}}}},
      {"empty mid skipped", {audio("", 2), video("1", 2)}, {{2, {"", "1"}}}},
      {"a mid taken twice: the first counts", {audio("0", 2), audio("0", 3), video("1", 3)}, {{2, {"0", ""}}, {3, {"", "1"}}}},
      {"a second camera of one person skipped", {video("1", 2), video("4", 2)}, {{2, {"", "1"}}}},
      {"a screen is not a camera", {screen("4", 2), video("1", 2)}, {{2, {"", "1", "4"}}}},
      {"a screen alone", {screen("4", 2)}, {{2, {"", "", "4"}}}},
      {"a second screen skipped", {screen("4", 2), screen("5", 2)}, {{2, {"", "", "4"}}}},
      {"a screen of sound is nothing", {{"4", 2, MediaKind::Audio, true}}, {}},
  };
  for (const Row& row : rows) EXPECT_EQ(by_peer(row.streams, 5), row.want) << row.what;
}

TEST(SfuFeeds, NoMoreFeedsThanARoomHolds) {
  std::vector<MediaStream> streams;
  for (proto::PeerId p = 100; p < 100 + kMaxFeeds + 10; ++p) streams.push_back(audio(std::to_string(p), p));
  const Feeds feeds = by_peer(streams, 5);
  ASSERT_EQ(feeds.size(), kMaxFeeds);
  EXPECT_EQ(feeds.begin()->first, 100u);
  EXPECT_EQ(feeds.rbegin()->first, 100 + kMaxFeeds - 1);
}

TEST(SfuFeeds, ChangesFromOneOfferToTheNext) {
  struct Row {
    const char* what;
    Feeds current, wanted;
    Change want;
  };
  const std::vector<Row> rows{
      {"first offer", {}, {{2, {"0", "1"}}}, {{{2, {"0", "1"}}}, {}}},
      {"the same again: nothing", {{2, {"0", "1"}}}, {{2, {"0", "1"}}}, {}},
      {"someone new", {{2, {"0", "1"}}}, {{2, {"0", "1"}}, {3, {"2", "3"}}}, {{{3, {"2", "3"}}}, {}}},
      {"someone gone", {{2, {"0", "1"}}, {3, {"2", "3"}}}, {{3, {"2", "3"}}}, {{}, {2}}},
      {"a camera added: made again", {{2, {"0", ""}}}, {{2, {"0", "1"}}}, {{{2, {"0", "1"}}}, {}}},
      {"a screen shared: made again", {{2, {"0", "1"}}}, {{2, {"0", "1", "4"}}}, {{{2, {"0", "1", "4"}}}, {}}},
      {"everyone gone", {{2, {"0", "1"}}, {3, {"2", "3"}}}, {}, {{}, {2, 3}}},
  };
  for (const Row& row : rows) EXPECT_EQ(diff(row.current, row.wanted), row.want) << row.what;
}

}  // namespace
}  // namespace moim::sfu_feeds
