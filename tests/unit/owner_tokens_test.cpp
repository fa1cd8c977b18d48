// The owner tokens this browser keeps (shared/owner_tokens.hpp): what is taken from storage, what a
// welcome prunes, which room-created tokens are kept.
#include "owner_tokens.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace moim {
namespace {

const std::string kTok = "0c1f5e9a7b3d42e8a1c6f0d9b2e4a7c3";

proto::RoomInfo room(proto::RoomId id) { return {id, "r" + std::to_string(id), 0, 6, false}; }

TEST(OwnerTokens, KeyIsThePrefixAndTheRoomId) {
  EXPECT_EQ(owner_token_key(999), "moim.owner.999");
  EXPECT_EQ(owner_token_key(4294967295u), "moim.owner.4294967295");
}

TEST(OwnerTokens, LoadTakesValidEntriesAndNamesTheOthersForRemoval) {
  struct Row {
    std::string suffix;
    nlohmann::json value;
    bool taken;
  };
  const std::vector<Row> table = {
      {"7", kTok, true},
      {"4294967295", kTok, true},
      {"9007199254740992", kTok, false},  // past a room id (2^53)
      {"0", kTok, false},
      {"007", kTok, false},         // not canonical: it could never be removed by its room's key
      {"+8", kTok, false},
      {"-8", kTok, false},
      {"8 ", kTok, false},
      {"", kTok, false},
      {"abc", kTok, false},
      {"9", "", false},                           // empty token
      {"10", std::string(proto::kMaxTokenBytes, 'a'), true},
      {"11", std::string(proto::kMaxTokenBytes + 1, 'a'), false},
      {"12", "has space", false},
      {"13", "tab\there", false},
      {"14", "\xc3\xa9t\xc3\xa9", false},         // not ASCII
  };
  for (const auto& row : table) {
    OwnerTokens tokens;
    const auto bad = tokens.load(nlohmann::json{{row.suffix, row.value}}.dump());
    if (row.taken) {
      EXPECT_TRUE(bad.empty()) << "'" << row.suffix << "'";
      ASSERT_EQ(tokens.all().size(), 1u) << "'" << row.suffix << "'";
      EXPECT_EQ(owner_token_key(tokens.all().begin()->first), "moim.owner." + row.suffix);
    } else {
      EXPECT_EQ(bad, std::vector<std::string>{"moim.owner." + row.suffix}) << "'" << row.suffix << "'";
      EXPECT_TRUE(tokens.all().empty()) << "'" << row.suffix << "'";
    }
  }
}

TEST(OwnerTokens, LoadOfNothingUsableTakesNothing) {
  for (const char* stored : {"", "{", "[]", "null", "\"x\"", "{}"}) {
    OwnerTokens tokens;
    EXPECT_TRUE(tokens.load(stored).empty()) << stored;
    EXPECT_TRUE(tokens.all().empty()) << stored;
  }
}

TEST(OwnerTokens, LoadAgainAddsWhatAnotherTabSavedAndKeepsOurs) {
  OwnerTokens tokens;
  tokens.create_sent();
  ASSERT_TRUE(tokens.created(3, kTok));  // saving it to storage may have failed (private mode)
  tokens.load(R"({"5":"tok5"})");
  EXPECT_EQ(tokens.all(), (std::map<proto::RoomId, std::string>{{3, kTok}, {5, "tok5"}}));
}

TEST(OwnerTokens, AWelcomeDropsTheTokensOfRoomsItDoesNotList) {
  OwnerTokens tokens;
  tokens.load(R"({"1":"a","2":"b","999":"c"})");
  EXPECT_EQ(tokens.prune({room(2), room(3)}), (std::vector<proto::RoomId>{1, 999}));
  EXPECT_EQ(tokens.all(), (std::map<proto::RoomId, std::string>{{2, "b"}}));
  EXPECT_EQ(tokens.prune({}), (std::vector<proto::RoomId>{2}));  // a server with no rooms at all
  EXPECT_TRUE(tokens.all().empty());
}

TEST(OwnerTokens, RoomCreatedTokensAreKeptOnlyForOurOwnPendingCreates) {
  struct Row {
    const char* what;
    int sent;
    int refused;
    bool lost;
    proto::RoomId room;
    std::string token;
    bool kept;
  };
  const std::vector<Row> table = {
      {"answer to our create", 1, 0, false, 4, kTok, true},
      {"nothing asked", 0, 0, false, 4, kTok, false},
      {"our create was refused", 1, 1, false, 4, kTok, false},
      {"asked on a socket since lost", 1, 0, true, 4, kTok, false},
      {"room 0", 1, 0, false, 0, kTok, false},
      {"empty token", 1, 0, false, 4, "", false},
      {"oversized token", 1, 0, false, 4, std::string(proto::kMaxTokenBytes + 1, 'f'), false},
      {"two sent, one refused", 2, 1, false, 4, kTok, true},
  };
  for (const auto& row : table) {
    OwnerTokens tokens;
    for (int i = 0; i < row.sent; ++i) tokens.create_sent();
    for (int i = 0; i < row.refused; ++i) tokens.create_refused();
    if (row.lost) tokens.connection_lost();
    EXPECT_EQ(tokens.created(row.room, row.token), row.kept) << row.what;
    EXPECT_EQ(tokens.contains(row.room), row.kept) << row.what;
  }
  // One answer per create: a second room-created is not ours.
  OwnerTokens tokens;
  tokens.create_sent();
  EXPECT_TRUE(tokens.created(4, kTok));
  EXPECT_FALSE(tokens.created(5, kTok));
  EXPECT_EQ(tokens.creates_pending(), 0);
  tokens.create_refused();  // a stray error does not go below zero
  EXPECT_EQ(tokens.creates_pending(), 0);
}

TEST(OwnerTokens, ForgetDropsOneRoom) {
  OwnerTokens tokens;
  tokens.load(R"({"1":"a","2":"b"})");
  EXPECT_TRUE(tokens.forget(1));
  EXPECT_FALSE(tokens.forget(1));
  EXPECT_EQ(tokens.find(1), nullptr);
  ASSERT_NE(tokens.find(2), nullptr);
  EXPECT_EQ(*tokens.find(2), "b");
}

}  // namespace
}  // namespace moim
