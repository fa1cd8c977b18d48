// Which tiles a grid too small for everyone shows (issue 15 item 3): the tiles in pages of
// `per_page`, the person turning pages, and the active speaker always on the page shown.
//
// Rules:
//  - Everyone fits (tiles <= per_page): one page, every tile, in order.
//  - Otherwise pages of per_page tiles in order (the last one may hold fewer); the page asked for is
//    clamped to those there are (people leaving may remove the page the person was on).
//  - With an active speaker (an index) and room for two a page: the speaker is in the last place of
//    every page, and the others fill pages of per_page - 1 in order. Whoever speaks is always seen,
//    and everyone else is still on exactly one page (pulling the speaker onto a page in someone's
//    place would leave that someone on none while the speaker speaks).
// Pure (std only): the call screen measures how many tiles fit and draws what this says.
#pragma once

#include <optional>
#include <vector>

namespace moim::grid_pages {

struct Page {
  int index = 0;           // the page shown, from 0
  int count = 1;           // how many pages there are
  std::vector<int> tiles;  // the indices of the tiles on it, in the order drawn
  bool operator==(const Page&) const = default;
};

// `tiles` >= 0; `per_page` < 1 is taken as 1; `wanted` any (clamped); `speaker` outside [0, tiles)
// is ignored.
Page paginate(int tiles, int per_page, int wanted, std::optional<int> speaker);

}  // namespace moim::grid_pages
