// shared/json_text: the byte-level JSON string rules the codec and the hub's fast path share. Table
// tests for each function, then differential ones against nlohmann (the lexer and dump the codec
// must agree with).
#include "json_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace moim::json_text {
namespace {

using json = nlohmann::json;
using namespace std::string_literals;

constexpr std::size_t npos = std::string_view::npos;

// ---- find_first ---------------------------------------------------------------------------------

struct FindRow {
  std::string text;
  std::size_t from;
  std::size_t quote_or_backslash, backslash_or_control, all;  // expected, per stop set
};

TEST(JsonText, FindFirstStopsAtTheFirstByteOfItsClassesInWordsAndInTheTail) {
  const std::vector<FindRow> rows = {
      {"", 0, 0, 0, 0},
      {"plain", 0, 5, 5, 5},
      {"0123456789abcdef", 0, 16, 16, 16},                    // two whole words, nothing
      {"0123456\"89abcdef", 0, 7, 16, 7},                     // a quote at the end of a word
      {"01234567\\9abcdef", 0, 8, 8, 8},                      // a backslash at the start of the next
      {"0123456789ab\ncd", 0, 15, 12, 12},                    // a control in the tail
      {"01\x1f" "34567", 0, 8, 2, 2},                         // 0x1f is a control
      {"01 34567", 0, 8, 8, 8},                               // 0x20 is not
      {"\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f", 0, 9, 9, 9},  // DEL is neither control nor non-ASCII
      {"abc\xc3\xa9" "defgh", 0, 10, 10, 3},                  // non-ASCII only for `all`
      {"\"\"\"\"", 2, 2, 4, 2},                               // from counts
      {"abcdefgh\"", 9, 9, 9, 9},                             // from at the end
      // A true match followed by bytes that a borrow could flag: the lowest one is still right.
      {"ab\x00\"\\\x01xyz"s, 0, 3, 2, 2},
      {"\x01\"abcdefgh"s, 0, 1, 0, 0},
  };
  for (const FindRow& row : rows) {
    SCOPED_TRACE(json(row.text).dump(-1, ' ', true, json::error_handler_t::replace));
    EXPECT_EQ(find_first<kQuote | kBackslash>(row.text, row.from), row.quote_or_backslash);
    EXPECT_EQ(find_first<kBackslash | kControl>(row.text, row.from), row.backslash_or_control);
    EXPECT_EQ((find_first<kQuote | kBackslash | kControl | kNonAscii>(row.text, row.from)), row.all);
  }
}

TEST(JsonText, FindFirstAgreesWithAByteLoopAtEveryOffset) {
  std::mt19937 rng(3);
  const std::string bytes = "ab\"\\\x01\x1f \x7f\x80\xff"s;
  for (int i = 0; i < 2000; ++i) {
    std::string text(rng() % 40, 'x');
    for (char& c : text) {
      if (rng() % 6 == 0) c = bytes[rng() % bytes.size()];
    }
    const std::size_t from = text.empty() ? 0 : rng() % (text.size() + 1);
    std::size_t expected = from;
    while (expected < text.size() && text[expected] != '"' && static_cast<unsigned char>(text[expected]) < 0x80) {
      ++expected;
    }
    ASSERT_EQ((find_first<kQuote | kNonAscii>(text, from)), expected) << text;
  }
}

// ---- string_end ---------------------------------------------------------------------------------

TEST(JsonText, StringEndSkipsEscapesAndSaysWhenAStringIsNeverClosed) {
  const std::vector<std::pair<std::string, std::size_t>> rows = {
      {R"("")", 1},
      {R"("abc")", 4},
      {R"("a\"b")", 5},           // an escaped quote does not close
      {R"("a\\")", 4},            // an escaped backslash does not open an escape
      {R"("a\\\"")", 6},
      {R"(x "abc" "d")", 6},      // from the opening quote at 2 (see below)
      {R"("abc)", npos},
      {R"("abc\")", npos},
      {R"("\)", npos},
      {"\"" + std::string(300, 'a') + "\"", 301},
  };
  for (const auto& [text, end] : rows) {
    SCOPED_TRACE(text);
    EXPECT_EQ(string_end(text, text.find('"')), end);
  }
}

// ---- unescape and read_string -------------------------------------------------------------------

struct UnescapeRow {
  std::string body;                 // between the quotes
  std::optional<std::string> json;  // what Escapes::Json gives (nullopt: refused)
  std::optional<std::string> short_escapes;
};

const std::vector<UnescapeRow>& unescape_rows() {
  static const std::vector<UnescapeRow> rows = {
      {"", "", ""},
      {"v=0", "v=0", "v=0"},
      {R"(a\"b\\c\/d)", "a\"b\\c/d", "a\"b\\c/d"},
      {R"(\b\f\n\r\t)", "\b\f\n\r\t", "\b\f\n\r\t"},
      {R"(\u0041\u00e9)", "A\xc3\xa9", std::nullopt},                 // \u: Json only
      {R"(\u20AC)", "\xe2\x82\xac", std::nullopt},                      // upper-case hex
      {R"(\ud83d\ude00)", "\xf0\x9f\x98\x80", std::nullopt},            // a surrogate pair
      {R"(\u0000)", "\0"s, std::nullopt},
      {"\xc3\xa9", "\xc3\xa9", std::nullopt},                           // raw non-ASCII: Json only
      {"\x7f", "\x7f", "\x7f"},
      {"a\nb", std::nullopt, std::nullopt},                             // a raw control
      {"\x1f", std::nullopt, std::nullopt},
      {R"(\)", std::nullopt, std::nullopt},                             // a lone backslash
      {R"(ab\)", std::nullopt, std::nullopt},
      {R"(\x)", std::nullopt, std::nullopt},                            // no such escape
      {R"(\')", std::nullopt, std::nullopt},
      {R"(\u004)", std::nullopt, std::nullopt},                         // short hex
      {R"(\u00G1)", std::nullopt, std::nullopt},
      {R"(\ud83d)", std::nullopt, std::nullopt},                        // a high surrogate alone
      {R"(\ud83dx\ude00)", std::nullopt, std::nullopt},
      {R"(\ud83d\u0041)", std::nullopt, std::nullopt},                  // not followed by a low one
      {R"(\ude00)", std::nullopt, std::nullopt},                        // a low surrogate alone
      {std::string(300, 'a') + R"(\n)", std::string(300, 'a') + "\n", std::string(300, 'a') + "\n"},
  };
  return rows;
}

TEST(JsonText, UnescapeDecodesWhatEachEscapeSetAccepts) {
  for (const UnescapeRow& row : unescape_rows()) {
    SCOPED_TRACE(row.body);
    for (const auto& [escapes, expected] :
         {std::pair{Escapes::Json, row.json}, std::pair{Escapes::Short, row.short_escapes}}) {
      std::string out = "kept:";  // unescape appends
      const bool ok = unescape(row.body, out, escapes);
      EXPECT_EQ(ok, expected.has_value()) << (escapes == Escapes::Json ? "json" : "short");
      if (ok && expected) EXPECT_EQ(out, "kept:" + *expected);
    }
  }
}

TEST(JsonText, ReadStringIsUnescapeOfTheLiteralInOnePass) {
  for (const UnescapeRow& row : unescape_rows()) {
    SCOPED_TRACE(row.body);
    const std::string text = "xx\"" + row.body + "\",1";
    for (const auto& [escapes, expected] :
         {std::pair{Escapes::Json, row.json}, std::pair{Escapes::Short, row.short_escapes}}) {
      std::size_t pos = 2;
      std::string out = "replaced";
      const bool ok = read_string(text, pos, out, escapes);
      // A lone trailing backslash escapes the closing quote here: the literal never closes, refused.
      EXPECT_EQ(ok, expected.has_value());
      if (ok && expected) {
        EXPECT_EQ(out, *expected);
        EXPECT_EQ(pos, text.size() - 2) << "just past the closing quote";
      }
    }
  }
  for (const std::string text : {"", "abc", "\"abc", "\"abc\\\"", "'abc'"}) {
    std::size_t pos = 0;
    std::string out;
    EXPECT_FALSE(read_string(text, pos, out, Escapes::Json)) << text;
  }
}

// What nlohmann's lexer makes of "body": the reference for Escapes::Json.
std::optional<std::string> nlohmann_reads(const std::string& body) {
  const std::string text = "[\"" + body + "\"]";
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::nullopt;
  return doc[0].get<std::string>();
}

TEST(JsonText, UnescapeAcceptsExactlyWhatNlohmannReads) {
  std::mt19937 rng(5);
  static const std::vector<std::string> kPieces = {
      "a", " ", "\\", "\\\\", "\\\"", "\\/", "\\n", "\\u", "\\u00", "\\ud83d", "\\ude00", "\\uDBFF", "\\u0041", "\\uzz",
      "0", "f", "F", "\x01", "\x7f", "\xc3\xa9", "b", "t", "r", "x"};
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body;
    const int pieces = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < pieces; ++k) body += kPieces[rng() % kPieces.size()];
    // Only bodies that are one literal for the lexer too: an unescaped '"' would end it early.
    if (string_end("\"" + body + "\"", 0) != body.size() + 1) continue;
    std::string out;
    const bool ok = unescape(body, out);
    const std::optional<std::string> reference = nlohmann_reads(body);
    ASSERT_EQ(ok, reference.has_value()) << body;
    if (ok) {
      ++accepted;
      ASSERT_EQ(out, *reference) << body;
    }
  }
  EXPECT_GT(accepted, 2000);
}

