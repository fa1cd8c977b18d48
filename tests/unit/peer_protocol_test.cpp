// The peer-to-peer protocol (shared/peer_protocol.hpp): what goes over the "moim" data channel,
// round trips (chat and files), the wire forms, a table of refused messages, each with its stable
// code, and the file name rule.
#include "peer_protocol.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace moim::p2p {
namespace {

TEST(PeerProtocol, ChatAndHistoryRoundTrip) {
  const std::vector<PeerMessage> messages = {
      Chat{ChatLine{"a1", 1764801234567, 1, "hello"}},
      Chat{ChatLine{"Zz_-9", 0, proto::kMaxId, "\xEC\x95\x88\xEB\x85\x95 line\nnext\ttab \"quoted\" <b>not html</b>"}},
      History{ChatLine{"h", kMaxTime, 7, "relayed"}, 42, "\xEB\xAF\xBC\xEC\xA4\x80"},
      Chat{ChatLine{"long", 5, 2, std::string(kMaxChatChars, 'x')}},
      Chat{ChatLine{"longest", 5, 2, [] {  // 2,000 four-byte code points: the largest message there is
                      std::string s;
                      for (std::size_t i = 0; i < kMaxChatChars; ++i) s += "\xF0\x9F\x98\x80";
                      return s;
                    }()}},
  };
  for (const auto& m : messages) {
    const std::string wire = encode(m);
    SCOPED_TRACE(wire.substr(0, 120));
    EXPECT_LE(wire.size(), kMaxPeerMessageBytes);
    const DecodedPeer d = decode_peer(wire);
    ASSERT_TRUE(d.ok()) << to_string(d.error);
    EXPECT_EQ(*d.message, m);
  }
}

TEST(PeerProtocol, FileMessagesRoundTrip) {
  const std::string hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const std::vector<PeerMessage> messages = {
      FileOffer{"f1", "a.txt", 5},
      FileOffer{"Zz_-9", "\xEC\x95\x88\xEB\x85\x95 my file (1).tar.gz", kMaxFileSize},
      FileOffer{"empty", "x", 0},
      FileOffer{"f", std::string(kMaxFileNameBytes, 'n'), 1},
      FileOffer{"q", "\"quoted\" <b>.txt", 1},
      FileAccept{"f1"},
      FileDecline{"f1"},
      FileCancel{std::string(kMaxMessageIdBytes, 'c')},
      FileResult{"f1", true},
      FileResult{"f1", false},
      FileEnd{0, hex},
      FileEnd{kMaxFileSize, std::string(64, 'f')},
      View{0, 0},
      View{kMaxViewPixels, kMaxViewPixels},
  };
  for (const auto& m : messages) {
    const std::string wire = encode(m);
    SCOPED_TRACE(wire.substr(0, 120));
    const DecodedPeer d = decode_peer(wire);
    ASSERT_TRUE(d.ok()) << to_string(d.error);
    EXPECT_EQ(*d.message, m);
  }
}

TEST(PeerProtocol, TheWireFormatIsAsDocumented) {
  EXPECT_EQ(encode(Chat{ChatLine{"m1", 1000, 1, "hi"}}), R"({"id":"m1","seq":1,"text":"hi","time":1000,"type":"chat","v":1})");
  EXPECT_EQ(encode(History{ChatLine{"m1", 1000, 1, "hi"}, 3, "Ann"}),
            R"({"from":3,"id":"m1","name":"Ann","seq":1,"text":"hi","time":1000,"type":"history","v":1})");
  EXPECT_EQ(encode(FileOffer{"f1", "a.txt", 5}), R"({"id":"f1","name":"a.txt","size":5,"type":"file-offer","v":1})");
  EXPECT_EQ(encode(FileAccept{"f1"}), R"({"id":"f1","type":"file-accept","v":1})");
  EXPECT_EQ(encode(FileDecline{"f1"}), R"({"id":"f1","type":"file-decline","v":1})");
  EXPECT_EQ(encode(FileCancel{"f1"}), R"({"id":"f1","type":"file-cancel","v":1})");
  EXPECT_EQ(encode(FileResult{"f1", true}), R"({"id":"f1","ok":true,"type":"file-result","v":1})");
  EXPECT_EQ(encode(FileResult{"f1", false}), R"({"id":"f1","ok":false,"type":"file-result","v":1})");
  EXPECT_EQ(encode(FileEnd{5, std::string(64, 'a')}),
            R"({"sha256":")" + std::string(64, 'a') + R"(","size":5,"type":"file-end","v":1})");
  EXPECT_EQ(encode(View{320, 180}), R"({"h":180,"type":"view","v":1,"w":320})");
}

TEST(PeerProtocol, RefusedMessagesSayWhy) {
  const std::string ok_chat = R"("type":"chat","id":"m1","time":1000,"seq":1)";
  struct Row {
    std::string wire;
    PeerError error;
  };
  const std::vector<Row> rows = {
      {"", PeerError::NotJson},
      {"not json", PeerError::NotJson},
      {"[1,2]", PeerError::NotJson},
      {R"("string")", PeerError::NotJson},
      {R"({"v":1,)", PeerError::NotJson},
      {std::string(kMaxPeerMessageBytes + 1, ' '), PeerError::TooLarge},
      {R"({"type":"chat","id":"m1","time":1,"seq":1,"text":"x"})", PeerError::BadVersion},
      {R"({"v":0,"type":"chat","id":"m1","time":1,"seq":1,"text":"x"})", PeerError::BadVersion},
      {R"({"v":-1,"type":"chat","id":"m1","time":1,"seq":1,"text":"x"})", PeerError::BadVersion},
      {R"({"v":"1","type":"chat","id":"m1","time":1,"seq":1,"text":"x"})", PeerError::BadVersion},
      {R"({"v":1.5,"type":"chat","id":"m1","time":1,"seq":1,"text":"x"})", PeerError::BadVersion},
      {R"({"v":2,"type":"chat","id":"m1","time":1,"seq":1,"text":"x"})", PeerError::NewerVersion},
      {R"({"v":1,"type":"poke"})", PeerError::UnknownType},
      {R"({"v":1})", PeerError::BadField},
      {R"({"v":1,"type":7})", PeerError::BadField},
      {"{\"v\":1," + ok_chat + "}", PeerError::BadField},                             // no text
      {R"({"v":1,"type":"chat","time":1,"seq":1,"text":"x"})", PeerError::BadField},  // no id
      {R"({"v":1,"type":"chat","id":"","time":1,"seq":1,"text":"x"})", PeerError::BadField},
      {R"({"v":1,"type":"chat","id":"a b","time":1,"seq":1,"text":"x"})", PeerError::BadField},
      {R"({"v":1,"type":"chat","id":")" + std::string(kMaxMessageIdBytes + 1, 'a') + R"(","time":1,"seq":1,"text":"x"})",
       PeerError::BadField},
      {R"({"v":1,"type":"chat","id":"m","time":-1,"seq":1,"text":"x"})", PeerError::BadField},
      {R"({"v":1,"type":"chat","id":"m","time":1.5,"seq":1,"text":"x"})", PeerError::BadField},
      {R"({"v":1,"type":"chat","id":"m","time":8640000000000001,"seq":1,"text":"x"})", PeerError::BadField},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":0,"text":"x"})", PeerError::BadField},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":9007199254740992,"text":"x"})", PeerError::BadField},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":1,"text":5})", PeerError::BadField},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":1,"text":""})", PeerError::BadText},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":1,"text":"   "})", PeerError::BadText},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":1,"text":" padded"})", PeerError::BadText},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":1,"text":"bell\u0007"})", PeerError::BadText},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":1,"text":"c1\u0085x"})", PeerError::BadText},
      {R"({"v":1,"type":"chat","id":"m","time":1,"seq":1,"text":")" + std::string(kMaxChatChars + 1, 'x') + "\"}",
       PeerError::BadText},
      {R"({"v":1,"type":"history","id":"m","time":1,"seq":1,"text":"x","name":"A"})", PeerError::BadField},
      {R"({"v":1,"type":"history","id":"m","time":1,"seq":1,"text":"x","from":0,"name":"A"})", PeerError::BadField},
      {R"({"v":1,"type":"history","id":"m","time":1,"seq":1,"text":"x","from":3})", PeerError::BadField},
      {R"({"v":1,"type":"history","id":"m","time":1,"seq":1,"text":"x","from":3,"name":""})", PeerError::BadField},
      {R"({"v":1,"type":"history","id":"m","time":1,"seq":1,"text":"x","from":3,"name":")" + std::string(33, 'n') + "\"}",
       PeerError::BadField},
      // Files: ids, names, sizes, verdicts, end markers.
      {R"({"v":1,"type":"file-offer","name":"a","size":1})", PeerError::BadField},  // no id
      {R"({"v":1,"type":"file-offer","id":"","name":"a","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"a b","name":"a","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":7,"name":"a","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":")" + std::string(kMaxMessageIdBytes + 1, 'a') + R"(","name":"a","size":1})",
       PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","size":1})", PeerError::BadField},  // no name
      {R"({"v":1,"type":"file-offer","id":"f","name":5,"size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"   ","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":" padded.txt","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"padded.txt ","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"dir/a.txt","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"..\\a.txt","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"a\u0001.txt","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"a\nb.txt","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"c1\u0085x","size":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":")" + std::string(kMaxFileNameBytes + 1, 'n') + R"(","size":1})",
       PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"a"})", PeerError::BadField},  // no size
      {R"({"v":1,"type":"file-offer","id":"f","name":"a","size":-1})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"a","size":1.5})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"a","size":"5"})", PeerError::BadField},
      {R"({"v":1,"type":"file-offer","id":"f","name":"a","size":9007199254740992})", PeerError::BadField},
      {R"({"v":1,"type":"file-accept"})", PeerError::BadField},
      {R"({"v":1,"type":"file-accept","id":"a/b"})", PeerError::BadField},
      {R"({"v":1,"type":"file-decline","id":""})", PeerError::BadField},
      {R"({"v":1,"type":"file-cancel","id":null})", PeerError::BadField},
      {R"({"v":1,"type":"file-result","id":"f"})", PeerError::BadField},  // no ok
      {R"({"v":1,"type":"file-result","id":"f","ok":"true"})", PeerError::BadField},
      {R"({"v":1,"type":"file-result","id":"f","ok":1})", PeerError::BadField},
      {R"({"v":1,"type":"file-result","id":"f","ok":null})", PeerError::BadField},
      {R"({"v":1,"type":"file-result","ok":true})", PeerError::BadField},
      {R"({"v":1,"type":"file-end","sha256":")" + std::string(64, 'a') + R"("})", PeerError::BadField},  // no size
      {R"({"v":1,"type":"file-end","size":-1,"sha256":")" + std::string(64, 'a') + R"("})", PeerError::BadField},
      {R"({"v":1,"type":"file-end","size":1.5,"sha256":")" + std::string(64, 'a') + R"("})", PeerError::BadField},
      {R"({"v":1,"type":"file-end","size":9007199254740992,"sha256":")" + std::string(64, 'a') + R"("})",
       PeerError::BadField},
      {R"({"v":1,"type":"file-end","size":1})", PeerError::BadField},  // no sha256
      {R"({"v":1,"type":"file-end","size":1,"sha256":")" + std::string(64, 'A') + R"("})", PeerError::BadField},
      {R"({"v":1,"type":"file-end","size":1,"sha256":")" + std::string(63, 'a') + R"("})", PeerError::BadField},
      {R"({"v":1,"type":"file-end","size":1,"sha256":")" + std::string(65, 'a') + R"("})", PeerError::BadField},
      {R"({"v":1,"type":"file-end","size":1,"sha256":")" + std::string(64, 'g') + R"("})", PeerError::BadField},
      {R"({"v":1,"type":"file-end","size":1,"sha256":5})", PeerError::BadField},
      {R"({"v":2,"type":"file-offer","id":"f","name":"a","size":1})", PeerError::NewerVersion},
      {R"({"v":1,"type":"view","w":320})", PeerError::BadField},  // no h
      {R"({"v":1,"type":"view","w":-1,"h":180})", PeerError::BadField},
      {R"({"v":1,"type":"view","w":16385,"h":180})", PeerError::BadField},
      {R"({"v":1,"type":"view","w":320,"h":1.5})", PeerError::BadField},
      {R"({"v":1,"type":"view","w":"320","h":180})", PeerError::BadField},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.wire.substr(0, 100));
    const DecodedPeer d = decode_peer(row.wire);
    EXPECT_FALSE(d.ok());
    EXPECT_EQ(to_string(d.error), to_string(row.error));
  }
}

