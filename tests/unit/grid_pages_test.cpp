// Which tiles a grid too small for everyone shows: pages in order, the page asked for clamped, and
// the active speaker in the last place of every page, everyone else on exactly one.
#include "grid_pages.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace moim::grid_pages {

void PrintTo(const Page& p, std::ostream* os) {
  *os << "page " << p.index << " of " << p.count << ": [";
  for (int i : p.tiles) *os << ' ' << i;
  *os << " ]";
}

namespace {

struct Case {
  const char* what;
  int tiles, per_page, wanted;
  std::optional<int> speaker;
  Page expected;
};

TEST(GridPages, Table) {
  const Case cases[] = {
      {"everyone fits: one page", 4, 6, 0, std::nullopt, {0, 1, {0, 1, 2, 3}}},
      {"everyone fits: the speaker stays in place", 6, 6, 0, 2, {0, 1, {0, 1, 2, 3, 4, 5}}},
      {"nobody (not in a call yet)", 0, 6, 3, std::nullopt, {0, 1, {}}},
      {"first of two pages", 4, 3, 0, std::nullopt, {0, 2, {0, 1, 2}}},
      {"the last page holds fewer", 4, 3, 1, std::nullopt, {1, 2, {3}}},
      {"a page past the end is the last (people left)", 7, 3, 9, std::nullopt, {2, 3, {6}}},
      {"a page before the first is the first", 7, 3, -2, std::nullopt, {0, 3, {0, 1, 2}}},
      {"the speaker last on the first page", 12, 4, 0, 9, {0, 4, {0, 1, 2, 9}}},
      {"the others move up past the speaker", 12, 4, 3, 9, {3, 4, {10, 11, 9}}},
      {"the speaker on its own page: in the last place", 12, 4, 2, 7, {2, 4, {6, 8, 9, 7}}},
      {"four people, two a page: self and the speaker", 4, 2, 0, 3, {0, 3, {0, 3}}},
      {"four people, two a page: the second page", 4, 2, 1, 3, {1, 3, {1, 3}}},
      {"four people, two a page: the third page", 4, 2, 2, 3, {2, 3, {2, 3}}},
      {"room for one a page: no place kept", 3, 1, 1, 2, {1, 3, {1}}},
      {"a speaker index out of range is ignored", 5, 2, 0, 7, {0, 3, {0, 1}}},
      {"a negative speaker index is ignored", 5, 2, 0, -1, {0, 3, {0, 1}}},
      {"a page size below one is one", 3, 0, 1, std::nullopt, {1, 3, {1}}},
      {"a 50-person room, 9 a page, the speaker the last", 50, 9, 0, 49, {0, 7, {0, 1, 2, 3, 4, 5, 6, 7, 49}}},
  };
  for (const Case& c : cases) EXPECT_EQ(paginate(c.tiles, c.per_page, c.wanted, c.speaker), c.expected) << c.what;
}

// Paging through every page sees everyone: each tile on exactly one page, but the speaker, who is
// on all of them.
TEST(GridPages, EveryoneIsOnAPage) {
  for (int tiles = 0; tiles <= 50; ++tiles)
    for (int per_page = 1; per_page <= 12; ++per_page)
      for (int speaker = -1; speaker < tiles; ++speaker) {
        const std::optional<int> who = speaker < 0 ? std::nullopt : std::optional<int>(speaker);
        std::vector<int> seen(static_cast<std::size_t>(tiles), 0);
        const Page first = paginate(tiles, per_page, 0, who);
        for (int p = 0; p < first.count; ++p) {
          const Page page = paginate(tiles, per_page, p, who);
          ASSERT_LE(static_cast<int>(page.tiles.size()), per_page);
          for (int i : page.tiles) ++seen[static_cast<std::size_t>(i)];
        }
        for (int i = 0; i < tiles; ++i) {
          const bool on_every_page = who && tiles > per_page && per_page >= 2 && i == *who;
          ASSERT_EQ(seen[static_cast<std::size_t>(i)], on_every_page ? first.count : 1)
              << tiles << " tiles, " << per_page << " a page, speaker " << speaker << ", tile " << i;
        }
      }
}

}  // namespace
}  // namespace moim::grid_pages
