// What a peer's tile says about its connection: the route pill in the name bar (how the peer is
// reached), the quality bars beside it and, when the peer cannot be reached, the notice over the video area. Drawn by the call
// view's tile; both only draw (no state, no intents).
#pragma once

#include "ui/views.hpp"
#include "ui/widgets.hpp"

#include <imgui.h>

namespace moim::ui {

// Draws `t.route` right-aligned in the name bar [bar_min, bar_max] and records it as widget
// "route:<peer id>". Returns the width it took (0 when there is no route to show).
float draw_route_pill(FrameOut& out, const TileModel& t, ImVec2 bar_min, ImVec2 bar_max);
// Draws `t.quality` as signal bars (three good, two fair, one poor) right-aligned in [bar_min, bar_max]
// and records them as widget "quality:<peer id>". Returns the width taken (0 without a verdict).
float draw_quality_bars(FrameOut& out, const TileModel& t, ImVec2 bar_min, ImVec2 bar_max);
// Covers the video area [min, max] with `t.unreachable`'s words, wrapped to fit; recorded as widget
// "unreachable:<peer id>".
void draw_unreachable_notice(FrameOut& out, const TileModel& t, ImVec2 min, ImVec2 max);

}  // namespace moim::ui
