// The app's frame loop, run on demand: an animation frame is asked for only when something needs
// drawing (input, a server or browser event, a video frame, a time the app names), not at every
// vsync. An animation frame is not free even when the app draws nothing: Chromium runs style,
// layout and the page's lifecycle for it, and the app its checks; on two loaded cores that was
// 3-10 ms per vsync, and a page idle in the lobby spent half a core on it.
#pragma once

namespace moim::browser::frame_loop {

// Runs `frame` (given the animation frame's time, performance.now() clock) now and from then on
// whenever woken. Also wakes on window resizes.
void start(void (*frame)(double now_ms));
// At the next animation frame.
void wake();
// By `at_ms` (performance.now() clock; in the past: the next animation frame). Idle pages still
// run a frame every kMaxSleepMs, so whatever changes without an event (timers, the app's clock)
// shows soon enough.
void wake_at(double at_ms);
inline constexpr double kMaxSleepMs = 250;

}  // namespace moim::browser::frame_loop
