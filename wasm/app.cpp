#include "app.hpp"
#include "overloaded.hpp"

#include "browser/glue.hpp"
#include "browser/input.hpp"
#include "language.hpp"
#include "peer_link.hpp"
#include "room_search.hpp"
#include "side_panel.hpp"
#include "view_text.hpp"
#include "ui/renderer.hpp"
#include "ui/theme.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace moim {

namespace {

constexpr const char* kNameSetting = "moim.name";
constexpr const char* kHangulFontUrl = "fonts/hangul.ttf";
constexpr double kStatsIntervalMs = 1000;
}  // namespace

App::App()
    : files_(peers_, page_max_file_bytes(), [this](const proto::ClientMessage& m) { send(m); },
             [this](proto::Signal s) { feed_link(server_link::SignalToSend{std::move(s)}); }),  // numbered, as a mesh's
      link_(browser::client_id()) {
  lang_ = initial_language();
  use_language(lang_, false);
  fields_.set_value(ui::FieldId::Name, browser::load_setting(kNameSetting));
  devices_.start();  // the camera and microphone chosen on an earlier visit
  feed_join(join_flow::PageOpened{browser::media_supported()});
  emscripten_set_interval([](void* self) { static_cast<App*>(self)->tick(emscripten_get_now()); }, 500, this);
  feed_admin(room_admin::TokensStored{browser::load_settings_with_prefix(kOwnerTokenPrefix)});
  start_invite_routing();  // invite links: what the URL the page was opened at asks for
  now_ = emscripten_get_now();  // the link's connect timeout counts from now, not from the page's start
  feed_link(server_link::Start{});
  // Camera and microphone are asked for once the room list is shown (see frame()): their start-up
  // must not delay the first paint or the room list.
}

// ---- the server link (shared/server_link.hpp) ---------------------------------------------------

bool App::feed_link(const server_link::Event& event) {
  bool pass_on = false;
  for (const auto& effect : link_.handle(event, now_, emscripten_random())) {
    std::visit(Overloaded{
                   [&](const server_link::OpenSocket&) {
                     feed_join(join_flow::SocketOpening{});
                     if (!socket_.open(browser::socket_url())) {
                       error_ = {ui_text::Id::NoWebSocket, {}};
                       feed_link(server_link::SocketClosed{});  // tried again after the backoff
                     }
                   },
                   [&](const server_link::Send& e) { send(e.message); },
                   [&](const server_link::SendResume& e) {
                     if (!world_.call()) return;
                     const CallInfo& call = *world_.call();
                     send(proto::Resume{call.token, call.self.name, media_.mic_on(), media_.camera_on(), link_.client_id(),
                                        e.seen});
                   },
                   [&](const server_link::CloseSocket&) {
                     socket_.close();
                     feed_join(join_flow::SocketGone{});
                   },
                   [&](const server_link::AbandonSocket&) {
                     socket_.abandon();
                     feed_join(join_flow::SocketGone{});
                   },
                   [&](const server_link::ConnectionLost& e) {
                     feed_admin(room_admin::ConnectionLost{});
                     feed_invite(invite::ConnectionLost{});
                     feed_health(peer_health::Tick{false});  // no ICE restart can be sent until we are back
                     // The call goes on without the server (media is browser to browser): keep every
                     // connection and tile until the link takes the session back. Without one, a join
                     // in flight (WaitingForServer) is sent again after the next welcome.
                     if (e.call_kept && world_.call()) {
                       world_.disconnected();
                     } else {
                       world_.reset();
                       peers_.clear();
                     }
                   },
                   [&](const server_link::Rejoin& e) {
                     // Close every peer connection and join the same room again as a new peer, with the
                     // password typed for this call if it had one.
                     feed_machine(signaling::LeftRoom{});
                     apply_world(proto::Left{});
                     error_ = {};
                     feed_join(join_flow::Rejoin{e.room});
                   },
                   [&](const server_link::EndCall& e) {
                     end_call(e.message, e.room_gone ? invite::EndCause::RoomGone : invite::EndCause::Ended);
                   },
                   [&](const server_link::DropAwayPeers&) {
                     for (const proto::PeerId id : peers_.drop_away()) feed_machine(signaling::PeerDeparted{id});
                     frames_to_draw_ = std::max(frames_to_draw_, 2);
                   },
                   [&](const server_link::SignalsLost&) {
                     // A large room's numbered signals are its file links' only: its media needs no restart.
                     if (files_.signals_lost()) return;
                     std::vector<proto::PeerId> peers;
                     for (const auto& [id, session] : machine_.peers()) peers.push_back(id);
                     for (const proto::PeerId id : peers) feed_machine(signaling::IceRestartNeeded{id});
                   },
                   [&](const server_link::PassOn&) { pass_on = true; },
                   [&](const server_link::StatusChanged&) { frames_to_draw_ = std::max(frames_to_draw_, 2); },
                   [&](const server_link::Log& e) { std::printf("moim: %s\n", e.text.c_str()); },
               },
               effect);
  }
  return pass_on;
}

void App::tick(double now_ms) {
  now_ = std::max(now_, now_ms);
  if (world_.call() && speakers_.poll(now_)) invalidate();  // also when no frame is drawn (a hidden tab's call)
  if (devices_.poll_level(now_, meter_shown())) invalidate();
  feed_link(server_link::Tick{});
  feed_health(peer_health::Tick{can_signal()});
  files_.sync_peers();  // peers dropped on a timer (after a server restart) take their transfers
  files_.tick(now_);    // a large room's data links not up in time break
}

// ---- peer health and ICE servers (shared/peer_health.hpp, peer_link.hpp) --------------------------

bool App::can_signal() const {
  return link_.can_signal() && world_.welcomed() && !(world_.call() && world_.call()->media_reconnecting);
}

