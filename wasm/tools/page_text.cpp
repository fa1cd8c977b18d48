// A build-time tool (run with node by wasm/CMakeLists.txt): writes the glue role page_text.js, the
// words the page shows before the app runs or after it stopped (the loading screen, the fatal
// errors only the glue can see), in every language, from the one catalog (shared/ui_text.hpp). So
// the page's own words are the catalog's too, and web/glue/ holds no sentence of its own.
//
//   moim_page_text <output.js>
#include "ui_text.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <utility>

int main(int argc, char** argv) {
  using namespace moim::ui_text;
  if (argc != 2) {
    std::fprintf(stderr, "usage: moim_page_text <output.js>\n");
    return 2;
  }
  // The keys web/glue/page_language.js and page_loading.js ask for.
  const std::pair<const char*, Id> keys[] = {
      {"appName", Id::AppName},
      {"loading", Id::PageLoading},
      {"programNotLoaded", Id::PageProgramNotLoaded},
      {"couldNotLoad", Id::PageCouldNotLoad},
      {"stopped", Id::PageStopped},
  };
  nlohmann::json words = nlohmann::json::object();
  for (const Lang lang : kAllLangs)
    for (const auto& [key, id] : keys) words[std::string(tag(lang))][key] = std::string(text(lang, id));
  const std::string js =
      "// Glue role: the page's own words, in every language (made at build time by wasm/tools/page_text.cpp from\n"
      "// the catalog, shared/ui_text_*.cpp: edit those, not this). For page_language.js, which picks the language.\n"
      "(function pageText({ shared }) {\n"
      "  shared.pageWords = {\n"
      "    setting: " + nlohmann::json(kLanguageSetting).dump() + ",  // where C++ keeps the person's choice\n"
      "    words: " + words.dump() + ",\n"
      "  };\n"
      "})(glue);\n";
  std::FILE* out = std::fopen(argv[1], "wb");
  if (!out || std::fwrite(js.data(), 1, js.size(), out) != js.size() || std::fclose(out) != 0) {
    std::fprintf(stderr, "moim_page_text: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
