#include "ui/theme.hpp"

extern const unsigned char moim_ui_font_latin[];
extern const unsigned moim_ui_font_latin_size;
// The Hangul of the UI's words (both catalogs, shared/ui_text_*.cpp), cut at build time.
extern const unsigned char moim_ui_font_hangul[];
extern const unsigned moim_ui_font_hangul_size;

namespace moim::ui {

Fonts& fonts() {
  static Fonts f;
  return f;
}

void apply_style() {
  ImGuiStyle& s = ImGui::GetStyle();
  ImGui::StyleColorsDark(&s);
  s.WindowPadding = ImVec2(0, 0);
  s.WindowBorderSize = 0;
  s.WindowRounding = 0;
  s.FramePadding = ImVec2(12, 8);
  s.FrameRounding = 8;
  s.ItemSpacing = ImVec2(10, 10);
  s.PopupRounding = 12;
  s.PopupBorderSize = 1;
  s.GrabRounding = 6;
  s.GrabMinSize = 18;
  s.ScrollbarSize = 10;
  s.ScrollbarRounding = 6;
  s.ChildRounding = 12;
  ImVec4* c = s.Colors;
  c[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(color::kBackground);
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_PopupBg] = ImGui::ColorConvertU32ToFloat4(color::kPanel);
  c[ImGuiCol_Border] = ImGui::ColorConvertU32ToFloat4(color::kBorder);
  c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(color::kText);
  c[ImGuiCol_TextDisabled] = ImGui::ColorConvertU32ToFloat4(color::kMuted);
  c[ImGuiCol_FrameBg] = ImGui::ColorConvertU32ToFloat4(color::kField);
  c[ImGuiCol_FrameBgHovered] = ImGui::ColorConvertU32ToFloat4(color::kPanelHover);
  c[ImGuiCol_FrameBgActive] = ImGui::ColorConvertU32ToFloat4(color::kPanelHover);
  c[ImGuiCol_SliderGrab] = ImGui::ColorConvertU32ToFloat4(color::kAccent);
  c[ImGuiCol_SliderGrabActive] = ImGui::ColorConvertU32ToFloat4(color::kAccentHover);
  c[ImGuiCol_ModalWindowDimBg] = ImVec4(0.02f, 0.03f, 0.05f, 0.72f);
  c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
}

void build_fonts(float dpr, const std::vector<ImWchar>& ui, const std::vector<ImWchar>& extra,
                 const std::vector<unsigned char>* fallback_ttf) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  // Printable ASCII and the few symbols the UI itself uses (see in_base_ranges); the UI words'
  // characters through `ui`; everything else is added on demand through `extra`.
  static const ImWchar kBase[] = {0x0020, 0x007E, 0x00B7, 0x00B7, 0x00D7, 0x00D7, 0x2026, 0x2026, 0};
  // The ranges must outlive the atlas build: ImGui keeps the pointers until the texture is made.
  static std::vector<ImWchar> ui_ranges, extra_ranges;
  ui_ranges = ui;
  ui_ranges.push_back(0);
  extra_ranges = extra;
  extra_ranges.push_back(0);

  Fonts& f = fonts();
  auto add = [&](float px) {
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;  // our buffers outlive the atlas
    cfg.OversampleH = 1;  // rasterized at device pixels and snapped: crisp, and half the build time
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    ImFont* font = io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(moim_ui_font_latin),
                                                  static_cast<int>(moim_ui_font_latin_size), px * dpr, &cfg, kBase);
    // Each merged font gives only the glyphs it has that nothing before it gave (ImGui skips the
    // rest): the Latin font first, then the Hangul subset, then (for `extra`) the fetched Hangul font.
    const auto merge = [&](const unsigned char* data, unsigned size, const std::vector<ImWchar>& ranges) {
      if (ranges.size() <= 1) return;
      ImFontConfig more = cfg;
      more.MergeMode = true;
      io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(data), static_cast<int>(size), px * dpr, &more, ranges.data());
    };
    merge(moim_ui_font_latin, moim_ui_font_latin_size, ui_ranges);
    merge(moim_ui_font_hangul, moim_ui_font_hangul_size, ui_ranges);
    merge(moim_ui_font_latin, moim_ui_font_latin_size, extra_ranges);  // other Latin, Greek, Cyrillic letters
    merge(moim_ui_font_hangul, moim_ui_font_hangul_size, extra_ranges);  // a name made of the UI's Hangul
    if (fallback_ttf && extra_ranges.size() > 1) {  // what the UI font lacks (Hangul)
      ImFontConfig lazy;
      lazy.FontDataOwnedByAtlas = false;
      lazy.MergeMode = true;
      lazy.OversampleH = 1;
      lazy.OversampleV = 1;
      io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(fallback_ttf->data()),
                                     static_cast<int>(fallback_ttf->size()), px * dpr, &lazy, extra_ranges.data());
    }
    return font;
  };
  f.body = add(f.body_px);
  f.small = add(f.small_px);
  f.title = add(f.title_px);
  f.logo = add(f.logo_px);
  io.Fonts->Build();
  io.FontDefault = f.body;
  io.FontGlobalScale = 1.0f / dpr;  // glyphs rasterized at device pixels, laid out in CSS pixels
}

}  // namespace moim::ui
