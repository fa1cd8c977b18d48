// The screens, as functions of read-only view models. They draw and return intents; nothing else.
#pragma once

#include "protocol.hpp"
#include "ui/widgets.hpp"

#include <optional>
#include <string>
#include <vector>

namespace moim::ui {

struct DialogModel {
  bool open = false;
  FieldView room_name;
  std::uint32_t capacity = proto::kDefaultCapacity;
  std::string error;     // shown inside the dialog
  bool pending = false;  // waiting for the server's answer
};

struct LobbyModel {
  FieldView name;
  const std::vector<proto::RoomInfo>* rooms = nullptr;
  bool connected = false;
  std::string status;  // connection status line
  std::string error;   // banner; empty = none
  bool joining = false;
  DialogModel dialog;
  // Self-preview card: the camera as others will see it, or why there is none.
  unsigned preview_texture = 0;
  int preview_w = 0, preview_h = 0;
  std::string preview_status;
};

struct TileModel {
  proto::PeerId id = 0;
  std::string name;
  bool self = false;
  bool mic = true;
  bool camera = true;
  unsigned texture = 0;  // 0 = no frame yet
  int video_w = 0, video_h = 0;
  std::string connection;  // RTCPeerConnection.connectionState; empty for self
};

struct CallModel {
  proto::RoomInfo room;
  std::vector<TileModel> tiles;  // self first
  bool mic = true, camera = true;
  bool can_mic = true, can_camera = true;  // false when the device is unavailable
  std::string error;
};

void draw_lobby(FrameOut& out, const LobbyModel& m);
void draw_create_dialog(FrameOut& out, const DialogModel& m);
void draw_call(FrameOut& out, const CallModel& m);

// Grid layout: columns and tile size that fit `count` 16:9 tiles (plus name strip) in `avail`.
struct GridLayout { int columns = 1, rows = 1; float tile_w = 0, tile_h = 0; };
GridLayout layout_grid(int count, float avail_w, float avail_h, float gap);

}  // namespace moim::ui