void App::feed_health(const peer_health::Event& event) {
  for (const auto& effect : health_.handle(event, now_)) {
    std::visit(Overloaded{
                   [&](const peer_health::RestartIce& e) {
                     if (media_.is_feed(e.peer)) return;  // a large room's person: the subscription restarts
                     const peer_health::PeerStatus* p = health_.peer(e.peer);
                     std::printf("moim: connection to peer %llu is %s; ICE restart\n", static_cast<unsigned long long>(e.peer),
                                 p ? std::string(signaling::to_string(p->connection)).c_str() : "gone");
                     feed_machine(signaling::IceRestartNeeded{e.peer});
                   },
                   [&](const peer_health::BecameUnreachable& e) {
                     std::printf("moim: peer %llu is unreachable (ICE restarts did not connect; %s TURN server); "
                                 "retrying every %.0f s\n",
                                 static_cast<unsigned long long>(e.peer), media_.ice().has_turn() ? "with a" : "no",
                                 peer_health::kBackgroundRetryMs / 1000);
                     frames_to_draw_ = std::max(frames_to_draw_, 2);
                   },
                   [&](const peer_health::ReachableAgain& e) {
                     std::printf("moim: peer %llu is reachable again\n", static_cast<unsigned long long>(e.peer));
                     frames_to_draw_ = std::max(frames_to_draw_, 2);
                   },
               },
               effect);
  }
}

void App::sync_ice() {
  const proto::IceConfig ice = world_.ice().value_or(proto::IceConfig{});
  if (ice == media_.ice()) return;
  std::printf("moim: ICE servers: %zu (%s TURN), policy %s\n", ice.servers.size(), ice.has_turn() ? "with" : "no",
              std::string(proto::to_string(ice.policy)).c_str());
  media_.set_ice(ice);
}

std::uint32_t App::max_name_chars() const {
  return world_.welcomed() ? world_.limits().max_name_chars : static_cast<std::uint32_t>(proto::kMaxNameChars);
}

proto::CheckedName App::checked_name() const {
  return proto::check_display_name(fields_.value(ui::FieldId::Name), max_name_chars());
}

void App::send(const proto::ClientMessage& msg) {
  if (!socket_.send(proto::encode(msg))) std::printf("moim: not connected; dropped %s\n", std::string(proto::type_name(msg)).c_str());
}

// ---- events -------------------------------------------------------------------------------------

void App::handle(const browser::Event& event) {
  // A transfer's bytes (web/glue/file_transfers.js), and a large room's data links (their channel's
  // events too: before the chat channel's).
  if (files_.handle(event, now_)) {
    invalidate();
    return;
  }
  if (peer_channels::is_channel_event(event)) {  // the chat/control channel: wasm/peer_channels.hpp
    if (auto ev = peer_channels::translate(peers_, event)) on_peer_channel(*ev);
    return;
  }
  if (auto outcome = screen_.handle(event)) {  // our screen capture (wasm/screen/)
    after_screen(*outcome);
    return;
  }
  if (auto notice = devices_.handle(event)) {  // the devices listed, a track switched (wasm/devices/)
    if (!notice->empty()) error_ = std::move(*notice);
    invalidate();
    return;
  }
  std::visit(
      Overloaded{
          [&](const browser::SocketOpened&) {
            feed_join(join_flow::SocketOpened{});
            feed_link(server_link::SocketOpened{});
          },
          [&](const browser::SocketMessage& e) {
            feed_link(server_link::FrameReceived{});  // a sign of life, whatever it holds
            if (e.binary) {
              std::printf("moim: ignored a binary frame from the server\n");
              return;
            }
            on_socket_message(e.text);
          },
          [&](const browser::SocketClosed& e) {
            std::printf("moim: connection closed (%d %s)\n", e.code, e.reason.c_str());
            feed_join(join_flow::SocketGone{});
            feed_link(server_link::SocketClosed{});
          },
          [&](const browser::PageHide&) { feed_link(server_link::PageHidden{}); },
          [&](const browser::MediaOpened& e) {
            opened_devices_ = {e.camera, e.mic};  // for the devices' part, if the join flow keeps the stream
            feed_join(join_flow::MediaOpened{e.request, e.audio, e.video}, e.stream);
          },
          [&](const browser::MediaFailed& e) { feed_join(join_flow::MediaFailed{e.request, e.name, e.message}); },
          [&](const browser::TextInput& e) {
            fields_.on_input(e.value);
            if (fields_.focused() == ui::FieldId::Name) browser::save_setting(kNameSetting, e.value);
            admin_typed(fields_.focused());
          },
          [&](const browser::TextKey& e) {
            const auto field = fields_.focused();
            const bool in_create = field == ui::FieldId::RoomName || field == ui::FieldId::RoomPassword;
            if (e.key == "Enter" && in_create) apply(ui::ConfirmCreateRoom{});
            else if (e.key == "Escape" && in_create) apply(ui::CancelCreateRoom{});
            else if (e.key == "Enter" && field == ui::FieldId::JoinPassword) apply(ui::ConfirmPassword{});
            else if (e.key == "Escape" && field == ui::FieldId::JoinPassword) apply(ui::CancelPassword{});
            else if (e.key == "Enter" && field == ui::FieldId::RenameName) apply(ui::ConfirmRename{});
            else if (e.key == "Escape" && field == ui::FieldId::RenameName) apply(ui::CancelRename{});
            else if (e.key == "Enter" && field == ui::FieldId::Name && name_prompt_room_ != 0) apply(ui::ConfirmInviteName{});
            else if (e.key == "Escape" && field == ui::FieldId::Name && name_prompt_room_ != 0) apply(ui::CancelInviteName{});
            else if (e.key == "Escape" && field == ui::FieldId::InviteLink) apply(ui::CloseInvitePanel{});
            else if (e.key == "Enter" && field == ui::FieldId::ChatInput) apply(ui::SendChat{});  // not while composing: the glue
            else fields_.blur();
          },
          [&](const browser::TextBlur&) { fields_.overlay_closed(); },
          [&](const browser::FontLoaded& e) {
            if (e.url == kHangulFontUrl) hangul_font_ = e.bytes;
          },
          [&](const browser::FontFailed& e) {
            std::printf("moim: font %s failed: %s\n", e.url.c_str(), e.why.c_str());
            hangul_failed_ = true;
          },
          [&](const browser::UrlChanged& e) {  // Back, Forward, an edited address
            feed_invite(invite::Navigated{invite::parse_hash(e.hash), e.above_lobby});
          },
          [&](const browser::ClipboardWritten& e) { on_clipboard(e); },
          [&](const auto& other) {
            // Everything else concerns a peer connection.
            const auto ev = media_.translate(browser::Event{other});
            if (!ev) return;
            if (const auto* step = std::get_if<signaling::Event>(&*ev)) {
              feed_machine(*step);
              return;
            }
            const auto& changed = std::get<peer_health::StateChanged>(*ev);
            feed_health(changed);
            if (changed.state == signaling::ConnectionState::Connected) metrics_.mark(&JoinTiming::ice_connected, now_);
          },
      },
      event);
}

