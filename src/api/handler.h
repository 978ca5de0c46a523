// What a REST handler sees and returns. Handlers are free functions, one file per resource: parse and
// validate the request, call the store (and the dispatcher), serialize the answer. Errors are values;
// api.cc turns them into HTTP answers in one place.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "api/recent_cache.h"
#include "api/request_input.h"
#include "api/router.h"
#include "core/error.h"
#include "core/time.h"
#include "delivery/operational_events.h"
#include "ingress/source_gate.h"
#include "metrics/metrics.h"
#include "net/http_message.h"
#include "store/store.h"

namespace hookd::delivery {
class Dispatcher;
}

namespace hookd::api {

struct ApiOptions {
  std::string jwt_secret;  // HS256 key of the tokens
  std::string public_url;  // how clients reach this server, for app portal links
  std::chrono::seconds idempotency_ttl = std::chrono::hours(12);
  std::size_t idempotency_cache_bytes = 64 << 20;  // answers kept in memory; older ones are in the store
  std::chrono::hours app_token_lifetime{24 * 7};
  bool https_only = false;  // endpoint URLs must be https
  // Where endpoint.created/updated/deleted/enabled/disabled go (operational webhooks); may be null.
  delivery::OperationalEvents* events = nullptr;
  // Where warnings go (an inbound request that failed verification); may be empty.
  std::function<void(const std::string&)> warn;
  // Where the API's requests are counted, and what GET /metrics answers (the text exposition format); may
  // be null and empty.
  metrics::Metrics* metrics = nullptr;
  std::function<std::string()> render_metrics;
  // Where the detail of a 5xx answer goes (the database's message, an exception), under the request id
  // the client was given instead; may be empty.
  std::function<void(const std::string&)> error;
};

// What each inbound source received since this process started, by source id.
class SourceCounters {
 public:
  struct Counts {
    std::uint64_t accepted = 0, duplicates = 0, rejected = 0;
  };
  enum class Kind { accepted, duplicate, rejected };
  void count(const std::string& source_id, Kind kind) {
    std::lock_guard lock(mutex_);
    Counts& counts = counts_[source_id];
    (kind == Kind::accepted ? counts.accepted : kind == Kind::duplicate ? counts.duplicates : counts.rejected)++;
  }
  Counts get(const std::string& source_id) const {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(source_id);
    return it == counts_.end() ? Counts{} : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Counts> counts_;
};

// An inbound source with its gate built: what /in/ needs to verify a request.
struct KnownSource {
  store::Source source;
  ingress::SourceGate gate;
};

struct Services {
  store::Store& store;
  delivery::Dispatcher* dispatcher;  // null on nodes that do not deliver
  const core::Clock& clock;
  const ApiOptions& options;
  std::function<core::Status()> queue_health;  // whether the delivery side works; may be empty
  // Runs blocking work off the I/O thread (async handlers that must block use it); empty: inline.
  std::function<void(std::function<void()>)> run_blocking;
  // Runs `work` through run_blocking, or at once without it. `work` must not refer to a request.
  void in_background(std::function<void()> work) const {
    if (run_blocking) return run_blocking(std::move(work));
    work();
  }
  // Counts in the metrics, if there are any.
  void count_accepted(metrics::Origin origin) const {
    if (options.metrics) options.metrics->message_accepted(origin);
  }
  void count_inbound(const std::string& scheme, metrics::InboundVerdict verdict) const {
    if (options.metrics) options.metrics->inbound_request(scheme, verdict);
  }
  SourceCounters source_counters;
  RecentCache<KnownSource> sources;              // by the name or id in /in/{source}
  RecentCache<store::Application> applications;  // by org id, '\n', and the app's id or uid
};

// Who is calling: an organization token, or an application token limited to one app.
struct Caller {
  std::string org_id;
  std::optional<std::string> app_id;
};

struct Call {
  const net::HttpRequest& request;
  Caller caller;
  PathParams params;
  QueryReader query;

  const std::string& param(const std::string& name) const { return params.at(name); }
};

struct Reply {
  int status = 200;
  std::string body;          // JSON, or empty; or of content_type
  std::string content_type;  // empty: JSON

  static Reply json(int status, const boost::json::object& body);
  static Reply raw(int status, std::string body) { return {status, std::move(body), {}}; }
  static Reply empty(int status) { return {status, {}, {}}; }
  static Reply text(int status, std::string body, std::string content_type) {
    return {status, std::move(body), std::move(content_type)};
  }
};

using Handler = core::Result<Reply> (*)(Services&, Call&);
// A handler that never blocks: it answers through `done`, from any thread. `call` stays valid until then.
using Done = std::function<void(core::Result<Reply>)>;
using AsyncHandler = void (*)(Services&, Call&, Done done);

// Who may call a route.
enum class Access {
  anyone,        // health
  organization,  // organization tokens only
  application,   // organization tokens, and application tokens for the {app_id} in the path
  read_shared,   // organization tokens, and application tokens reading organization-wide data (event types)
};

// A route runs either `handler` (on a worker thread: it may block) or `async` (on the I/O thread).
struct RouteTarget {
  Handler handler;
  Access access;
  AsyncHandler async = nullptr;
};

using ApiRouter = Router<RouteTarget>;

// The route tables of each resource.
void add_application_routes(ApiRouter& router);
void add_event_type_routes(ApiRouter& router);
void add_endpoint_routes(ApiRouter& router);
void add_endpoint_settings_routes(ApiRouter& router);
void add_message_routes(ApiRouter& router);
void add_attempt_routes(ApiRouter& router);
void add_auth_and_health_routes(ApiRouter& router);
void add_source_routes(ApiRouter& router);

}  // namespace hookd::api
