#include "device_choice.hpp"

#include "overloaded.hpp"

#include <algorithm>

namespace moim::device_choice {

namespace {
const Device* find(const std::vector<Device>& list, const std::string& id) {
  const auto it = std::find_if(list.begin(), list.end(), [&](const Device& d) { return d.id == id; });
  return it == list.end() ? nullptr : &*it;
}
std::string label_of(const std::vector<Device>& list, const std::string& id) {
  const Device* d = find(list, id);
  return d ? d->label : id;
}
}  // namespace

std::string_view to_string(Kind kind) { return kind == Kind::Camera ? "camera" : "mic"; }

ui_text::Message notice_message(const Notice& n) {
  using ui_text::Id;
  const bool cam = n.kind == Kind::Camera;
  switch (n.what) {
    case NoticeKind::Unplugged: return {cam ? Id::CameraUnplugged : Id::MicUnplugged, {n.device}};
    case NoticeKind::UnpluggedSwitched:
      return {cam ? Id::CameraUnpluggedSwitched : Id::MicUnpluggedSwitched, {n.device, n.other}};
    case NoticeKind::PluggedIn: return {cam ? Id::CameraPluggedIn : Id::MicPluggedIn, {n.device}};
    case NoticeKind::SwitchFailed: return {Id::DeviceSwitchFailed, {n.device, n.other}};
  }
  return {};
}

const std::string& Machine::shown(Kind kind) const {
  const PerKind& k = of(kind);
  return holding_ && !k.in_use.empty() && k.pending == 0 ? k.in_use : k.wanted;
}

Effects Machine::handle(const Event& event) {
  Effects out;
  std::visit(Overloaded{
                 [&](const Remembered& e) {
                   of(Kind::Camera).wanted = e.camera;
                   of(Kind::Mic).wanted = e.mic;
                 },
                 [&](const Listed& e) {
                   relist(Kind::Camera, e.cameras, out);
                   relist(Kind::Mic, e.mics, out);
                 },
                 [&](const StreamOpened& e) {
                   holding_ = true;
                   of(Kind::Camera).in_use = e.camera;
                   of(Kind::Mic).in_use = e.mic;
                   for (PerKind& k : kinds_) k.pending = 0, k.check_wanted = true;
                   honour_wanted(Kind::Camera, out);
                   honour_wanted(Kind::Mic, out);
                 },
                 [&](const StreamClosed&) {
                   holding_ = false;
                   for (PerKind& k : kinds_) k.in_use.clear(), k.pending = 0, k.counted = false, k.check_wanted = false;
                 },
                 [&](const Chosen& e) {
                   PerKind& k = of(e.kind);
                   if (e.id.empty() || !find(k.list, e.id)) return;  // not a device we listed: nothing changes
                   if (!holding_ || k.in_use.empty()) {
                     if (k.wanted == e.id) return;
                     k.wanted = e.id;
                     out.push_back(Remember{e.kind, e.id});
                     return;
                   }
                   k.wanted = e.id;
                   if (k.in_use == e.id && k.pending == 0) return;  // already the one in use
                   switch_to(e.kind, e.id, out);
                 },
                 [&](const Switched& e) {
                   PerKind& k = of(e.kind);
                   if (!holding_ || e.request != k.pending) return;  // an earlier switch's, or the stream is gone
                   k.pending = 0;
                   k.in_use = e.id;
                   k.wanted = e.id;
                   out.push_back(Remember{e.kind, e.id});
                 },
                 [&](const SwitchFailed& e) {
                   PerKind& k = of(e.kind);
                   if (!holding_ || e.request != k.pending) return;
                   k.pending = 0;
                   out.push_back(Notice{NoticeKind::SwitchFailed, e.kind, label_of(k.list, k.wanted),
                                        e.message.empty() ? e.name : e.message});
                   k.wanted = k.in_use;  // the picker goes back to the truth
                 },
             },
             event);
  return out;
}

void Machine::relist(Kind kind, std::vector<Device> list, Effects& out) {
  PerKind& k = of(kind);
  list.erase(std::remove_if(list.begin(), list.end(), [](const Device& d) { return d.id.empty(); }), list.end());
  const bool news = holding_ && k.counted;
  std::vector<Device> old = std::move(k.list);
  k.list = std::move(list);
  k.counted = holding_;
  honour_wanted(kind, out);
  if (!news) return;
  for (const Device& d : k.list)
    if (!find(old, d.id)) out.push_back(Notice{NoticeKind::PluggedIn, kind, d.label, {}});
  // The device in use (or the one a switch is on its way to) left the list.
  const std::string& current = k.pending ? k.wanted : k.in_use;
  if (current.empty() || find(k.list, current)) return;
  const std::string gone = label_of(old, current);
  if (k.list.empty()) {
    out.push_back(Notice{NoticeKind::Unplugged, kind, gone, {}});
    k.in_use.clear();
    k.pending = 0;
    k.wanted = k.in_use;
    return;
  }
  out.push_back(Notice{NoticeKind::UnpluggedSwitched, kind, gone, k.list.front().label});
  // Not remembered as the person's choice until it is in use; the remembered one stays wanted if
  // the switch fails.
  const std::string replacement = k.list.front().id;
  k.wanted = replacement;
  switch_to(kind, replacement, out);
}

void Machine::honour_wanted(Kind kind, Effects& out) {
  PerKind& k = of(kind);
  if (!k.check_wanted || !holding_ || k.list.empty()) return;  // the list comes right after the stream
  k.check_wanted = false;
  if (k.in_use.empty() || k.wanted.empty() || k.wanted == k.in_use || !find(k.list, k.wanted)) return;
  switch_to(kind, k.wanted, out);
}

void Machine::switch_to(Kind kind, const std::string& id, Effects& out) {
  PerKind& k = of(kind);
  k.pending = ++request_;
  out.push_back(SwitchTrack{k.pending, kind, id});
}

std::ostream& operator<<(std::ostream& os, const Event& event) {
  std::visit(Overloaded{
                 [&](const Remembered& e) { os << "Remembered{" << e.camera << "," << e.mic << "}"; },
                 [&](const Listed& e) { os << "Listed{" << e.cameras.size() << "," << e.mics.size() << "}"; },
                 [&](const StreamOpened& e) { os << "StreamOpened{" << e.camera << "," << e.mic << "}"; },
                 [&](const StreamClosed&) { os << "StreamClosed"; },
                 [&](const Chosen& e) { os << "Chosen{" << to_string(e.kind) << "," << e.id << "}"; },
                 [&](const Switched& e) { os << "Switched{" << e.request << "," << to_string(e.kind) << "," << e.id << "}"; },
                 [&](const SwitchFailed& e) {
                   os << "SwitchFailed{" << e.request << "," << to_string(e.kind) << "," << e.name << "}";
                 },
             },
             event);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Effect& effect) {
  std::visit(Overloaded{
                 [&](const Remember& e) { os << "Remember{" << to_string(e.kind) << "," << e.id << "}"; },
                 [&](const SwitchTrack& e) {
                   os << "SwitchTrack{" << e.request << "," << to_string(e.kind) << "," << e.id << "}";
                 },
                 [&](const Notice& e) { os << "Notice{" << notice_message(e) << "}"; },
             },
             effect);
  return os;
}

}  // namespace moim::device_choice