void App::on_socket_message(const std::string& text) {
  // Server messages are untrusted input too: a bad one is logged and ignored.
  auto decoded = proto::decode_server(text);
  if (!decoded.ok()) {
    std::printf("moim: ignored a bad server message (%s): %s\n", std::string(proto::to_string(decoded.error.code)).c_str(),
                decoded.error.message.c_str());
    return;
  }
  on_server_message(*decoded.message);
}

void App::on_server_message(const proto::ServerMessage& msg) {
  // The link's first (pong, resumed, the answers to its hello, resume and farewell, the second tab);
  // what it passes on, and every other message, is the rest of the app's.
  if (const auto* e = std::get_if<proto::Error>(&msg))  // every one, the link's too (tests read these lines)
    std::printf("moim: server error %s (%s): %s\n", std::string(proto::to_string(e->code)).c_str(), e->request.c_str(),
                e->message.c_str());
  if (auto ev = server_link::to_event(msg); ev && !feed_link(*ev)) return;
  if (const auto* e = std::get_if<proto::Error>(&msg)) {
    on_server_error(*e);
    return;
  }
  if (const auto* removed = std::get_if<proto::RoomRemoved>(&msg)) {
    if (name_prompt_room_ == removed->room) cancel_link_join();
    feed_invite(invite::JoinFailed{removed->room, invite::JoinFailure::RoomGone});  // a link's join, if one waits
  }
  // Room administration: the dialogs and the owner tokens (storage is read again at each welcome).
  if (const auto* welcome = std::get_if<proto::Welcome>(&msg))
    feed_admin(room_admin::Welcomed{welcome->rooms, browser::load_settings_with_prefix(kOwnerTokenPrefix)});
  else if (auto ev = room_admin::to_event(msg))
    feed_admin(*ev);
  if (const auto* left = std::get_if<proto::Left>(&msg); left && left->reason == proto::LeftReason::RoomDeleted) {
    end_call({ui_text::Id::RoomDeleted, {}}, invite::EndCause::RoomGone);
    return;
  }
  if (std::holds_alternative<proto::Left>(msg) && world_.call()) {
    end_call({});  // the server ended our call (we did not ask: ours ended the call already)
    return;
  }
  if (std::holds_alternative<proto::Joined>(msg)) {
    if (world_.call()) {
      std::printf("moim: ignored a joined while in a call\n");  // nonsense from the server
      return;
    }
    if (!feed_join(join_flow::Joined{})) return;  // a join we no longer want: answered with leave
    metrics_.mark(&JoinTiming::socket_joined, now_);
  }
  if (const auto* relayed = std::get_if<proto::RelayedSignal>(&msg); relayed && relayed->signal.kind == proto::SignalKind::Answer)
    metrics_.mark(&JoinTiming::answer_received, now_);
  // A large room's subscription offer says whose media each m-line carries: kept for when it is applied.
  if (const auto* m = std::get_if<proto::RelayedMediaSignal>(&msg);
      m && m->signal.link == proto::MediaLink::Subscribe && m->signal.kind == proto::SignalKind::Offer)
    media_.subscription_offered(m->signal.sdp, m->signal.streams);
  apply_world(msg);
  // A large room's chat, through the server (wasm/server_channel.hpp): as if from a data channel.
  if (const auto* m = std::get_if<proto::RelayedPeerMessage>(&msg))
    if (auto ev = server_channel::translate(peers_, world_.call() && world_.call()->room.mode == proto::RoomMode::Sfu, *m))
      on_peer_channel(*ev);
  if (const auto* joined = std::get_if<proto::PeerJoined>(&msg)) chat_.peer_joined(joined->peer.id, joined->resumed);
  if (std::holds_alternative<proto::IceConfig>(msg)) sync_ice();  // also to the connections we have
  if (std::holds_alternative<proto::Resumed>(msg)) layer_wishes_.reset();  // one may have died with the socket
  // A large room has no connections between people: a person's signal is for a file transfer's data link.
  const auto* person_signal = std::get_if<proto::RelayedSignal>(&msg);
  if (!person_signal || !files_.link_signal(person_signal->signal))
    if (auto ev = signaling::to_event(msg)) feed_machine(*ev);
  // A large room: someone offered before their record was there gets a feed, one who left loses it.
  if (std::holds_alternative<proto::PeerJoined>(msg) || std::holds_alternative<proto::PeerLeft>(msg)) sync_feeds();
  if (std::holds_alternative<proto::Joined>(msg) && world_.call()) {
    feed_link(server_link::CallJoined{world_.call()->room.id});
    feed_invite(invite::Joined{world_.call()->room.id});
  }
  if (std::holds_alternative<proto::Welcome>(msg)) {
    // The link has said what it had to (a farewell, a resume) before anything else goes out.
    feed_join(join_flow::Welcomed{});  // a join the socket dropped before its answer goes out again
    feed_invite(invite::Welcomed{});  // a room the URL asks for is joined now
  }
}

void App::on_server_error(const proto::Error& e) {
  // The join flow hears of every refusal of a join first. One of a join given up on (cancelled after
  // it went out) ends nothing now: neither the join that waited for it nor a password prompt opened
  // since (shared/join_flow.hpp, Cancel).
  if (e.request == "join") {
    const bool stale = join_.abandoned_answer_due();
    feed_join(join_flow::JoinRefused{});
    if (stale) return;
  }
  // The dialogs' first: create-room, rename-room, delete-room, and a join with its password prompt.
  // The person reads the code's words in their language (shared/ui_text.hpp), never the server's
  // English sentence (logged above).
  if (!feed_admin(room_admin::ErrorReceived{e.request, e.code, join_.room()})) return;
  if (e.request == "join") {
    const bool gone = e.code == proto::ErrorCode::RoomNotFound;
    end_call({ui_text::error_text(e.code), {}}, gone ? invite::EndCause::RoomGone : invite::EndCause::Ended);
    feed_invite(invite::JoinFailed{join_.room(), gone ? invite::JoinFailure::RoomGone : invite::JoinFailure::Refused});
    return;
  }
  // A large room: the media server lost our negotiation and the server started our media over.
  if (e.code == proto::ErrorCode::MediaFailed && machine_.mode() == signaling::Mode::Sfu) {
    feed_machine(signaling::MediaReset{});
    return;
  }
  if (proto::classify(e.code) == proto::ErrorClass::User) error_ = {ui_text::error_text(e.code), {}};
}

