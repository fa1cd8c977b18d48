// The lobby's room filter: which names a typed query finds.
#include "room_search.hpp"

#include <gtest/gtest.h>

namespace {

struct Case {
  const char* label;
  const char* name;
  const char* query;
  bool found;
};

const Case kCases[] = {
    {"empty_query_finds_all", "Standup", "", true},
    {"spaces_only_find_all", "Standup", "   ", true},
    {"prefix", "Standup", "Stand", true},
    {"middle", "Daily standup", "ly st", true},
    {"ascii_case_folded", "Daily Standup", "STANDUP", true},
    {"query_trimmed", "Standup", "  stand\xE3\x80\x80", true},  // an ideographic space at the end
    {"absent", "Standup", "retro", false},
    {"longer_than_name", "Team", "Teamwork", false},
    {"hangul_substring", "\xEA\xB0\x80\xEC\xA1\xB1 \xEB\xAA\xA8\xEC\x9E\x84", "\xEB\xAA\xA8\xEC\x9E\x84", true},  // 가족 모임 / 모임
    {"hangul_absent", "\xEA\xB0\x80\xEC\xA1\xB1", "\xEB\xAA\xA8", false},                                    // 가족 / 모
    {"inner_space_kept", "Stand up", "standup", false},
};

class RoomSearch : public ::testing::TestWithParam<Case> {};

TEST_P(RoomSearch, Matches) {
  const Case& c = GetParam();
  EXPECT_EQ(moim::room_name_matches(c.name, c.query), c.found) << c.name << " / " << c.query;
}

INSTANTIATE_TEST_SUITE_P(Table, RoomSearch, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.label); });

}  // namespace
