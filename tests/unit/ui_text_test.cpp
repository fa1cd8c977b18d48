// The catalog of every word a person sees (shared/ui_text.hpp), as tables: every entry has text in
// both languages with the same placeholders, every server error code has an entry, language tags
// are read as the browser writes them, placeholders are filled, and every character of the UI is one
// the start-up fonts hold (the Hangul written literally in the catalog files the font is cut from).
#include "ui_text.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace moim::ui_text {
namespace {

std::set<int> placeholders(std::string_view s) {
  std::set<int> out;
  for (std::size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] == '{' && s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] == '}') out.insert(s[i + 1] - '0');
  return out;
}

std::string name_of(Id id) { return "Id #" + std::to_string(static_cast<int>(id)) + " (\"" + std::string(text(Lang::En, id)) + "\")"; }

TEST(UiText, EveryEntryHasTextInBothLanguages) {
  EXPECT_EQ(text(Lang::En, Id::None), "");
  EXPECT_EQ(text(Lang::Ko, Id::None), "");
  for (std::size_t i = 1; i < kIds; ++i) {
    const Id id = static_cast<Id>(i);
    for (const Lang lang : kAllLangs) {
      EXPECT_FALSE(text(lang, id).empty()) << name_of(id) << " in " << tag(lang);
      EXPECT_TRUE(proto::is_valid_utf8(text(lang, id))) << name_of(id) << " in " << tag(lang);
    }
  }
  EXPECT_EQ(text(Lang::En, Id::Count), "");                  // not a text
  EXPECT_EQ(text(Lang::Ko, static_cast<Id>(60000)), "");      // out of range: nothing, no crash
}

TEST(UiText, PlaceholdersAgreeBetweenTheLanguages) {
  for (std::size_t i = 0; i < kIds; ++i) {
    const Id id = static_cast<Id>(i);
    const std::set<int> en = placeholders(text(Lang::En, id)), ko = placeholders(text(Lang::Ko, id));
    EXPECT_EQ(en, ko) << name_of(id) << ": \"" << text(Lang::Ko, id) << "\"";
    // Numbered from {0} with no gap: an argument is never silently dropped.
    int expect = 0;
    for (const int n : en) EXPECT_EQ(n, expect++) << name_of(id);
  }
}

TEST(UiText, TheLanguagesDifferWhereThereAreWords) {
  // A Korean text equal to the English one is a line someone forgot to translate (except where
  // there is nothing to translate).
  const std::set<Id> same = {Id::None, Id::WithKey};
  for (std::size_t i = 0; i < kIds; ++i) {
    const Id id = static_cast<Id>(i);
    if (same.count(id)) continue;
    EXPECT_NE(text(Lang::En, id), text(Lang::Ko, id)) << name_of(id);
  }
}

TEST(UiText, EveryServerErrorCodeHasAnEntry) {
  for (int c = 0; c <= static_cast<int>(proto::ErrorCode::MediaFailed); ++c) {
    const auto code = static_cast<proto::ErrorCode>(c);
    SCOPED_TRACE(std::string(proto::to_string(code)));
    ASSERT_FALSE(proto::to_string(code).empty());  // a real code (the enum has no gaps)
    const Id id = error_text(code);
    EXPECT_NE(id, Id::None);
    for (const Lang lang : kAllLangs) EXPECT_FALSE(text(lang, id).empty());
    EXPECT_TRUE(placeholders(text(Lang::En, id)).empty());  // said without the server's details
  }
  EXPECT_EQ(error_text(proto::ErrorCode::PasswordWrong), Id::ErrPasswordWrong);
  EXPECT_EQ(format(Lang::Ko, error_text(proto::ErrorCode::RoomFull)), "그 방은 가득 찼습니다.");
  EXPECT_EQ(error_text(static_cast<proto::ErrorCode>(999)), Id::ErrInternal);  // garbage: a sentence still
}

TEST(UiText, LanguageTags) {
  const std::vector<std::pair<std::string, Lang>> rows = {
      {"ko", Lang::Ko},    {"ko-KR", Lang::Ko}, {"KO-kr", Lang::Ko}, {"ko_KR", Lang::Ko}, {"ko-Kore-KR", Lang::Ko},
      {"Ko", Lang::Ko},    {"en", Lang::En},    {"en-US", Lang::En}, {"en-GB", Lang::En}, {"ja-JP", Lang::En},
      {"kok", Lang::En},   // Konkani, not Korean
      {"k", Lang::En},     {"", Lang::En},      {"kor", Lang::En},   {"-ko", Lang::En},   {"\xEB\xAA\xA8", Lang::En},
      {std::string("ko\0", 3), Lang::En},
  };
  for (const auto& [t, want] : rows) EXPECT_EQ(language_from_tag(t), want) << "'" << t << "'";
  for (const Lang lang : kAllLangs) EXPECT_EQ(language_from_tag(tag(lang)), lang);  // what is stored reads back
  EXPECT_EQ(tag(Lang::En), "en");
  EXPECT_EQ(tag(Lang::Ko), "ko");
}