TEST(PeerProtocol, UnknownFieldsAreIgnoredForLaterVersionsToAddThem) {
  const DecodedPeer d = decode_peer(R"({"v":1,"type":"chat","id":"m","time":1,"seq":1,"text":"x","mood":"happy"})");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::get<Chat>(*d.message).line.text, "x");
}

TEST(PeerProtocol, TheChatTextRule) {
  struct Row {
    std::string typed;
    ChatTextFault fault;
    std::string text;
  };
  const std::vector<Row> rows = {
      {"hi", ChatTextFault::None, "hi"},
      {"  hi  ", ChatTextFault::None, "hi"},
      {"\xE2\x80\x83hi\xE3\x80\x80", ChatTextFault::None, "hi"},  // Unicode spaces trimmed
      {"a\nb\tc", ChatTextFault::None, "a\nb\tc"},
      {"", ChatTextFault::Empty, ""},
      {" \n\t ", ChatTextFault::Empty, ""},
      {std::string(kMaxChatChars, 'x'), ChatTextFault::None, std::string(kMaxChatChars, 'x')},
      {std::string(kMaxChatChars + 1, 'x'), ChatTextFault::TooLong, std::string(kMaxChatChars + 1, 'x')},
      {"x\x01y", ChatTextFault::Invalid, "x\x01y"},
      {"\xFF", ChatTextFault::Invalid, ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.typed.substr(0, 40));
    const CheckedChatText c = check_chat_text(row.typed);
    EXPECT_EQ(static_cast<int>(c.fault), static_cast<int>(row.fault));
    EXPECT_EQ(c.text, row.text);
  }
  // 2,000 Hangul syllables (3 bytes each) are 2,000 characters.
  std::string hangul;
  for (std::size_t i = 0; i < kMaxChatChars; ++i) hangul += "\xEA\xB0\x80";
  EXPECT_TRUE(check_chat_text(hangul).ok());
  EXPECT_EQ(check_chat_text(hangul + "\xEA\xB0\x80").fault, ChatTextFault::TooLong);
}