bool App::feed_join(const join_flow::Event& event, browser::Handle stream) {
  bool admitted = false;
  for (const auto& effect : join_.handle(event)) {
    std::visit(Overloaded{
                   [&](const join_flow::RequestDevices& e) {
                     media_.request_devices(e.request, e.audio, e.video, devices_.wanted(device_choice::Kind::Camera),
                                            devices_.wanted(device_choice::Kind::Mic));
                   },
                   [&](const join_flow::UseStream& e) {
                     media_.adopt_local_stream(stream, e.audio, e.video);
                     devices_.stream_opened(e.video ? opened_devices_.first : "", e.audio ? opened_devices_.second : "");
                   },
                   [&](const join_flow::CloseStream&) { browser::close_media(stream); },
                   [&](const join_flow::SendJoin& e) {
                     metrics_.mark(&JoinTiming::media_ready, now_);
                     const proto::CheckedName name = checked_name();  // checked at the click; edited since, the server says why
                     // Microphone and camera as the person set them before joining.
                     send(proto::Join{e.room, name.ok() ? name.name : std::string(), e.audio && media_.mic_on(),
                                      e.video && media_.camera_on(), e.password, link_.client_id()});
                   },
                   [&](const join_flow::Admitted& e) {
                     feed_admin(room_admin::Admitted{});  // the password prompt's work is done (the join flow keeps the password)
                     error_ = e.note;
                     admitted = true;
                   },
                   [&](const join_flow::SendLeave&) { send(proto::Leave{}); },
                   [&](const join_flow::ReleaseDevices&) {
                     media_.release_local();
                     devices_.stream_closed();
                   },
                   [&](const join_flow::Log& e) { std::printf("moim: %s\n", e.text.c_str()); },
               },
               effect);
  }
  return admitted;
}

void App::feed_machine(const signaling::Event& event) {
  const auto effects = machine_.handle(event);
  sync_ice();  // new connections get the current ICE servers
  // A large room's subscription closing takes everyone's feed with it: peer health hears so (the
  // links' list: the peer table may be cleared already, by a `left`).
  std::vector<proto::PeerId> feeds_closing;
  for (const auto& effect : effects)
    if (const auto* c = std::get_if<signaling::ClosePeerConnection>(&effect); c && c->peer == signaling::kSubscribeLink)
      feeds_closing = media_.feeds();
  for (auto& signal : media_.execute(effects)) {
    if (signal.kind == proto::SignalKind::Offer) metrics_.mark(&JoinTiming::offer_sent, now_);
    if (auto media = signaling::to_media_signal(signal)) send(proto::SendMediaSignal{std::move(*media)});  // to Janus
    else feed_link(server_link::SignalToSend{std::move(signal)});  // numbered, kept until the server has it
  }
  for (const auto& effect : effects)  // a large room's subscription: only the media server can offer it
    if (std::holds_alternative<signaling::RequestIceRestart>(effect)) send(proto::RestartMedia{});
    else if (std::holds_alternative<signaling::RequestMediaStartOver>(effect)) send(proto::RestartMedia{.fresh = true});
  // Peer health follows every connection's life (and its state: handle()).
  std::vector<proto::PeerId> not_made, owe_offer;
  for (const auto& effect : effects) {
    if (const auto* c = std::get_if<signaling::CreatePeerConnection>(&effect)) {
      feed_health(peer_health::ConnectionCreated{c->peer});
      // A new subscription (a new call, Janus or server restarted): the layers are told afresh.
      if (c->peer == signaling::kSubscribeLink) layer_wishes_.reset();
      if (!media_.has_connection(c->peer)) not_made.push_back(c->peer);
      // Our screen went on the new connection; the newcomer's offer has no line for it: we offer after answering.
      else if (!c->offerer && media_.screen()) owe_offer.push_back(c->peer);
    }
    if (const auto* c = std::get_if<signaling::ClosePeerConnection>(&effect)) feed_health(peer_health::ConnectionClosed{c->peer});
  }
  for (const proto::PeerId peer : feeds_closing) feed_health(peer_health::ConnectionClosed{peer});
  // A connection the table did not take (the peer is not in the call's list, or the browser could
  // not make one) is the machine's browser failure: it closes it, and peer health hears so.
  for (const proto::PeerId peer : not_made)
    feed_machine(signaling::BrowserOperationFailed{peer, "no peer connection was made"});
  for (const proto::PeerId peer : owe_offer) feed_machine(signaling::NegotiationNeeded{peer});
  // A large room: the subscription's offer applied, everyone's feed follows it.
  if (const auto* applied = std::get_if<signaling::RemoteDescriptionApplied>(&event); applied && applied->peer == signaling::kSubscribeLink) {
    media_.subscription_applied();
    sync_feeds();
  }
}

void App::sync_feeds() {
  if (machine_.mode() != signaling::Mode::Sfu || !world_.call()) return;
  const sfu_feeds::Change change = media_.sync_feeds(world_.call()->self.id);
  for (const proto::PeerId peer : change.drop) feed_health(peer_health::ConnectionClosed{peer});
  for (const auto& [peer, mids] : change.make) feed_health(peer_health::ConnectionCreated{peer});
  if (!change.make.empty() || !change.drop.empty()) invalidate();
}

void App::after_screen(const CallScreen::Outcome& outcome) {
  for (const proto::PeerId peer : outcome.renegotiate) feed_machine(signaling::NegotiationNeeded{peer});
  if (!outcome.notice.empty()) error_ = outcome.notice;
  invalidate();
}

void App::on_peer_channel(const peer_channels::Event& event) {
  std::visit(Overloaded{
                 [&](const peer_channels::Opened& e) { chat_.channel_opened(e.peer); },
                 [&](const peer_channels::Closed& e) { files_.peer_gone(e.peer); },
                 [&](const peer_channels::Said& e) {
                   if (const auto* view = std::get_if<p2p::View>(&e.message)) encodings_.peer_view(e.peer, *view);
                   else if (!files_.from_peer(e.peer, e.message, now_)) chat_.received(e.peer, e.name, e.message);
                 },
             },
             event);
  invalidate();
}

