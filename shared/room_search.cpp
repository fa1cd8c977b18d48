#include "room_search.hpp"

#include "protocol.hpp"

#include <string>

namespace moim {

bool room_name_matches(std::string_view room_name, std::string_view query) {
  const std::string needle = proto::room_name_key(proto::trim(query));
  if (needle.empty()) return true;
  return proto::room_name_key(room_name).find(needle) != std::string::npos;
}

}  // namespace moim