TEST(UiText, FormattingFillsPlaceholdersAndNothingElse) {
  EXPECT_EQ(format(Lang::En, Id::RoomFullCount, {"Standup", "6", "6"}), "Room \"Standup\" is full (6/6).");
  EXPECT_EQ(format(Lang::Ko, Id::RoomFullCount, {"Standup", "6", "6"}), "\"Standup\" 방은 가득 찼습니다 (6/6).");
  // An argument that looks like a placeholder is text, not a placeholder.
  EXPECT_EQ(format(Lang::En, Id::TheirScreen, {"{0}{1}"}), "{0}{1}'s screen");
  // A missing argument leaves the placeholder as written; extra ones are ignored.
  EXPECT_EQ(format(Lang::En, Id::RoomFullCount, {"A"}), "Room \"A\" is full ({1}/{2}).");
  EXPECT_EQ(format(Lang::En, Id::Join, {"x", "y"}), "Join");
  const Message m{Id::NameTooLong, {"20"}};
  EXPECT_EQ(render(Lang::En, m), "Your name can have at most 20 characters.");
  EXPECT_EQ(render(Lang::Ko, m), "이름은 20자까지 쓸 수 있습니다.");
  EXPECT_TRUE(Message{}.empty());
  EXPECT_EQ(render(Lang::Ko, Message{}), "");
  std::ostringstream os;
  os << m;
  EXPECT_EQ(os.str(), "Your name can have at most 20 characters.");
}

TEST(UiText, AMessageWithMoreRendersThemAllInOrder) {
  // Two notices from one event (a webcam with a microphone unplugged): both are said, in order.
  Message m{Id::CameraUnplugged, {"Desk"}};
  m.more.push_back(Message{Id::MicUnpluggedSwitched, {"Desk", "Laptop"}});
  EXPECT_EQ(render(Lang::En, m),
            "Camera \u201CDesk\u201D was disconnected; there is no other to use. "
            "Microphone \u201CDesk\u201D was disconnected; now using \u201CLaptop\u201D.");
  EXPECT_EQ(render(Lang::Ko, m),
            "카메라 \u201CDesk\u201D 연결이 끊겼습니다. 대신 쓸 카메라가 없습니다. "
            "마이크 \u201CDesk\u201D 연결이 끊겨 \u201CLaptop\u201D(으)로 바꿨습니다.");
  EXPECT_NE(m, Message(Id::CameraUnplugged, {"Desk"}));
}

bool hangul(char32_t c) {
  return (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F);
}

// The Latin UI font's subset (wasm/CMakeLists.txt, --unicodes of ui-latin.ttf; keep in step).
bool in_latin_subset(char32_t c) {
  return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0x17F) || (c >= 0x370 && c <= 0x4FF) ||
         (c >= 0x2000 && c <= 0x206F) || c == 0x20AC || c == 0x2122 || (c >= 0x2190 && c <= 0x2193) || c == 0x2212 ||
         c == 0x25CF;
}

std::string utf8(char32_t c) {
  std::string s;
  if (c < 0x80) s += static_cast<char>(c);
  else if (c < 0x800) s += {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
  else
    s += {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
          static_cast<char>(0x80 | (c & 0x3F))};
  return s;
}

TEST(UiText, EveryCharacterIsInTheStartUpFonts) {
  // The start-up Hangul font is cut at build time from the Hangul written in these two files: a
  // Korean letter that is in the catalog only as an escape would be an empty box until the lazy
  // font arrives.
  std::string sources;
  for (const char* file : {"/shared/ui_text_en.cpp", "/shared/ui_text_ko.cpp"}) {
    std::ifstream in(std::string(MOIM_SOURCE_DIR) + file, std::ios::binary);
    ASSERT_TRUE(in) << file;
    sources.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (const Lang lang : kAllLangs) {
    const auto& chars = characters(lang);
    EXPECT_TRUE(std::is_sorted(chars.begin(), chars.end()));
    EXPECT_EQ(std::set<char32_t>(chars.begin(), chars.end()).size(), chars.size());
    for (const char32_t c : chars) {
      EXPECT_GT(c, 0x7Eu);
      EXPECT_TRUE(hangul(c) || in_latin_subset(c)) << "U+" << std::hex << static_cast<unsigned>(c) << " in " << tag(lang);
      if (hangul(c)) EXPECT_NE(sources.find(utf8(c)), std::string::npos) << utf8(c) << " is not written as text";
    }
  }
  const auto& ko = characters(Lang::Ko);
  EXPECT_TRUE(std::binary_search(ko.begin(), ko.end(), U'\uBC29'));  // 방
  const auto& en = characters(Lang::En);
  EXPECT_TRUE(std::binary_search(en.begin(), en.end(), U'\uD55C'));  // 한, of the language button's 한국어
  EXPECT_FALSE(std::binary_search(en.begin(), en.end(), U'\uBC29'));
}

}  // namespace
}  // namespace moim::ui_text