void App::apply_world(const proto::ServerMessage& msg) {
  // A peer who leaves takes its transfers with it; the end of the call, every transfer.
  if (const auto* left = std::get_if<proto::PeerLeft>(&msg)) files_.peer_gone(left->peer);
  if (std::holds_alternative<proto::Left>(msg)) files_.call_ended();
  world_.apply(msg);
  peers_.apply(msg, world_.call());  // after the world: the table checks the message against the call
  chat_.follow(world_.call());
  files_.follow(world_.call(), world_.ice().value_or(proto::IceConfig{}));
}

void App::on_key(const shortcuts::KeyPress& key) {
  const shortcuts::Context context{.in_call = world_.call().has_value(),
                                   .typing = fields_.focused() != ui::FieldId::None,
                                   .modal = modal_open(),
                                   .help_open = shortcuts_help_};
  const auto action = shortcuts::action_for(key, context);
  if (!action) return;
  switch (*action) {
    case shortcuts::Action::ToggleMic: apply(ui::ToggleMic{}); break;
    case shortcuts::Action::ToggleCamera: apply(ui::ToggleCamera{}); break;
    case shortcuts::Action::ToggleShare: apply(ui::ToggleScreenShare{}); break;
    case shortcuts::Action::ToggleChat: apply(ui::ToggleChat{}); break;
    case shortcuts::Action::ToggleHelp: apply(ui::ToggleShortcutsHelp{}); break;
    case shortcuts::Action::CloseHelp: apply(ui::CloseShortcutsHelp{}); break;
  }
  invalidate();
}

void App::end_call(ui_text::Message error, invite::EndCause cause) {
  // Also when the call is already gone from world_ (a lost session whose rejoin was refused).
  if (router_.in_call() != 0) feed_invite(invite::CallEnded{cause});
  reset_invite_copy();
  feed_machine(signaling::LeftRoom{});
  screen_.call_ended();  // our capture stops
  speakers_.call_ended();
  layout_.call_ended();
  encodings_.call_ended();
  shortcuts_help_ = false;
  feed_join(join_flow::CallEnded{});  // the devices are released, no join, no password
  apply_world(proto::Left{});  // every peer's record goes, and any connection left with it
  feed_link(server_link::CallEnded{});
  error_ = std::move(error);
}

void App::start_join(proto::RoomId room, std::string password) {
  error_ = {};
  fields_.blur();
  metrics_.join_clicked(room, now_);
  feed_join(join_flow::StartJoin{room, std::move(password)});  // at once, or when the devices are settled
}

std::optional<std::string> App::valid_name() {
  proto::CheckedName checked = checked_name();
  if (!checked.ok()) {
    error_ = view_text::name_fault(checked.fault, max_name_chars(), view_text::NameSubject::Person);
    fields_.focus(ui::FieldId::Name);
    return std::nullopt;
  }
  return std::move(checked.name);
}

// ---- intents ------------------------------------------------------------------------------------

// Every intent, each routed to its part: the app's own, room administration's (the create, rename
// and delete dialogs, the password prompt: shared/room_admin.hpp), the invite links' (app_invite.cpp).
void App::apply(const ui::Intent& intent) {
  std::visit(
      Overloaded{
          [&](const ui::FocusField& i) { fields_.focus(i.field); },
          [&](const ui::JoinRoom& i) {
            if (join_.joining() || world_.call()) return;
            if (!valid_name()) return;
            const proto::RoomInfo* room = world_.room(i.room);
            if (!room) return;
            if (room->participants >= room->capacity) {
              error_ = {ui_text::Id::RoomFullCount,
                        {room->name, std::to_string(room->participants), std::to_string(room->capacity)}};
              return;
            }
            if (room->locked) {  // asks for the password first (ConfirmPassword joins)
              error_ = {};
              feed_admin(room_admin::OpenPrompt{i.room});
              return;
            }
            start_join(i.room, "");
          },
          [&](const ui::LeaveCall&) {
            // `leave` now, or the farewell once the link is back (the others must not see a frozen tile).
            if (const auto& call = world_.call())
              feed_link(server_link::LeaveCall{call->room.id, call->token, call->self.name});
            end_call({});
          },
          [&](const ui::ToggleMic&) {
            if (!media_.has_local_audio()) return;
            media_.set_mic(!media_.mic_on());  // before joining too: the call starts that way
            if (world_.call()) send(proto::SetMedia{media_.mic_on(), media_.camera_on()});
          },
          [&](const ui::ToggleCamera&) {
            if (!media_.has_local_video()) return;
            media_.set_camera(!media_.camera_on());
            if (world_.call()) send(proto::SetMedia{media_.mic_on(), media_.camera_on()});
          },
          [&](const ui::DismissError&) { error_ = {}; },
          [&](const ui::ToggleLanguage&) { toggle_language(); },
          [&](const ui::ToggleChat&) { toggle_side_panel(SidePanel::Chat, {chat_, people_, stats_, devices_}, fields_); },
          [&](const ui::TogglePeople&) { toggle_side_panel(SidePanel::People, {chat_, people_, stats_, devices_}, fields_); },
          [&](const ui::ToggleStats&) { toggle_side_panel(SidePanel::Stats, {chat_, people_, stats_, devices_}, fields_); },
          [&](const ui::ToggleDevices&) { toggle_side_panel(SidePanel::Devices, {chat_, people_, stats_, devices_}, fields_); },
          [&](const ui::ChooseDevice& i) {
            ui_text::Message notice = devices_.choose(i.mic ? device_choice::Kind::Mic : device_choice::Kind::Camera, i.index);
            if (!notice.empty()) error_ = std::move(notice);
          },
          [&](const ui::ToggleScreenShare&) {
            if (world_.call()) after_screen(screen_.toggle());
          },
          [&](const ui::ShowScreen& i) { screen_.show(i.self ? 0 : i.peer); },
          [&](const ui::ToggleShortcutsHelp&) { shortcuts_help_ = !shortcuts_help_; },
          [&](const ui::CloseShortcutsHelp&) { shortcuts_help_ = false; },
          [&](const ui::EnableSound&) { media_.resume_sound(); },
          [&](const ui::ToggleLayout&) { layout_.toggle_view(); },
          [&](const ui::ShowGridPage& e) { layout_.show_grid_page(e.page); },
          [&](const ui::ToggleMore&) { layout_.toggle_more(); },
          [&](const ui::PickFiles& i) {
            if (world_.call()) files_.pick(i.peer);
          },
          [&](const ui::AcceptFile& i) { files_.accept(i.id, now_); },
          [&](const ui::DeclineFile& i) { files_.decline(i.id); },
          [&](const ui::CancelFile& i) { files_.cancel(i.id); },
          [&](const ui::SaveFile& i) { files_.save(i.id); },
          [&](const ui::DismissFile& i) { files_.dismiss(i.id); },
          [&](const ui::SendChat&) {
            // Refused text stays in the field; the panel's note says why (CallChat::model).
            if (chat_.send(fields_.value(ui::FieldId::ChatInput)) == p2p::ChatTextFault::None)
              fields_.replace(ui::FieldId::ChatInput, "");
          },
          // Room administration, with what the dialogs' fields hold.
          [&](const ui::OpenCreateDialog&) { feed_admin(room_admin::OpenCreate{}); },
          [&](const ui::SetCapacity& i) { feed_admin(room_admin::SetCapacity{i.capacity}); },
          [&](const ui::ConfirmCreateRoom&) {
            feed_admin(room_admin::ConfirmCreate{fields_.value(ui::FieldId::RoomName), fields_.value(ui::FieldId::RoomPassword)});
          },
          [&](const ui::CancelCreateRoom&) { feed_admin(room_admin::CancelCreate{}); },
          [&](const ui::ConfirmPassword&) {
            feed_admin(room_admin::ConfirmPassword{fields_.value(ui::FieldId::JoinPassword), checked_name().ok(), join_.joining()});
          },
          [&](const ui::CancelPassword&) { feed_admin(room_admin::CancelPassword{}); },
          // A link's name prompt is a dialog too: the owner's dialogs wait for it to close.
          [&](const ui::OpenRename& i) {
            if (name_prompt_room_ == 0) feed_admin(room_admin::OpenRename{i.room});
          },
          [&](const ui::ConfirmRename&) { feed_admin(room_admin::ConfirmRename{fields_.value(ui::FieldId::RenameName)}); },
          [&](const ui::CancelRename&) { feed_admin(room_admin::CancelRename{}); },
          [&](const ui::OpenDelete& i) {
            if (name_prompt_room_ == 0) feed_admin(room_admin::OpenDelete{i.room});
          },
          [&](const ui::ConfirmDelete&) { feed_admin(room_admin::ConfirmDelete{}); },
          [&](const ui::CancelDelete&) { feed_admin(room_admin::CancelDelete{}); },
          // Invite links.
          [&](const ui::CopyInviteLink&) { copy_invite_link(); },
          [&](const ui::CloseInvitePanel&) { close_invite_panel(); },
          [&](const ui::ConfirmInviteName&) { confirm_invite_name(); },
          [&](const ui::CancelInviteName&) { cancel_invite_name(); },
      },
      intent);
}

