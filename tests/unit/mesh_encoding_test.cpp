// How hard our camera is sent to each peer (shared/mesh_encoding.hpp): by the call's size and by how
// the peer draws us.
#include "mesh_encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace moim::mesh {
namespace {

TEST(MeshEncoding, ByTheCallsSizeAndTheTileTheyDrawUsIn) {
  using p2p::View;
  const struct {
    std::size_t peers;
    std::optional<View> shown;
    SendShape shape;
  } table[] = {
      {1, std::nullopt, {1000, 1}},   // two people: full picture, no more than it needs
      {2, std::nullopt, {1000, 1}},   // 2400 / 2 = 1200, capped at what 640x360 needs
      {3, std::nullopt, {800, 1}},    // the budget shared
      {4, std::nullopt, {444, 1.5}},  // 600 each, but a 1.5x smaller picture needs 1000 / 2.25
      {5, std::nullopt, {444, 1.5}},
      {6, std::nullopt, {250, 2}},
      {9, std::nullopt, {250, 2}},    // 2400 / 9 = 267, a half-size picture needs 250
      {0, std::nullopt, {1000, 1}},   // nobody (yet): as for one
      {3, View{1280, 720}, {800, 1}},   // drawn larger than we send: nothing changes
      {3, View{640, 360}, {800, 1}},
      {3, View{600, 338}, {800, 1}},    // 1.07 rounds to 1
      {3, View{320, 180}, {250, 2}},    // a strip tile: half size, and what that needs
      {3, View{213, 120}, {111, 3}},
      {3, View{100, 56}, {100, 4}},     // tiny: the smallest picture, the floor bitrate
      {3, View{0, 0}, {100, 4}},        // not drawn: a thumbnail
      {6, View{1280, 720}, {250, 2}},   // a large tile does not undo the call's size
      {2, View{640, 100}, {1000, 1}},   // an odd shape: both sides must be covered
  };
  for (const auto& row : table) {
    SCOPED_TRACE(std::to_string(row.peers) + " peers, shown " +
                 (row.shown ? std::to_string(row.shown->width) + "x" + std::to_string(row.shown->height) : "?"));
    const SendShape s = shape_for(row.peers, row.shown);
    EXPECT_EQ(s.max_kbps, row.shape.max_kbps);
    EXPECT_EQ(s.scale_down, row.shape.scale_down);
  }
}

TEST(MeshEncoding, TheUplinkBudgetHoldsWhateverTheSize) {
  for (std::size_t peers = 1; peers <= 15; ++peers) {
    double total = 0;
    for (std::size_t i = 0; i < peers; ++i) total += shape_for(peers, std::nullopt).max_kbps;
    EXPECT_LE(total, 2400 + 1) << peers;  // the floor may pass it only for calls past 24 people
  }
}

TEST(MeshEncoding, OnlyAViewThatChangesTheShapeIsWorthTelling) {
  using p2p::View;
  EXPECT_FALSE(view_changed(View{640, 360}, View{600, 340}));
  EXPECT_TRUE(view_changed(View{640, 360}, View{320, 180}));
  EXPECT_TRUE(view_changed(View{640, 360}, View{0, 0}));
  EXPECT_TRUE(view_changed(View{0, 0}, View{10, 10}));
  EXPECT_FALSE(view_changed(View{0, 0}, View{0, 0}));
}

}  // namespace
}  // namespace moim::mesh
