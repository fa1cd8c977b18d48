// What the call screen says about file transfers (shared/transfer_text.hpp): sizes, each state's line
// in both directions, progress, and the refusals.
#include "transfer_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace moim::transfer_text {
namespace {

using files::Direction;
using files::Fault;
using files::State;
using ui_text::Lang;

std::string en(const ui_text::Message& m) { return ui_text::render(Lang::En, m); }

TEST(TransferText, Sizes) {
  const std::vector<std::pair<std::uint64_t, std::string>> rows = {
      {0, "0 B"},           {1023, "1023 B"},        {1024, "1.0 KB"},          {1536, "1.5 KB"},
      {1048575, "1023.9 KB"}, {20 * 1048576, "20.0 MB"}, {std::uint64_t{2} << 30, "2.0 GB"}, {(std::uint64_t{2} << 30) - 1, "1.9 GB"},
  };
  for (const auto& [bytes, text] : rows) EXPECT_EQ(byte_size(bytes), text) << bytes;
}

TEST(TransferText, EachStateInBothDirections) {
  struct Row {
    Direction dir;
    State state;
    Fault fault;
    bool by_peer;
    std::uint64_t bytes;
    double rate;
    std::string text;
  };
  const std::uint64_t mb = 1048576;
  const std::vector<Row> rows = {
      {Direction::Out, State::Offered, Fault::None, false, 0, 0, "Waiting for Bob to accept"},
      {Direction::In, State::Offered, Fault::None, false, 0, 0, "Bob wants to send you this file"},
      {Direction::Out, State::Sending, Fault::None, false, 5 * mb, 0, "25%"},
      {Direction::In, State::Receiving, Fault::None, false, 10 * mb, 2.0 * mb, "50% \xC2\xB7 2.0 MB/s \xC2\xB7 5 s left"},
      {Direction::In, State::Receiving, Fault::None, false, 0, 0.1 * mb, "0% \xC2\xB7 102.3 KB/s \xC2\xB7 4 min left"},
      {Direction::Out, State::Sending, Fault::None, false, 0, 0.5, "0% \xC2\xB7 0 B/s \xC2\xB7 over 100 h left"},
      {Direction::Out, State::Confirming, Fault::None, false, 20 * mb, 0, "Sent; Bob is checking it"},
      {Direction::Out, State::Done, Fault::None, false, 20 * mb, 0, "Sent to Bob"},
      {Direction::In, State::Done, Fault::None, false, 20 * mb, 0, "Received and checked"},
      {Direction::Out, State::Declined, Fault::None, true, 0, 0, "Bob declined"},
      {Direction::In, State::Declined, Fault::None, false, 0, 0, "You declined"},
      {Direction::In, State::Declined, Fault::TooLarge, false, 0, 0, "Declined: over the 2.0 GB limit"},
      {Direction::Out, State::Declined, Fault::TooLarge, true, 0, 0, "Bob declined: too large"},
      {Direction::In, State::Declined, Fault::TooMany, false, 0, 0, "Declined: too many files at once"},
      {Direction::Out, State::Cancelled, Fault::None, true, 0, 0, "Cancelled by Bob"},
      {Direction::In, State::Cancelled, Fault::None, false, 0, 0, "You cancelled"},
      {Direction::In, State::Failed, Fault::PeerLeft, false, 0, 0, "Failed: Bob left"},
      {Direction::Out, State::Failed, Fault::ChannelBroke, false, 0, 0, "Failed: the connection broke"},
      {Direction::Out, State::Failed, Fault::ReadFailed, false, 0, 0, "Failed: the file could not be read"},
      {Direction::Out, State::Failed, Fault::LinkTimeout, false, 0, 0, "Failed: could not connect to Bob in time"},
      {Direction::In, State::Failed, Fault::LinkTimeout, false, 0, 0, "Failed: could not connect to Bob in time"},
      {Direction::In, State::Failed, Fault::SizeMismatch, false, 0, 0, "Failed: it arrived incomplete; not saved"},
      {Direction::In, State::Failed, Fault::HashMismatch, false, 0, 0, "Failed: it arrived damaged (checksum); not saved"},
      {Direction::Out, State::Failed, Fault::HashMismatch, true, 0, 0, "Failed: Bob received it damaged"},
  };
  for (const Row& r : rows) {
    files::Transfer t;
    t.direction = r.dir;
    t.state = r.state;
    t.fault = r.fault;
    t.by_peer = r.by_peer;
    t.size = 20 * mb;
    t.bytes = r.bytes;
    t.bytes_per_s = r.rate;
    SCOPED_TRACE(r.text);
    EXPECT_EQ(status(Lang::En, t, "Bob", std::uint64_t{2} << 30), r.text);
  }
}

TEST(TransferText, InKorean) {
  files::Transfer t;
  t.direction = Direction::In;
  t.state = State::Receiving;
  t.size = 20 * 1048576;
  t.bytes = 5 * 1048576;
  t.bytes_per_s = 1048576;
  EXPECT_EQ(status(Lang::Ko, t, "Bob", 1), "25% \xC2\xB7 1.0 MB/s \xC2\xB7 15초 남음");
  t.state = State::Offered;
  EXPECT_EQ(status(Lang::Ko, t, "Bob", 1), "Bob님이 이 파일을 보내려고 합니다");
  EXPECT_EQ(counterpart(Lang::Ko, t, "Bob"), "보낸 사람: Bob");
  EXPECT_EQ(ui_text::render(Lang::Ko, refusal(Fault::TooMany, "a", 1, 2)), "한 번에 전송이 너무 많습니다: 몇 개가 끝날 때까지 기다리세요.");
}

TEST(TransferText, ProgressOnlyWhileBytesMove) {
  files::Transfer t;
  t.size = 200;
  t.bytes = 50;
  for (const State s : {State::Offered, State::Done, State::Declined, State::Cancelled, State::Failed}) {
    t.state = s;
    EXPECT_LT(progress(t), 0) << files::to_string(s);
  }
  t.state = State::Receiving;
  EXPECT_DOUBLE_EQ(progress(t), 0.25);
  t.size = 0;
  EXPECT_DOUBLE_EQ(progress(t), 1.0);
  EXPECT_EQ(counterpart(Lang::En, t, "Ann"), "To Ann");
}

TEST(TransferText, Refusals) {
  EXPECT_EQ(en(refusal(Fault::TooLarge, "big.iso", std::uint64_t{3} << 30, std::uint64_t{2} << 30)),
            "\"big.iso\" is 3.0 GB: files can be at most 2.0 GB.");
  EXPECT_EQ(en(refusal(Fault::TooMany, "a", 1, 2)), "Too many transfers at once: wait for some to finish.");
}

}  // namespace
}  // namespace moim::transfer_text

