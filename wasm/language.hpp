// The UI's language: the person's choice (the lobby's language button, kept in storage under
// ui_text::kLanguageSetting), else the one the browser prefers (navigator.language); Korean or
// English (shared/ui_text.hpp). The page is told which, for its lang attribute and the words of its
// own loading and fatal screens (web/glue/page_language.js).
#pragma once

#include "ui_text.hpp"

namespace moim {

// The language to start in: the stored choice, or the browser's preference (anything but Korean is
// English; a stored value that is neither is ignored).
ui_text::Lang initial_language();
// Tells the page `lang`; `remember`: the person chose it, kept for the next visit.
void use_language(ui_text::Lang lang, bool remember);

}  // namespace moim
