// What hookd counts for its operator, in Prometheus's data model; docs/observability.md describes every
// series. The parts record what happens (a message accepted, an attempt answered, a commit) through the
// typed calls below; `render` writes the text exposition format that GET /metrics serves.
//
// - Every label takes its values from a fixed set known here (an outcome, an origin, a route template):
//   no label holds an id, a URL or a name a tenant chooses, so the number of series stays bounded
//   whatever the load. Where an operator needs the worst endpoints, the API answers that question.
// - Thread-safe: any thread may record. Counters are atomic additions; a histogram takes a short lock
//   of its own. Recording never blocks on I/O.
// - Names follow Prometheus's conventions: `hookd_` prefix, base units (`_seconds`), `_total` counters.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hookd::metrics {

// Where an accepted message came from.
enum class Origin { api, inbound, operational };

// How a delivery attempt ended.
enum class AttemptOutcome {
  success,           // a 2xx answer
  http_4xx,          // an answer of 400–499
  http_5xx,          // an answer of 500–599
  http_other,        // any other answer (1xx, 3xx)
  timeout,           // no whole answer within the delivery timeout
  connection_error,  // no answer: the name did not resolve, no connection, TLS, not HTTP
  refused,           // never sent: the SSRF guard refused every address, or the message looped
};

// Why an endpoint was disabled.
enum class DisableReason {
  gone,     // the receiver answered 410 Gone
  failing,  // every attempt failed for delivery.failure_disable_after
  api,      // a user disabled it through the API
};

// What became of a request to an inbound source.
enum class InboundVerdict { valid, invalid_signature, duplicate };

// What became of a request to a command hook.
enum class HookOutcome {
  success,         // the command ran and exited 0
  command_failed,  // it ran and exited non-zero, or was killed
  not_started,     // the command could not start
  rules_unmet,     // the trigger rules did not match: nothing ran
};

// Values read when the metrics are rendered rather than recorded as they change. An absent value is
// not exposed (an API-only node has no delivery queue in memory; SQLite holds no leases).
struct Gauges {
  // The dispatcher's memory: tasks waiting for a slot, attempts in flight, retries waiting for their
  // time, and endpoints it holds state for.
  std::optional<std::int64_t> queued_in_memory, in_flight, retries_in_memory, endpoints_in_memory;
  // The store's queue: deliveries due now and not held by any node, and those scheduled for later.
  std::optional<std::int64_t> queued_in_store, scheduled_in_store;
  std::optional<std::int64_t> parked_in_store;     // waiting for their disabled endpoint to be enabled
  std::optional<std::int64_t> endpoints_disabled;  // in the store, all organizations together
  std::optional<std::int64_t> leases_held;         // PostgreSQL: applications this node delivers for
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void message_accepted(Origin origin);
  // One attempt ended after `duration` (from its start to its outcome).
  void attempt_finished(AttemptOutcome outcome, std::chrono::nanoseconds duration);
  // A delivery succeeded `lag` after its message was accepted (retries included).
  void delivered(std::chrono::nanoseconds lag);
  void endpoint_disabled(DisableReason reason);
  // `scheme`: the source's scheme ("github", "stripe", …, "basic", "none"); a name not among those
  // hookd knows is counted as "other".
  void inbound_request(std::string_view scheme, InboundVerdict verdict);
  void hook_run(HookOutcome outcome, std::chrono::nanoseconds duration);
  // A group commit of `writes` writes took `duration` (BEGIN to COMMIT); `committed` false: it failed.
  void store_commit(std::chrono::nanoseconds duration, std::size_t writes, bool committed);
  void lease_taken_over();  // PostgreSQL: this node took an application over from a silent node

  // API requests. A route is registered once (method and template, like "POST /api/v1/app/{app_id}/msg")
  // and its handle used for each request; `unmatched_route()` counts requests that matched no route.
  using RouteHandle = std::size_t;
  RouteHandle api_route(std::string_view method, std::string_view path_template);
  RouteHandle unmatched_route();
  void api_request(RouteHandle route, int status, std::chrono::nanoseconds duration);

  // The text exposition format (version 0.0.4) of everything recorded, with `gauges`.
  std::string render(const Gauges& gauges);

  // The content type of `render`'s text.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Families;
  std::unique_ptr<Families> families_;
};

// The scheme names inbound_request counts by name (the others count as "other").
bool is_known_scheme(std::string_view scheme);

}  // namespace hookd::metrics