// ---- frame --------------------------------------------------------------------------------------

void App::update_fonts() {
  const float dpr = static_cast<float>(emscripten_get_device_pixel_ratio());
  bool rebuild = dpr != dpr_;
  if (fonts_lang_ != lang_) {
    // The UI's words in this language are in the atlas before the frame that shows them: no box
    // while a font loads (the Hangul of the catalogs is embedded).
    glyphs_.set_ui_characters(ui_text::characters(lang_));
    fonts_lang_ = lang_;
    rebuild = true;
  }
  if (glyphs_.has_new()) {
    if (!glyphs_.pending_needs_fallback() || !hangul_font_.empty() || hangul_failed_) {
      rebuild = true;
    } else if (!hangul_requested_) {
      hangul_requested_ = true;  // first Hangul the embedded fonts lack: fetch the font once, now
      browser::fetch_font(kHangulFontUrl);
    }
  }
  if (!rebuild) return;
  const bool can_commit = !glyphs_.pending_needs_fallback() || !hangul_font_.empty() || hangul_failed_;
  const auto extra = can_commit ? glyphs_.commit() : glyphs_.committed_ranges();
  ui::build_fonts(dpr, glyphs_.ui_ranges(), extra, hangul_font_.empty() ? nullptr : &hangul_font_);
  ui::renderer_rebuild_font_texture();
  dpr_ = dpr;
}

void App::toggle_language() {
  lang_ = lang_ == ui_text::Lang::Ko ? ui_text::Lang::En : ui_text::Lang::Ko;
  use_language(lang_, true);
  invalidate();  // every word changes at the next frame (the atlas first: update_fonts)
}

bool App::frame(double now_ms) {
  const double dt = last_frame_ > 0 ? (now_ms - last_frame_) / 1000.0 : 1.0 / 60.0;
  last_frame_ = now_ms;
  now_ = std::max(now_, now_ms);

  pump();

  tick(now_ms);
  if (world_.call() && now_ >= next_stats_at_) {
    media_.request_stats();
    next_stats_at_ = now_ + kStatsIntervalMs;
  }
  for (const auto& key : browser::take_key_presses()) on_key(key);
  if (browser::take_escape_pressed() && modal_open()) {
    close_admin_dialogs();
    if (name_prompt_room_ != 0) apply(ui::CancelInviteName{});
    frames_to_draw_ = std::max(frames_to_draw_, 2);
  }

  if (browser::input_pending()) frames_to_draw_ = std::max(frames_to_draw_, 3);
  const browser::VideoFrames waiting = world_.call() ? browser::video_frames_waiting() : browser::VideoFrames::None;
  const bool video = waiting != browser::VideoFrames::None;
  // A video's first frame replaces its placeholder: drawn at once, like any other change. Later
  // video frames only as often as the page can afford (shared/frame_pacing.hpp).
  const bool ui = frames_to_draw_ > 0 || now_ >= redraw_at_ || waiting == browser::VideoFrames::FirstWaiting;
  // Connections being set up (our join, a peer not connected or not shown yet): video frames give
  // way to the offers, answers and candidates while drawing is expensive.
  const bool settling = video && (join_.joining() || (world_.call() && peers_settling(peers_, health_)));
  if (!pacer_.frame(now_, ui, video, settling)) return false;
  frames_to_draw_ = std::max(0, frames_to_draw_ - 1);
  redraw_at_ = now_ + 1000;  // at least once a second (countdowns, connection status)

  update_fonts();
  const double cost_start = emscripten_get_now();
  const double convert_ms = browser::take_convert_ms();
  screen_.preview().update();
  if (media_.upload_frames()) {
    metrics_.mark(&JoinTiming::first_frame, now_);
    metrics_.mark_latest(&JoinTiming::last_frame, now_);
  }
  const double upload_ms = emscripten_get_now() - cost_start;

  ImGuiIO& io = ImGui::GetIO();
  io.DeltaTime = static_cast<float>(std::clamp(dt, 0.001, 0.5));
  browser::feed_imgui_input();
  ImGui::NewFrame();
  ui::FrameOut out = draw();
  ImGui::Render();
  int fb_w = 0, fb_h = 0;
  emscripten_get_canvas_element_size("#canvas", &fb_w, &fb_h);
  ui::renderer_draw(ImGui::GetDrawData(), fb_w, fb_h);
  metrics_.frame_cost(emscripten_get_now() - cost_start + convert_ms, upload_ms + convert_ms, convert_ms,
                      world_.call() ? static_cast<int>(peers_.listed()) + 1 : 0);

  for (const auto& intent : out.intents) apply(intent);
  if (!out.intents.empty()) frames_to_draw_ = std::max(frames_to_draw_, 2);
  fields_.sync_overlay(out, ui::fonts().body_px);
  last_widgets_ = std::move(out.widgets);
  last_texts_ = std::move(out.texts);
  chat_scrolled_up_ = out.chat_scrolled_up;
  tooltip_ = std::move(out.tooltip);
  if (io.DisplaySize.x > 0) fit_videos(static_cast<float>(fb_w) / io.DisplaySize.x);

  static bool shown = false;
  if (!shown) {
    browser::hide_loading();
    shown = true;
    metrics_.first_frame(emscripten_get_now());
  }
  if (world_.welcomed() && !world_.call() && !room_list_shown_) {
    room_list_shown_ = true;
    metrics_.room_list_shown(emscripten_get_now());
    feed_join(join_flow::LobbyShown{});  // devices now that the lobby is complete (the camera's start-up is not free)
  }
  return true;
}

