// The wiring between the hub's large rooms and Janus (sfu/janus_client.hpp): the link's state goes
// to the hub (ready or not: Hub::set_janus_ready; a first or replaced session: every large room made
// again, Hub::recreate_large_rooms), the hub's requests (HubOutput::janus) go to the link and its
// answers come back (Hub::on_janus_done / on_janus_failed); the same for the media relay's requests
// (HubOutput::media, Hub::on_media_answer) and Janus's events about its handles (Hub::on_media_event). Everything runs on the io_context's one
// thread (the client's callbacks are posted to it), like the rest of the hub's calls.
#pragma once

#include "sfu/janus_client.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace moim::server {

struct ServerContext;

// Connects to Janus at `url` (started: unreachable or lost is logged and tried again) and wires it
// to ctx.hub and ctx.connections. Stop it with stop() on the result.
std::shared_ptr<sfu::JanusClient> start_janus_rooms(boost::asio::io_context& ioc, ServerContext& ctx,
                                                    sfu::JanusUrl url, sfu::Config config);

}  // namespace moim::server
