#include "video_planes.hpp"

#include <map>

namespace moim::video_planes {

namespace {
std::map<unsigned, Chroma>& planes() {
  static std::map<unsigned, Chroma> m;  // a handful of videos: a map is plenty
  return m;
}
}  // namespace

void set(unsigned y, Chroma chroma) { planes()[y] = chroma; }
void forget(unsigned y) { planes().erase(y); }
const Chroma* find(unsigned y) {
  auto it = planes().find(y);
  return it == planes().end() ? nullptr : &it->second;
}

}  // namespace moim::video_planes
