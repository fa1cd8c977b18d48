#include "language.hpp"

#include "browser/glue.hpp"

#include <string>

namespace moim {

ui_text::Lang initial_language() {
  const std::string stored = browser::load_setting(ui_text::kLanguageSetting);
  // Only what use_language() writes counts: anything else (edited by hand, another app's) is not a choice.
  for (const ui_text::Lang lang : ui_text::kAllLangs)
    if (stored == ui_text::tag(lang)) return lang;
  return ui_text::language_from_tag(browser::preferred_language());
}

void use_language(ui_text::Lang lang, bool remember) {
  const std::string tag(ui_text::tag(lang));
  if (remember) browser::save_setting(ui_text::kLanguageSetting, tag);
  browser::set_page_language(tag);
}

}  // namespace moim
