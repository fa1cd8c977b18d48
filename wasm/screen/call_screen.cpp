#include "screen/call_screen.hpp"

#include "overloaded.hpp"

#include "browser/glue.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace moim {

CallScreen::Outcome CallScreen::toggle() {
  if (machine_.state() == screen_share::State::Off) return apply(machine_.handle(screen_share::ShareClicked{}));
  return apply(machine_.handle(screen_share::StopClicked{}));
}

std::optional<CallScreen::Outcome> CallScreen::handle(const browser::Event& event) {
  return std::visit(Overloaded{
                        [&](const browser::ScreenOpened& e) -> std::optional<Outcome> {
                          return apply(machine_.handle(screen_share::CaptureStarted{e.request, static_cast<screen_share::Capture>(e.stream)}));
                        },
                        [&](const browser::ScreenFailed& e) -> std::optional<Outcome> {
                          std::printf("moim: screen capture refused (%s): %s\n", e.name.c_str(), e.message.c_str());
                          return apply(machine_.handle(screen_share::CaptureFailed{e.request, e.name, e.message}));
                        },
                        [&](const browser::ScreenEnded& e) -> std::optional<Outcome> {
                          std::printf("moim: the browser ended the screen share\n");
                          return apply(machine_.handle(screen_share::CaptureEnded{static_cast<screen_share::Capture>(e.stream)}));
                        },
                        [](const auto&) -> std::optional<Outcome> { return std::nullopt; },
                    },
                    event);
}

void CallScreen::call_ended() {
  apply(machine_.handle(screen_share::CallEnded{}));
  preview_.reset();      // its element and texture go with the capture
  media_.set_screen(0);  // no connection is left to take it off
  started_.clear();
  chosen_ = 0;
  chosen_self_ = false;
}

CallScreen::Outcome CallScreen::apply(const screen_share::Effects& effects) {
  Outcome out;
  for (const auto& effect : effects) {
    std::visit(Overloaded{
                   [&](const screen_share::RequestCapture& e) { browser::open_screen(e.request, media_plan::ScreenConstraints{}); },
                   [&](const screen_share::Attach& e) {
                     const auto h = static_cast<browser::Handle>(e.capture);
                     preview_ = browser::VideoTexture(browser::create_video_for_stream(h, /*muted=*/true));
                     out.renegotiate = media_.set_screen(h);
                     chosen_self_ = false;  // a new share of ours is not forced large
                   },
                   [&](const screen_share::Detach&) {
                     preview_.reset();
                     out.renegotiate = media_.set_screen(0);
                     chosen_self_ = false;
                   },
                   [&](const screen_share::Release& e) { browser::close_media(static_cast<browser::Handle>(e.capture)); },
                   [&](const screen_share::Notice& e) { out.notice = e.text; },
               },
               effect);
  }
  return out;
}

void CallScreen::follow_peers() {
  for (auto it = started_.begin(); it != started_.end();) {
    const Peers::Peer* p = peers_.find(it->first);
    if (p && p->connection && p->connection->browser.sharing_screen()) ++it;
    else it = started_.erase(it);
  }
  for (const Peers::Peer* p : peers_.in_order())
    if (p->connection && p->connection->browser.sharing_screen() && !started_.count(p->info.id))
      started_[p->info.id] = ++sequence_;
  if (chosen_ && !started_.count(chosen_)) chosen_ = 0;
}

std::vector<ui::ScreenView> CallScreen::model() const {
  std::vector<ui::ScreenView> out;
  // Peers' screens, the latest first.
  std::vector<std::pair<std::uint64_t, proto::PeerId>> order;
  for (const auto& [id, seq] : started_) order.emplace_back(seq, id);
  std::sort(order.rbegin(), order.rend());
  for (const auto& [seq, id] : order) {
    const Peers::Peer* p = peers_.find(id);
    if (!p || !p->connection) continue;
    const browser::VideoTexture& v = p->connection->browser.screen();
    ui::ScreenView s;
    s.peer = id;
    s.name = p->info.name;
    if (v.has_frame()) s.texture = v.texture(), s.video_w = v.width(), s.video_h = v.height();
    out.push_back(std::move(s));
  }
  if (machine_.sharing()) {
    ui::ScreenView s;
    s.self = true;
    // No name: the view says "Your screen" in the person's language.
    if (preview_.has_frame()) s.texture = preview_.texture(), s.video_w = preview_.width(), s.video_h = preview_.height();
    out.push_back(std::move(s));  // ours last: the others' are what we came to see
  }
  // The large one first: the person's choice, else the latest peer's, else ours.
  auto large = out.begin();
  if (chosen_self_) large = std::find_if(out.begin(), out.end(), [](const ui::ScreenView& s) { return s.self; });
  else if (chosen_) large = std::find_if(out.begin(), out.end(), [&](const ui::ScreenView& s) { return !s.self && s.peer == chosen_; });
  if (large != out.end()) std::rotate(out.begin(), large, large + 1);
  return out;
}

nlohmann::json CallScreen::presenter_json() const {
  const auto screens = model();
  if (screens.empty()) return nullptr;
  if (screens.front().self) return "self";
  return screens.front().peer;
}

}  // namespace moim
