#include "grid_pages.hpp"

#include <algorithm>

namespace moim::grid_pages {

Page paginate(int tiles, int per_page, int wanted, std::optional<int> speaker) {
  Page page;
  tiles = std::max(tiles, 0);
  per_page = std::max(per_page, 1);
  if (speaker && (*speaker < 0 || *speaker >= tiles)) speaker.reset();
  // The speaker's place is kept on every page: the others share what is left.
  const bool keep_speaker = tiles > per_page && speaker && per_page >= 2;
  const int others = keep_speaker ? tiles - 1 : tiles, room = keep_speaker ? per_page - 1 : per_page;
  page.count = std::max(1, (others + room - 1) / room);
  page.index = std::clamp(wanted, 0, page.count - 1);
  // The n-th of the others is tile n, or n + 1 past the speaker.
  const auto other = [&](int n) { return keep_speaker && n >= *speaker ? n + 1 : n; };
  const int first = page.index * room, end = std::min(others, first + room);
  for (int n = first; n < end; ++n) page.tiles.push_back(other(n));
  if (keep_speaker) page.tiles.push_back(*speaker);
  return page;
}

}  // namespace moim::grid_pages