double App::next_frame_at(std::optional<browser::VideoFrames> video) const {
  if (frames_to_draw_ > 0 || browser::input_pending()) return 0;
  const double at = std::min(redraw_at_, devices_.next_poll_at().value_or(redraw_at_));  // the level meter's reading
  if (!world_.call()) return at;
  switch (video ? *video : browser::video_frames_waiting()) {
    case browser::VideoFrames::FirstWaiting: return 0;
    case browser::VideoFrames::Waiting: return std::min(at, pacer_.next_video_at());
    case browser::VideoFrames::None: break;
  }
  return at;
}

void App::fit_videos(float device_px) {
  const DrawnVideos drawn = drawn_videos(last_widgets_, device_px);
  media_.show_drawn(drawn);
  if (drawn.own_screen) screen_.preview().fit(static_cast<int>(drawn.own_screen->width), static_cast<int>(drawn.own_screen->height));
  screen_.preview().set_drawn(drawn.own_screen.has_value());
  if (world_.call()) encodings_.drawn(drawn.cameras, now_);  // each peer's camera as drawn: told to that peer
  // A large room: the layer each tile needs (not while the socket is down: it would be dropped).
  if (world_.call() && machine_.mode() == signaling::Mode::Sfu && link_.connected() && world_.welcomed()) {
    const std::vector<proto::PeerId> feeds = media_.feeds();
    std::map<proto::PeerId, std::uint32_t> heights;
    for (const auto& [peer, view] : drawn.cameras) heights[peer] = view.height;
    if (auto layers = layer_wishes_.drawn({feeds.begin(), feeds.end()}, heights, now_)) send(std::move(*layers));
  }
}

void App::pump() {
  if (pumping_) return;  // an event posted while handling one is taken by the loop below
  pumping_ = true;
  now_ = std::max(now_, emscripten_get_now());
  while (!browser::inbox().empty()) {
    auto events = std::move(browser::inbox());
    browser::inbox().clear();
    for (const auto& e : events) handle(e);
    frames_to_draw_ = std::max(frames_to_draw_, 2);
  }
  files_.sync_peers();  // transfers with a peer whose connection went (however it went) end
  screen_.follow_peers();  // whose screens are shared, in the order they started
  encodings_.sync();       // the call's size changed, or a connection is new: its camera encoding
  pumping_ = false;
}

ui::FrameOut App::draw() {
  ui::FrameOut out;
  out.lang = lang_;
  out.glyphs = &glyphs_;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(display);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoScrollWithMouse |
                                 ImGuiWindowFlags_NoBackground;  // the renderer clears to the same colour
  ImGui::Begin("Moim", nullptr, flags);
  if (world_.call()) {
    ui::draw_call(out, call_model());
  } else {
    auto lobby = lobby_model();
    const auto rooms = world_.rooms();
    lobby.rooms = &rooms;
    ui::draw_lobby(out, lobby);
  }
  ImGui::End();
  return out;
}

// A text field as the UI draws it; the name fields take this server's limits once it has said them.
ui::FieldView App::field_view(ui::FieldId id, const char* widget) const {
  int limit = max_chars(id);
  if (id == ui::FieldId::Name) limit = static_cast<int>(max_name_chars());
  if (id == ui::FieldId::RoomName || id == ui::FieldId::RenameName) limit = static_cast<int>(room_admin::room_name_limit(world_));
  return ui::FieldView{id, widget, &fields_.value(id), placeholder(lang_, id), fields_.focused() == id, limit, is_password(id)};
}

ui::LobbyModel App::lobby_model() const {
  ui::LobbyModel m;
  m.name = field_view(ui::FieldId::Name, "name-input");
  m.filter = field_view(ui::FieldId::RoomFilter, "room-filter");
  m.connected = link_.connected() && world_.welcomed();
  m.status = view_text::link_status(lang_, link_.status().phase, link_.retry_at(), now_);
  m.error = ui_text::render(lang_, error_);
  m.joining = join_.joining();
  admin_models(m);
  m.name_prompt = name_prompt_model();
  if (m.name_prompt.open) m.name.focused = false;  // the prompt's field has the keyboard
  auto& preview = const_cast<CallMedia&>(media_).preview();
  if (preview.has_frame() && media_.camera_on()) {
    m.preview_texture = preview.texture();
    m.preview_w = preview.width();
    m.preview_h = preview.height();
  }
  m.preview_status = view_text::preview_status(lang_, join_.secure(), join_.devices(), media_.has_local_audio(),
                                               media_.has_local_video(), media_.camera_on());
  m.devices = devices_.model(lang_);
  return m;
}