namespace moim::transfer_text {
namespace {

// "Waiting for a free connection" is for a transfer whose bytes are to move while its person's data
// link waits for a place: never for an offer either way (its card says who offers and waits for an
// answer), nor once bytes moved, nor for a finished one.
TEST(TransferText, OnlyATransferAboutToMoveBytesWaitsForALink) {
  const struct Row {
    Direction dir;
    State state;
    std::uint64_t bytes;
    bool queued;
    bool waits;
  } rows[] = {
      {Direction::In, State::Offered, 0, true, false},
      {Direction::Out, State::Offered, 0, true, false},
      {Direction::Out, State::Sending, 0, true, true},
      {Direction::In, State::Receiving, 0, true, true},
      {Direction::In, State::Receiving, 10, true, false},
      {Direction::Out, State::Sending, 0, false, false},
      {Direction::Out, State::Confirming, 0, true, false},
      {Direction::In, State::Done, 0, true, false},
      {Direction::In, State::Failed, 0, true, false},
      {Direction::Out, State::Cancelled, 0, true, false},
  };
  for (const Row& r : rows) {
    files::Transfer t;
    t.direction = r.dir;
    t.state = r.state;
    t.bytes = r.bytes;
    t.size = 100;
    EXPECT_EQ(waits_for_link(t, r.queued), r.waits) << files::to_string(r.dir) << " " << files::to_string(r.state) << " " << r.bytes;
  }
}

}  // namespace
}  // namespace moim::transfer_text
