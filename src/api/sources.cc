// /api/v1/source: inbound sources and the requests they received; and /in/{source}, where providers
// POST (DESIGN.md §3, Ingress).
#include <boost/json.hpp>

#include "api/jwt.h"
#include "api/resolve.h"
#include "api/response_output.h"
#include "api/source_fields.h"
#include "core/ids.h"
#include "delivery/dispatcher.h"
#include "ingress/request_reading.h"
#include "ingress/source_gate.h"

namespace hookd::api {
namespace {

constexpr auto kRetention = std::chrono::hours(24 * 90);
// Request headers never kept: they carry credentials (basic auth) that the request log must not show.
constexpr std::string_view kUnkeptHeaders[] = {"authorization", "cookie", "proxy-authorization"};

// Checks what the API would store: a usable scheme and secrets, and an application of the caller's.
core::Status check_source(Services& services, store::Source& source, const SourceFields& fields) {
  if (fields.app) {
    auto app = services.store.get_application(source.org_id, *fields.app);
    if (!app) return core::invalid({"body", "app"}, "no application '" + *fields.app + "' in this organization");
    source.app_id = app->id;
  }
  if (auto gate = ingress::SourceGate::create(source); !gate) return fail(std::move(gate).error());
  return {};
}

json::object with_counts(Services& services, const store::Source& source) {
  json::object out = source_json(source, services.options.public_url);
  const auto counts = services.source_counters.get(source.id);
  out["stats"] = {{"accepted", counts.accepted}, {"duplicates", counts.duplicates}, {"rejected", counts.rejected}};
  return out;
}

core::Result<Reply> create_source(Services& services, Call& call) {
  auto fields = read_source_fields(call.request.body, true);
  if (!fields) return fail(std::move(fields).error());
  store::Source source;
  source.id = core::new_id("src_");
  source.org_id = call.caller.org_id;
  source.created_at = source.updated_at = services.clock.now();
  apply_source_fields(source, *fields, true);
  if (auto checked = check_source(services, source, *fields); !checked) return fail(std::move(checked).error());
  auto created = services.store.create_source(std::move(source));
  if (!created) return fail(std::move(created).error());
  services.sources.forget_all();
  return Reply::json(201, with_counts(services, *created));
}

core::Result<Reply> list_sources(Services& services, Call& call) {
  const store::PageQuery page = call.query.page();
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto sources = services.store.list_sources(call.caller.org_id, page);
  if (!sources) return fail(std::move(sources).error());
  return Reply::raw(200, page_json(
                             *sources, [&](const store::Source& s) { return with_counts(services, s); },
                             [](const store::Source& s) { return s.id; }));
}

core::Result<Reply> get_source(Services& services, Call& call) {
  auto source = services.store.get_source(call.caller.org_id, call.param("source_id"));
  if (!source) return fail(std::move(source).error());
  return Reply::json(200, with_counts(services, *source));
}

core::Result<Reply> get_source_secret(Services& services, Call& call) {
  auto source = services.store.get_source(call.caller.org_id, call.param("source_id"));
  if (!source) return fail(std::move(source).error());
  json::array secrets;
  for (const auto& secret : source->secrets) secrets.emplace_back(secret);
  return Reply::json(200, {{"secrets", std::move(secrets)}});
}

core::Result<Reply> write_source(Services& services, Call& call, bool put) {
  auto fields = read_source_fields(call.request.body, false);
  if (!fields) return fail(std::move(fields).error());
  const auto now = services.clock.now();
  std::optional<store::Source> create;
  if (put) {
    // PUT to a name that does not exist yet creates the source with that name.
    if (!fields->scheme || !fields->app) return core::invalid({"body"}, "scheme and app are required");
    store::Source fresh;
    fresh.id = core::new_id("src_");
    fresh.org_id = call.caller.org_id;
    fresh.name = call.param("source_id");
    if (!is_name(fresh.name, 128)) {
      return core::invalid({"path", "source_id"},
                           "a new source's name must be 1 to 128 characters of a-z, A-Z, 0-9, '-', '_' and '.'");
    }
    fresh.created_at = fresh.updated_at = now;
    apply_source_fields(fresh, *fields, true);
    if (auto checked = check_source(services, fresh, *fields); !checked) return fail(std::move(checked).error());
    create = std::move(fresh);
  }
  auto saved = services.store.update_source(
      call.caller.org_id, call.param("source_id"),
      [&](store::Source& source) {
        apply_source_fields(source, *fields, put);
        source.updated_at = now;
        return check_source(services, source, *fields);
      },
      std::move(create));
  if (!saved) return fail(std::move(saved).error());
  services.sources.forget_all();
  return Reply::json(saved->created ? 201 : 200, with_counts(services, saved->value));
}

core::Result<Reply> put_source(Services& services, Call& call) { return write_source(services, call, true); }
core::Result<Reply> patch_source(Services& services, Call& call) { return write_source(services, call, false); }

core::Result<Reply> delete_source(Services& services, Call& call) {
  if (auto deleted = services.store.delete_source(call.caller.org_id, call.param("source_id")); !deleted) {
    return fail(std::move(deleted).error());
  }
  services.sources.forget_all();
  return Reply::empty(204);
}

core::Result<Reply> list_requests(Services& services, Call& call) {
  auto source = services.store.get_source(call.caller.org_id, call.param("source_id"));
  if (!source) return fail(std::move(source).error());
  const store::PageQuery page = call.query.page();
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto requests = services.store.list_inbound(source->id, page);
  if (!requests) return fail(std::move(requests).error());
  return Reply::raw(200, page_json(*requests, inbound_json, [](const store::InboundRequest& r) { return r.id; }));
}

core::Result<Reply> get_request(Services& services, Call& call) {
  auto source = services.store.get_source(call.caller.org_id, call.param("source_id"));
  if (!source) return fail(std::move(source).error());
  auto request = services.store.get_inbound(source->id, call.param("request_id"));
  if (!request) return fail(std::move(request).error());
  return Reply::json(200, inbound_json(*request));
}

// The message an inbound request becomes.
store::NewMessage routed(Services& services, const store::Source& source, ingress::RequestReading&& reading) {
  const auto now = services.clock.now();
  store::NewMessage message;
  message.message = {core::new_id("msg_"),          source.org_id, source.app_id,
                     std::move(reading.event_type), std::nullopt,  std::nullopt,
                     std::move(reading.payload),    now,           now + kRetention};
  message.message.hops = reading.hops;
  message.claim = services.dispatcher != nullptr;
  if (services.dispatcher) message.leave_queued = services.dispatcher->leave_queued();
  return message;
}

void hand_over(Services& services, store::CreatedMessage& created) {
  services.count_accepted(metrics::Origin::inbound);
  if (services.dispatcher) services.dispatcher->submit(std::move(created.tasks), std::move(created.queued));
}

// Routes a kept request again, as a new message.
core::Result<Reply> replay_request(Services& services, Call& call) {
  auto source = services.store.get_source(call.caller.org_id, call.param("source_id"));
  if (!source) return fail(std::move(source).error());
  auto request = services.store.get_inbound(source->id, call.param("request_id"));
  if (!request) return fail(std::move(request).error());
  sign::Headers headers;
  for (const auto& [name, value] : request->headers) headers.add(name, value);
  auto created =
      services.store.create_message(routed(services, *source, ingress::read_request(*source, headers, request->body)));
  if (!created) return fail(std::move(created).error());
  hand_over(services, *created);
  return Reply::raw(202, message_json(created->message, true));
}

// Proves the request genuine for `entry`'s source, and keeps and routes it (or answers a duplicate or
// Slack's challenge). Never blocks.
void verify_and_keep(Services& services, Call& call, std::shared_ptr<const KnownSource> entry, Done done) {
  const net::HttpRequest& http = call.request;
  const store::Source& source = entry->source;
  const std::string url = services.options.public_url + http.target;
  if (auto verified = entry->gate.check(http.headers, http.body, url); !verified) {
    services.source_counters.count(source.id, SourceCounters::Kind::rejected);
    services.count_inbound(source.scheme, metrics::InboundVerdict::invalid_signature);
    const std::string reason(sign::reason_name(verified.error().reason));
    if (services.options.warn) {
      services.options.warn("inbound request to source " + source.name + " from " + http.remote_address +
                            " refused: " + reason + ": " + verified.error().detail);
    }
    return done(core::Result<Reply>(
        Reply::json(401, {{"code", "invalid_signature"}, {"reason", reason}, {"detail", verified.error().detail}})));
  }
  auto reading = ingress::read_request(source, http.headers, http.body);
  if (reading.slack_challenge) {
    return done(core::Result<Reply>(Reply::json(200, {{"challenge", *reading.slack_challenge}})));
  }
  const auto now = services.clock.now();
  store::NewInbound inbound;
  inbound.request.id = core::new_id("in_");
  inbound.request.org_id = source.org_id;
  inbound.request.source_id = source.id;
  inbound.request.received_at = now;
  for (const auto& [name, value] : http.headers.entries()) {
    bool kept = true;
    for (auto unkept : kUnkeptHeaders) kept &= !sign::iequals(name, unkept);
    inbound.request.headers.emplace_back(name, kept ? value : "(not kept)");
  }
  inbound.request.body = http.body;
  inbound.request.dedupe_key = reading.dedupe_key;
  inbound.request.replay_key = reading.replay_key;
  inbound.duplicate_since = now - std::chrono::seconds(source.dedupe_window_seconds);
  inbound.route = routed(services, source, std::move(reading));
  services.store.receive_async(std::move(inbound), [&services, source_id = source.id, scheme = source.scheme,
                                                    done](core::Result<store::Received> received) {
    if (!received) return done(fail(std::move(received).error()));
    if (received->duplicate) {
      services.source_counters.count(source_id, SourceCounters::Kind::duplicate);
      services.count_inbound(scheme, metrics::InboundVerdict::duplicate);
      return done(core::Result<Reply>(Reply::json(200, {{"id", received->request_id}, {"duplicate", true}})));
    }
    services.source_counters.count(source_id, SourceCounters::Kind::accepted);
    services.count_inbound(scheme, metrics::InboundVerdict::valid);
    json::object body{{"id", received->request_id}, {"duplicate", false}, {"msgId", received->created->message.id}};
    hand_over(services, *received->created);
    done(core::Result<Reply>(Reply::json(200, body)));
  });
}

// Reads the source named `key` from the store into the cache, with its gate built.
core::Result<std::shared_ptr<const KnownSource>> load_source(Services& services, const std::string& key) {
  auto source = services.store.find_source(key, kDefaultOrgId);
  if (!source) {
    if (source.error().code == core::ErrorCode::not_found) {
      services.sources.forget(key);
    } else {
      services.sources.not_loaded(key);
    }
    return fail(std::move(source).error());
  }
  auto gate = ingress::SourceGate::create(*source);
  if (!gate) {
    services.sources.forget(key);
    return core::error(core::ErrorCode::internal, "the source is misconfigured: " + gate.error().detail);
  }
  auto known = std::make_shared<const KnownSource>(KnownSource{std::move(*source), std::move(*gate)});
  services.sources.put(key, known);
  return known;
}

// POST /in/{source}: prove the request genuine, drop a duplicate, keep it and route it, in one commit.
// A source looked up lately is verified on the I/O thread (and, when stale, read again in the
// background); otherwise the lookup runs on a worker.
void receive(Services& services, Call& call, Done done) {
  const std::string key = call.param("source");
  auto found = services.sources.find(key);
  if (found.load_again) services.in_background([&services, key] { (void)load_source(services, key); });
  if (found.value) return verify_and_keep(services, call, std::move(found.value), done);
  services.in_background([&services, &call, key, done] {
    auto loaded = load_source(services, key);
    if (!loaded) return done(fail(std::move(loaded).error()));
    verify_and_keep(services, call, std::move(*loaded), done);
  });
}

}  // namespace

void add_source_routes(ApiRouter& router) {
  router.add("GET", "/api/v1/source", {list_sources, Access::organization});
  router.add("POST", "/api/v1/source", {create_source, Access::organization});
  router.add("GET", "/api/v1/source/{source_id}", {get_source, Access::organization});
  router.add("PUT", "/api/v1/source/{source_id}", {put_source, Access::organization});
  router.add("PATCH", "/api/v1/source/{source_id}", {patch_source, Access::organization});
  router.add("DELETE", "/api/v1/source/{source_id}", {delete_source, Access::organization});
  router.add("GET", "/api/v1/source/{source_id}/secret", {get_source_secret, Access::organization});
  router.add("GET", "/api/v1/source/{source_id}/request", {list_requests, Access::organization});
  router.add("GET", "/api/v1/source/{source_id}/request/{request_id}", {get_request, Access::organization});
  router.add("POST", "/api/v1/source/{source_id}/request/{request_id}/replay", {replay_request, Access::organization});
  router.add("POST", "/in/{source}", {nullptr, Access::anyone, receive});
}

}  // namespace hookd::api