ui::CallModel App::call_model() const {
  const CallInfo& call = *world_.call();
  ui::CallModel m;
  m.room = call.room;
  m.mic = media_.mic_on();
  m.camera = media_.camera_on();
  m.can_mic = media_.has_local_audio();
  m.can_camera = media_.has_local_video();
  m.error = ui_text::render(lang_, error_);
  m.status = view_text::call_status(lang_, link_.status().call_reconnecting, world_.call() && world_.call()->media_reconnecting);
  m.invite = invite_model();
  m.chat = chat_.model(lang_, field_view(ui::FieldId::ChatInput, "chat-input"));
  m.people = people_.model(lang_, world_.call(), media_.mic_on(), media_.camera_on());
  m.stats = stats_.model();
  m.devices = devices_.model(lang_);
  m.devices.open = devices_.panel_open();
  m.files = files_.model(lang_, now_);
  m.screens = screen_.model();
  m.shortcuts_help = shortcuts_help_;
  m.sound_blocked = media_.sound_blocked();
  m.speaker_view = layout_.speaker_view();
  m.grid_page = layout_.grid_page();
  m.more_open = layout_.more_open();
  m.active_speaker = speakers_.active();
  m.share = screen_.state() == screen_share::State::Sharing      ? ui::ShareButton::Stop
            : screen_.state() == screen_share::State::Requesting ? ui::ShareButton::Choosing
                                                                 : ui::ShareButton::Share;
  ui::TileModel self;
  self.id = call.self.id;
  self.name = call.self.name;
  self.self = true;
  self.mic = m.mic;
  self.camera = m.camera;
  auto& preview = const_cast<CallMedia&>(media_).preview();
  self.texture = preview.has_frame() ? preview.texture() : 0;
  self.video_w = preview.width();
  self.video_h = preview.height();
  // Peers away after a server restart keep their tile (and connection) until they are back or gone.
  for (const proto::PeerId id : view_text::tile_order(call.self.id, peers_)) {
    if (id == call.self.id) m.tiles.push_back(self);
    else if (const Peers::Peer* p = peers_.find(id)) {
      m.tiles.push_back(peer_tile(lang_, *p, health_, media_.ice().has_turn()));
      m.tiles.back().speaking = speakers_.speaking(id);
    }
  }
  return m;
}

// ---- test surface -------------------------------------------------------------------------------

std::string App::state_json() const {
  using nlohmann::json;
  json s = json::object();
  s["screen"] = world_.call() ? "call" : "lobby";
  s["language"] = ui_text::tag(lang_);
  s["name"] = fields_.value(ui::FieldId::Name);
  s["connected"] = link_.connected() && world_.welcomed();
  s["reconnecting"] = world_.call() && link_.status().call_reconnecting;
  s["mediaReconnecting"] = world_.call() && world_.call()->media_reconnecting;
  s["mediaSupported"] = join_.secure();
  json rooms = json::array();
  for (const auto& r : world_.rooms())
    rooms.push_back({{"id", r.id}, {"name", r.name}, {"participants", r.participants}, {"capacity", r.capacity},
                     {"locked", r.locked}, {"mode", proto::to_string(r.mode)}, {"owned", admin_.tokens().contains(r.id)},
                     {"shown", room_name_matches(r.name, fields_.value(ui::FieldId::RoomFilter))}});
  s["rooms"] = std::move(rooms);
  s["roomFilter"] = fields_.value(ui::FieldId::RoomFilter);
  if (const auto& call = world_.call()) {
    json peers = json::array();
    for (const Peers::Peer* p : peers_.in_order()) {
      peers.push_back(peer_state_json(lang_, *p, health_, media_.ice().has_turn()));
      peers.back()["speaking"] = speakers_.speaking(p->info.id);
      peers.back()["sending"] = encodings_.state_json(p->info.id);
      const auto layer = layer_wishes_.told(p->info.id);  // a large room: the layer asked for (null until told)
      peers.back()["layer"] = layer ? nlohmann::json(proto::to_string(*layer)) : nlohmann::json(nullptr);
    }
    s["room"] = {{"id", call->room.id},
                 {"name", call->room.name},
                 {"capacity", call->room.capacity},
                 {"self", {{"id", call->self.id}, {"name", call->self.name}, {"mic", media_.mic_on()}, {"camera", media_.camera_on()},
                           {"sharing", screen_.sharing()}, {"share", screen_share::to_string(screen_.state())}, {"screenShown", screen_.sharing() ? screen_.preview().frames_uploaded() : 0}}},
                 {"presenter", screen_.presenter_json()},
                 {"activeSpeaker", speakers_.active() ? json(*speakers_.active()) : json(nullptr)},
                 {"layout", !screen_.model().empty() ? "presenter" : layout_.speaker_view() && !peers_.in_order().empty() ? "speaker" : "grid"},
                 {"peers", std::move(peers)}};
  } else {
    s["room"] = nullptr;
  }
  admin_state(s);  // error, dialog, modal
  s["capturing"] = media_.capturing();
  s["chat"] = chat_.state_json();
  s["chatUnread"] = chat_.unread();
  s["chatOpen"] = chat_.panel_open();
  s["chatScrolledUp"] = chat_scrolled_up_;
  s["chatNote"] = world_.call() ? CallChat::note(lang_, fields_.value(ui::FieldId::ChatInput)).first : std::string();
  s["transfers"] = files_.state_json();
  s["peopleOpen"] = people_.panel_open();
  s["statsOpen"] = stats_.panel_open();
  s["devicesOpen"] = devices_.panel_open();
  s["devices"] = devices_.state_json();
  s["shortcutsHelp"] = shortcuts_help_;
  s["soundBlocked"] = media_.sound_blocked();
  s["tooltip"] = tooltip_;
  // Characters the last frame drew without a glyph (ImGui's "?"): only for a frame or so while a
  // name's new letters (or the lazily fetched Hangul font) are on their way; the UI's own words never.
  s["glyphsMissing"] = ui::glyphs_missing(ui::fonts().body, last_texts_);
  s["maxFileBytes"] = files_.max_file_bytes();
  invite_state(s);
  s["ice"] = ice_config_json(world_.ice());
  return s.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string App::widgets_json() const {
  using nlohmann::json;
  json list = json::array();
  for (const auto& w : last_widgets_)
    list.push_back({{"id", w.id}, {"x", w.x}, {"y", w.y}, {"w", w.w}, {"h", w.h}, {"label", w.label}});
  return list.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string App::texts_json() const {
  return nlohmann::json(last_texts_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace moim
