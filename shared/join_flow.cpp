#include "join_flow.hpp"

#include "overloaded.hpp"

namespace moim::join_flow {

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::None: return "None";
    case Stage::AcquiringMedia: return "AcquiringMedia";
    case Stage::WaitingForServer: return "WaitingForServer";
  }
  return "?";
}

std::string_view to_string(Devices devices) {
  switch (devices) {
    case Devices::Idle: return "Idle";
    case Devices::Requesting: return "Requesting";
    case Devices::Settled: return "Settled";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const Event& event) {
  std::visit(Overloaded{
                 [&](const PageOpened& e) { os << "PageOpened{secure=" << e.secure << '}'; },
                 [&](const LobbyShown&) { os << "LobbyShown"; },
                 [&](const MediaOpened& e) {
                   os << "MediaOpened{#" << e.request << ", audio=" << e.audio << ", video=" << e.video << '}';
                 },
                 [&](const MediaFailed& e) { os << "MediaFailed{#" << e.request << ", " << e.name << ", \"" << e.message << "\"}"; },
                 [&](const StartJoin& e) { os << "StartJoin{room " << e.room << ", " << e.password.size() << " bytes}"; },
                 [&](const SocketOpening&) { os << "SocketOpening"; },
                 [&](const SocketOpened&) { os << "SocketOpened"; },
                 [&](const SocketGone&) { os << "SocketGone"; },
                 [&](const Welcomed&) { os << "Welcomed"; },
                 [&](const Joined&) { os << "Joined"; },
                 [&](const JoinRefused&) { os << "JoinRefused"; },
                 [&](const Rejoin& e) { os << "Rejoin{room " << e.room << '}'; },
                 [&](const Cancel&) { os << "Cancel"; },
                 [&](const CallEnded&) { os << "CallEnded"; },
             },
             event);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Effect& effect) {
  std::visit(Overloaded{
                 [&](const RequestDevices& e) {
                   os << "RequestDevices{#" << e.request << ", audio=" << e.audio << ", video=" << e.video << '}';
                 },
                 [&](const UseStream& e) { os << "UseStream{audio=" << e.audio << ", video=" << e.video << '}'; },
                 [&](const CloseStream&) { os << "CloseStream"; },
                 [&](const SendJoin& e) {
                   os << "SendJoin{room " << e.room << ", \"" << e.password << "\", audio=" << e.audio
                      << ", video=" << e.video << '}';
                 },
                 [&](const Admitted& e) { os << "Admitted{\"" << e.note << "\"}"; },
                 [&](const SendLeave&) { os << "SendLeave"; },
                 [&](const ReleaseDevices&) { os << "ReleaseDevices"; },
                 [&](const Log& e) { os << "Log{\"" << e.text << "\"}"; },
             },
             effect);
  return os;
}

Effects Machine::handle(const Event& event) {
  Effects out;
  std::visit([&](const auto& e) { on(e, out); }, event);
  return out;
}

void Machine::on(const PageOpened& e, Effects&) { secure_ = e.secure; }

void Machine::on(const LobbyShown&, Effects& out) { request_devices(out); }

void Machine::request_devices(Effects& out) {
  if (devices_ != Devices::Idle) return;
  devices_ = Devices::Requesting;
  note_ = {};
  audio_only_retry_ = false;
  if (!secure_) {
    // Nothing to ask: the browser offers no camera or microphone to an insecure page.
    note_ = {ui_text::Id::NoDevicesInsecure, {}};
    settle(false, false, out);
    return;
  }
  out.push_back(RequestDevices{true, true, ++request_});
}

void Machine::on(const MediaOpened& e, Effects& out) {
  if (e.request != request_ || devices_ != Devices::Requesting) {
    out.push_back(CloseStream{});  // a late answer to a request we gave up on
    return;
  }
  out.push_back(UseStream{e.audio, e.video});
  if (!e.video) note_ = {ui_text::Id::NoCameraAudioOnly, {}};
  else if (!e.audio) note_ = {ui_text::Id::NoMicVideoOnly, {}};
  settle(e.audio, e.video, out);
}

void Machine::on(const MediaFailed& e, Effects& out) {
  if (e.request != request_ || devices_ != Devices::Requesting) return;
  // Denied is final; a missing or busy camera may still leave a microphone.
  if (!audio_only_retry_ && e.name != "NotAllowedError" && e.name != "NotSupported") {
    audio_only_retry_ = true;
    out.push_back(RequestDevices{true, false, ++request_});
    return;
  }
  note_ = {ui_text::Id::DevicesUnavailable, {e.name + (e.message.empty() ? "" : ": " + e.message)}};
  settle(false, false, out);
}

void Machine::settle(bool audio, bool video, Effects& out) {
  devices_ = Devices::Settled;
  audio_ = audio;
  video_ = video;
  if (stage_ == Stage::AcquiringMedia) send_join(out);
}

void Machine::send_join(Effects& out) {
  stage_ = Stage::WaitingForServer;
  if (abandoned_ && socket_open_) {  // the answer to the one given up on comes first
    held_ = true;
    join_sent_on_ = socket_;
    return;
  }
  held_ = false;
  join_sent_on_ = socket_open_ ? socket_ : -1;  // not sent: the next welcome sends it
  out.push_back(SendJoin{room_, password_, audio_, video_});
}

// The answer to the join given up on has come: the held join (if any) goes out now.
void Machine::abandoned_answered(Effects& out) {
  abandoned_ = false;
  if (held_ && stage_ == Stage::WaitingForServer) send_join(out);
  held_ = false;
}

void Machine::on(const StartJoin& e, Effects& out) {
  if (stage_ != Stage::None) {
    out.push_back(Log{"ignored a join of room " + std::to_string(e.room) + " while one is on its way"});
    return;
  }
  room_ = e.room;
  password_ = e.password;
  stage_ = Stage::AcquiringMedia;
  if (devices_ == Devices::Settled) send_join(out);
  else request_devices(out);  // joins when the devices are settled
}

void Machine::on(const SocketOpening&, Effects&) {
  ++socket_;
  socket_open_ = false;
  abandoned_ = false;  // its answer would have come on the old socket
  if (held_) {
    held_ = false;
    join_sent_on_ = -1;  // not sent: the next welcome sends it
  }
}

void Machine::on(const SocketOpened&, Effects&) { socket_open_ = true; }

void Machine::on(const SocketGone&, Effects&) { socket_open_ = false; }

void Machine::on(const Welcomed&, Effects& out) {
  // The socket dropped before the answer: ask again (the client id replaces a twin).
  if (stage_ == Stage::WaitingForServer && join_sent_on_ != socket_) send_join(out);
}

void Machine::on(const Joined&, Effects& out) {
  if (abandoned_) {  // the answer to the join given up on
    out.push_back(SendLeave{});
    abandoned_answered(out);
    return;
  }
  if (stage_ != Stage::WaitingForServer) {
    out.push_back(SendLeave{});  // a join we no longer want
    return;
  }
  stage_ = Stage::None;
  out.push_back(Admitted{note_});
}

void Machine::on(const JoinRefused&, Effects& out) {
  if (abandoned_) {
    out.push_back(Log{"a refusal of a join given up on; nothing ends"});
    abandoned_answered(out);
    return;
  }
  // The join on its way was refused: it is over (answered: a cancel now leaves nothing to wait for).
  // The app says why (the password prompt, or the lobby's banner with CallEnded).
  if (stage_ != Stage::WaitingForServer) return;
  stage_ = Stage::None;
  password_.clear();
}

void Machine::on(const Rejoin& e, Effects& out) {
  room_ = e.room;
  send_join(out);
}

void Machine::on(const Cancel&, Effects&) {
  if (stage_ == Stage::None) return;
  // Sent on this socket: its answer still comes (a joined is answered with leave).
  if (stage_ == Stage::WaitingForServer && !held_ && socket_open_ && join_sent_on_ == socket_) abandoned_ = true;
  stage_ = Stage::None;
  held_ = false;
  password_.clear();
}

void Machine::on(const CallEnded&, Effects& out) {
  out.push_back(ReleaseDevices{});
  devices_ = Devices::Idle;
  audio_ = video_ = false;
  stage_ = Stage::None;
  held_ = false;
  password_.clear();
}

}  // namespace moim::join_flow
