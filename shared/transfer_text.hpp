// What the call screen says about file transfers (shared/file_transfer.hpp), decided apart from
// drawing: sizes, the status line of each transfer (progress, speed and time left while bytes move;
// who declined, cancelled or left; why one failed) and why a file was not sent. Pure functions, in
// the language asked for (the words are shared/ui_text's).
#pragma once

#include "file_transfer.hpp"
#include "ui_text.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace moim::transfer_text {

// "0 B", "512 B", "1.5 KB", "20.0 MB", "2.0 GB" (1 KB = 1,024 bytes, as file managers count; the
// units are the same in every language).
std::string byte_size(std::uint64_t bytes);
// "To Bob" / "From Bob".
std::string counterpart(ui_text::Lang lang, const files::Transfer& t, std::string_view peer_name);
// The transfer's status line. `max_bytes`: the page's limit (an offer declined for size says it).
std::string status(ui_text::Lang lang, const files::Transfer& t, std::string_view peer_name, std::uint64_t max_bytes);
// Whether the card says "Waiting for a free connection" instead of its status: a large room's
// transfer whose bytes are to move (Sending, Receiving, none moved yet) while its person's data link
// waits for a place (`link_queued`). Never an offer (nothing needs a link before it is accepted) nor
// a finished transfer.
bool waits_for_link(const files::Transfer& t, bool link_queued);
// Progress of a transfer whose bytes move (0..1), or a negative number when it has none to show.
double progress(const files::Transfer& t);
// Why SendFile was refused (a Refused effect): kept, and shown in the language current then.
ui_text::Message refusal(files::Fault fault, std::string_view file_name, std::uint64_t size, std::uint64_t max_bytes);

}  // namespace moim::transfer_text