// ---- append_quoted ------------------------------------------------------------------------------

TEST(JsonText, AppendQuotedWritesEveryAsciiByteAsNlohmannDumps) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string text = "a" + std::string(1, static_cast<char>(c)) + "z";
    std::string out = "kept:";
    ASSERT_TRUE(append_quoted(out, text)) << c;
    EXPECT_EQ(out, "kept:" + json(text).dump()) << "byte " << c;
  }
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"", R"("")"},
      {"v=0\r\na=x", R"("v=0\r\na=x")"},
      {"say \"hi\" \\ /", R"("say \"hi\" \\ /")"},
      {"\x01\x1f\x0b", R"("\u0001\u001f\u000b")"},
      {std::string(20, 'x') + "\t", "\"" + std::string(20, 'x') + "\\t\""},
  };
  for (const auto& [text, expected] : rows) {
    std::string out;
    ASSERT_TRUE(append_quoted(out, text));
    EXPECT_EQ(out, expected);
  }
}

TEST(JsonText, AppendQuotedLeavesNonAsciiToTheGeneralEncoder) {
  for (const std::string& text : std::vector<std::string>{"\xc3\xa9", "caf\xc3\xa9", std::string(40, 'a') + "\x80", "\xff"}) {
    std::string out;
    EXPECT_FALSE(append_quoted(out, text)) << text;
  }
}

TEST(JsonText, WhatAppendQuotedWritesReadsBack) {
  std::mt19937 rng(9);
  for (int i = 0; i < 2000; ++i) {
    std::string text(rng() % 64, ' ');
    for (char& c : text) c = static_cast<char>(rng() % 0x80);
    std::string literal;
    ASSERT_TRUE(append_quoted(literal, text));
    std::size_t pos = 0;
    std::string back;
    ASSERT_TRUE(read_string(literal, pos, back, Escapes::Json)) << literal;
    EXPECT_EQ(back, text);
    EXPECT_EQ(pos, literal.size());
  }
}

TEST(JsonText, InQuotesQuotesWithoutEscaping) {
  EXPECT_EQ(in_quotes("Standup"), "\"Standup\"");
  EXPECT_EQ(in_quotes(""), "\"\"");
  EXPECT_EQ(in_quotes("a\"b"), "\"a\"b\"");
}

}  // namespace
}  // namespace moim::json_text
