#include "devices/call_devices.hpp"

#include "browser/glue.hpp"
#include "overloaded.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace moim {

using device_choice::Kind;

void CallDevices::start() {
  machine_.handle(device_choice::Remembered{browser::load_setting(kCameraKey), browser::load_setting(kMicKey)});
}

std::optional<ui_text::Message> CallDevices::handle(const browser::Event& event) {
  if (const auto* e = std::get_if<browser::DevicesListed>(&event))
    return apply(machine_.handle(device_choice::Listed{e->cameras, e->mics}));
  if (const auto* e = std::get_if<browser::TrackSwitched>(&event)) {
    ui_text::Message notice = apply(machine_.handle(device_choice::Switched{e->request, e->audio ? Kind::Mic : Kind::Camera, e->device}));
    if (!e->audio) media_.camera_switched();
    return notice;
  }
  if (const auto* e = std::get_if<browser::TrackSwitchFailed>(&event))
    return apply(machine_.handle(device_choice::SwitchFailed{e->request, e->audio ? Kind::Mic : Kind::Camera, e->name, e->message}));
  return std::nullopt;
}

void CallDevices::stream_opened(const std::string& camera, const std::string& mic) {
  apply(machine_.handle(device_choice::StreamOpened{camera, mic}));
}

void CallDevices::stream_closed() {
  apply(machine_.handle(device_choice::StreamClosed{}));
  level_ = 0;
}

ui_text::Message CallDevices::choose(Kind kind, std::size_t index) {
  const auto& list = machine_.devices(kind);
  if (index >= list.size()) return {};
  return apply(machine_.handle(device_choice::Chosen{kind, list[index].id}));
}

ui_text::Message CallDevices::apply(const device_choice::Effects& effects) {
  ui_text::Message notice;
  for (const auto& effect : effects) {
    std::visit(Overloaded{
                   [&](const device_choice::Remember& e) {
                     browser::save_setting(e.kind == Kind::Camera ? kCameraKey : kMicKey, e.id);
                   },
                   [&](const device_choice::SwitchTrack& e) {
                     browser::switch_track(media_.local_stream(), e.request, media_plan::switch_request(e.kind == Kind::Mic, e.id));
                   },
                   [&](const device_choice::Notice& e) {
                     if (notice.empty())
                       notice = device_choice::notice_message(e);
                     else
                       notice.more.push_back(device_choice::notice_message(e));
                   },
               },
               effect);
  }
  return notice;
}

bool CallDevices::poll_level(double now_ms, bool shown) {
  const bool was = metering_;
  metering_ = shown && media_.has_local_audio();
  if (!metering_) {
    if (was && media_.local_stream()) browser::mic_level_off(media_.local_stream());
    next_poll_ = 0;
    const bool changed = shown_step_ > 0;
    level_ = 0;
    shown_step_ = 0;
    return changed;
  }
  if (now_ms < next_poll_) return false;
  next_poll_ = now_ms + kLevelPollMs;
  const double raw = media_.mic_on() ? browser::mic_level(media_.local_stream()) : 0.0;
  // Rises at once, falls back over ~0.5 s: the eye follows a meter that does not flicker.
  level_ = std::max(static_cast<float>(std::clamp(raw, 0.0, 1.0)), level_ * 0.75f);
  if (level_ < 0.01f) level_ = 0;
  const int step = static_cast<int>(std::lround(level_ * 20));
  const bool changed = step != shown_step_;
  shown_step_ = step;
  return changed;
}

ui::DevicesModel CallDevices::model(ui_text::Lang lang) const {
  ui::DevicesModel m;
  const auto fill = [&](Kind kind, std::vector<std::string>& labels, int& chosen) {
    const auto& list = machine_.devices(kind);
    const auto unnamed = kind == Kind::Camera ? ui_text::Id::DeviceUnnamedCamera : ui_text::Id::DeviceUnnamedMic;
    for (std::size_t i = 0; i < list.size(); ++i) {
      labels.push_back(!list[i].label.empty() ? list[i].label : ui_text::format(lang, unnamed, {std::to_string(i + 1)}));
      if (list[i].id == machine_.shown(kind)) chosen = static_cast<int>(i);
    }
  };
  fill(Kind::Camera, m.cameras, m.camera);
  fill(Kind::Mic, m.mics, m.mic);
  m.level = static_cast<float>(shown_step_ > 0 ? shown_step_ : 0) / 20.0f;
  m.mic_on = media_.mic_on();
  m.camera_on = media_.camera_on();
  m.has_mic = media_.has_local_audio();
  m.has_camera = media_.has_local_video();
  return m;
}

nlohmann::json CallDevices::state_json() const {
  const auto list = [&](Kind kind) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : machine_.devices(kind)) out.push_back({{"id", d.id}, {"label", d.label}});
    return out;
  };
  const auto id_or_null = [&](Kind kind) {
    const std::string& id = machine_.shown(kind);
    return id.empty() ? nlohmann::json(nullptr) : nlohmann::json(id);
  };
  return {{"cameras", list(Kind::Camera)},
          {"mics", list(Kind::Mic)},
          {"camera", id_or_null(Kind::Camera)},
          {"mic", id_or_null(Kind::Mic)},
          {"cameraInUse", machine_.in_use(Kind::Camera)},
          {"micInUse", machine_.in_use(Kind::Mic)},
          {"switching", machine_.switching(Kind::Camera) || machine_.switching(Kind::Mic)},
          {"micOn", media_.mic_on()},
          {"cameraOn", media_.camera_on()},
          {"level", std::round(level_ * 100) / 100}};
}

}  // namespace moim
