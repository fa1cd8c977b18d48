// How the person chose to see the call: the grid or the speaker view, the grid's page when not
// everyone fits (shared/grid_pages.hpp decides which tiles a page holds), and on a narrow window
// whether the control bar's More menu is open. Each call starts on the first page with the menu
// closed; the choice of view is kept from call to call.
#pragma once

namespace moim {

class CallLayout {
 public:
  bool speaker_view() const { return speaker_view_; }
  void toggle_view() { speaker_view_ = !speaker_view_; }
  int grid_page() const { return grid_page_; }
  // The page the person turned to, as drawn (the call screen clamps it to the pages there are).
  void show_grid_page(int page) { grid_page_ = page < 0 ? 0 : page; }
  bool more_open() const { return more_open_; }
  void toggle_more() { more_open_ = !more_open_; }
  void call_ended() {
    grid_page_ = 0;
    more_open_ = false;
  }

 private:
  bool speaker_view_ = false;
  int grid_page_ = 0;
  bool more_open_ = false;
};

}  // namespace moim