TEST(PeerProtocol, TheFileNameRuleAndTheDigestForm) {
  struct Row {
    std::string name;
    std::optional<std::string> checked;
  };
  const std::vector<Row> rows = {
      {"a.txt", "a.txt"},
      {"  a b.txt  ", "a b.txt"},  // trimmed
      {"\xEC\x95\x88.txt", "\xEC\x95\x88.txt"},
      {std::string(kMaxFileNameBytes, 'n'), std::string(kMaxFileNameBytes, 'n')},
      {std::string(kMaxFileNameBytes + 1, 'n'), std::nullopt},
      {"", std::nullopt},
      {" \t ", std::nullopt},
      {"a/b", std::nullopt},
      {"a\\b", std::nullopt},
      {"a\x01", std::nullopt},
      {"a\nb", std::nullopt},
      {"a\xFF", std::nullopt},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name.substr(0, 40));
    EXPECT_EQ(check_file_name(row.name), row.checked);
  }
  EXPECT_TRUE(is_valid_sha256_hex(std::string(64, '0')));
  EXPECT_TRUE(is_valid_sha256_hex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(is_valid_sha256_hex(std::string(64, 'F')));
  EXPECT_FALSE(is_valid_sha256_hex(std::string(63, '0')));
  EXPECT_FALSE(is_valid_sha256_hex(""));
}

// A large room carries the chat and the files' control messages through the server; a file's end
// goes on its own channel (over a data link), a view sizes a mesh connection.
TEST(PeerProtocol, TheChatAndFileControlAreCarriedInLargeRooms) {
  const ChatLine line{.id = "a", .time = 1, .seq = 1, .text = "hi"};
  const std::vector<std::pair<PeerMessage, bool>> table = {
      {Chat{line}, true},
      {History{line, 4, "Minji"}, true},
      {FileOffer{"f", "a.txt", 3}, true},
      {FileAccept{"f"}, true},
      {FileDecline{"f"}, true},
      {FileCancel{"f"}, true},
      {FileResult{"f", true}, true},
      {FileEnd{3, std::string(64, 'a')}, false},
      {View{320, 180}, false},
  };
  for (const auto& [msg, carried] : table) EXPECT_EQ(carried_in_large_rooms(msg), carried) << encode(msg);
}

}  // namespace
}  // namespace moim::p2p
