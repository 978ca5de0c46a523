// Finding the objects a path names, with the caller's access checked: {app_id}, {endpoint_id} and
// {msg_id} each accept the id or the uid (for messages: the eventId).
#pragma once

#include "api/handler.h"

namespace hookd::api {

// The app of the path; 403 when an application token names another app. Reads the store (and keeps
// what it found in services.applications).
core::Result<store::Application> resolve_app(Services& services, Call& call);
// The app of the path as services.applications knows it, checked as resolve_app does; none when it is
// not known there. Never blocks: a stale entry is loaded again in the background.
std::optional<core::Result<store::Application>> known_app(Services& services, Call& call);
core::Result<store::Endpoint> resolve_endpoint(Services& services, Call& call, const store::Application& app);
core::Result<store::Message> resolve_message(Services& services, Call& call, const store::Application& app);

// The query's parameter errors, if any (422), once every parameter has been read.
core::Status check_query(Call& call);

// channel, event_types, before and after: the message filters of list routes.
store::MessageFilter read_message_filter(Call& call);

}  // namespace hookd::api
