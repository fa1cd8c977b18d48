#include "texture_updates.hpp"

#include <algorithm>
#include <vector>

namespace moim::texture_updates {

namespace {
std::vector<unsigned>& updated() {
  static std::vector<unsigned> v;  // a handful of videos
  return v;
}
}  // namespace

void note(unsigned texture) {
  auto& v = updated();
  if (std::find(v.begin(), v.end(), texture) == v.end()) v.push_back(texture);
}
bool contains(unsigned texture) {
  const auto& v = updated();
  return std::find(v.begin(), v.end(), texture) != v.end();
}
void clear() { updated().clear(); }

}  // namespace moim::texture_updates
