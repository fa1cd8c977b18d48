// The call's keyboard shortcuts (shared/shortcuts.hpp): every key of the table, in and out of the
// places where keys are text or belong to something else.
#include "shortcuts.hpp"

#include <gtest/gtest.h>

namespace moim::shortcuts {
namespace {

KeyPress press(std::string key, std::string code) { return KeyPress{std::move(key), std::move(code)}; }
Context in_call() { return Context{.in_call = true}; }

TEST(Shortcuts, EachKeyOfTheTableInACall) {
  const struct {
    KeyPress key;
    std::optional<Action> action;
  } table[] = {
      {press("m", "KeyM"), Action::ToggleMic},
      {press("v", "KeyV"), Action::ToggleCamera},
      {press("s", "KeyS"), Action::ToggleShare},
      {press("c", "KeyC"), Action::ToggleChat},
      {KeyPress{"?", "Slash", false, false, false, true}, Action::ToggleHelp},
      {press("?", ""), Action::ToggleHelp},                  // a layout where ? is elsewhere
      {press("\xE3\x85\xA1", "KeyM"), Action::ToggleMic},    // a Korean layout: "ㅡ" on the M key
      {press("M", "KeyM"), Action::ToggleMic},               // caps lock
      {press("x", "KeyX"), std::nullopt},
      {press("Escape", "Escape"), std::nullopt},             // nothing to close
      {KeyPress{"m", "KeyM", true}, std::nullopt},           // Ctrl+M
      {KeyPress{"c", "KeyC", false, false, true}, std::nullopt},  // Cmd+C copies
      {KeyPress{"s", "KeyS", false, true}, std::nullopt},    // Alt+S
      {KeyPress{"M", "KeyM", false, false, false, true}, std::nullopt},  // Shift+M
      {KeyPress{"m", "KeyM", false, false, false, false, true}, std::nullopt},  // held down
  };
  for (const auto& row : table) {
    SCOPED_TRACE(row.key.key + " " + row.key.code);
    EXPECT_EQ(action_for(row.key, in_call()), row.action);
  }
}

TEST(Shortcuts, NeverWhileTypingInADialogOrOutsideACall) {
  const KeyPress m = press("m", "KeyM"), q = press("?", "Slash");
  Context typing = in_call();
  typing.typing = true;
  Context modal = in_call();
  modal.modal = true;
  for (const Context& c : {typing, modal, Context{}}) {
    EXPECT_EQ(action_for(m, c), std::nullopt);
    EXPECT_EQ(action_for(q, c), std::nullopt);
  }
  Context no_chat = in_call();
  no_chat.has_chat = false;
  EXPECT_EQ(action_for(press("c", "KeyC"), no_chat), std::nullopt);
}

TEST(Shortcuts, EscapeClosesTheHelpAndTheHelpStillTakesKeys) {
  Context help = in_call();
  help.help_open = true;
  EXPECT_EQ(action_for(press("Escape", "Escape"), help), Action::CloseHelp);
  EXPECT_EQ(action_for(press("?", "Slash"), help), Action::ToggleHelp);
  EXPECT_EQ(action_for(press("m", "KeyM"), help), Action::ToggleMic);
}

TEST(Shortcuts, TooltipsAndTheTableAgree) {
  using ui_text::Lang;
  EXPECT_EQ(tooltip(Lang::En, "Mute", Action::ToggleMic), "Mute (M)");
  EXPECT_EQ(tooltip(Lang::En, "Share screen", Action::ToggleShare), "Share screen (S)");
  EXPECT_EQ(tooltip(Lang::Ko, "음소거", Action::ToggleMic), "음소거 (M)");  // the key is the key in every language
  EXPECT_EQ(tooltip(Lang::En, "Close", Action::CloseHelp), "Close");  // not in the table: the label alone
  ASSERT_EQ(table().size(), 5u);
  for (const auto& e : table())
    for (const Lang lang : ui_text::kAllLangs) EXPECT_FALSE(ui_text::text(lang, e.what).empty());
}

}  // namespace
}  // namespace moim::shortcuts
