// The layer a large room's receiver asks for each camera (shared/sfu_layers.hpp): by the height the
// tile is drawn at, told once per feed and then when it changes, at most every 250 ms.
#include "sfu_layers.hpp"

#include <gtest/gtest.h>

namespace moim::sfu_layers {
namespace {

using proto::LayerWish;
using proto::MediaLayer;

// The camera is 360 high: layers of 360, 180 and 90; each fills a tile up to 1.25 times its height.
TEST(SfuLayers, TheSmallestLayerThatFillsTheTile) {
  const struct {
    std::uint32_t height;
    MediaLayer layer;
  } rows[] = {
      {0, MediaLayer::Low},        // not drawn
      {1, MediaLayer::Low},     {90, MediaLayer::Low},     {112, MediaLayer::Low},
      {113, MediaLayer::Medium}, {180, MediaLayer::Medium}, {225, MediaLayer::Medium},
      {226, MediaLayer::High},  {360, MediaLayer::High},   {2160, MediaLayer::High},
  };
  for (const auto& row : rows) EXPECT_EQ(for_height(row.height), row.layer) << row.height;
}

TEST(SfuLayers, EachFeedToldOnceThenOnlyChangesAtMostEveryQuarterSecond) {
  Wishes w;
  // Feeds new to us: told, even the highest (the server may hold an older wish of ours).
  auto told = w.drawn({2, 3}, {{2, 400}, {3, 400}}, 0);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->layers, (std::vector<LayerWish>{{2, MediaLayer::High}, {3, MediaLayer::High}}));
  // The same again: nothing. Within 250 ms of the last message a change waits for a later frame.
  EXPECT_EQ(w.drawn({2, 3}, {{2, 400}, {3, 400}}, 100), std::nullopt);
  // 3 becomes a thumbnail, 4 arrives off the page: both told together, once 250 ms have passed.
  EXPECT_EQ(w.drawn({2, 3, 4}, {{2, 400}, {3, 100}}, 200), std::nullopt);
  told = w.drawn({2, 3, 4}, {{2, 400}, {3, 100}}, 250);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->layers, (std::vector<LayerWish>{{3, MediaLayer::Low}, {4, MediaLayer::Low}}));
  EXPECT_EQ(w.told(4), MediaLayer::Low);
  // Changes in between go together in the next.
  EXPECT_EQ(w.drawn({2, 3, 4}, {{2, 200}, {3, 100}}, 300), std::nullopt);
  told = w.drawn({2, 3, 4}, {{2, 200}, {3, 100}, {4, 300}}, 500);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->layers, (std::vector<LayerWish>{{2, MediaLayer::Medium}, {4, MediaLayer::High}}));
  // 3's feed goes (forgotten) and comes back: told again, whatever its layer.
  EXPECT_EQ(w.drawn({2, 4}, {{2, 200}, {4, 300}}, 1000), std::nullopt);
  EXPECT_EQ(w.told(3), std::nullopt);
  told = w.drawn({2, 3, 4}, {{2, 200}, {3, 100}, {4, 300}}, 1100);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->layers, (std::vector<LayerWish>{{3, MediaLayer::Low}}));
  // A reset (a new subscription, a resume): everything told again at once.
  w.reset();
  told = w.drawn({2, 3, 4}, {{2, 200}, {3, 100}, {4, 300}}, 1110);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->layers, (std::vector<LayerWish>{{2, MediaLayer::Medium}, {3, MediaLayer::Low}, {4, MediaLayer::High}}));
}

// A message holds at most kMaxLayerWishes entries: the rest go in the next.
TEST(SfuLayers, ABigRoomsChangesGoInBoundedMessages) {
  Wishes w;
  std::set<proto::PeerId> feeds;
  for (proto::PeerId p = 1; p <= proto::kMaxLayerWishes + 5; ++p) feeds.insert(p);
  auto told = w.drawn(feeds, {}, 0);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->layers.size(), proto::kMaxLayerWishes);
  told = w.drawn(feeds, {}, 300);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->layers.size(), 5u);
  EXPECT_EQ(w.drawn(feeds, {}, 600), std::nullopt);  // all told
}

}  // namespace
}  // namespace moim::sfu_layers
