#include "metrics/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <deque>
#include <map>
#include <mutex>
#include <sstream>

namespace hookd::metrics {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Histogram;

constexpr std::array<std::string_view, 3> kOrigins{"api", "inbound", "operational"};
constexpr std::array<std::string_view, 7> kAttemptOutcomes{"success", "http_4xx",         "http_5xx", "http_other",
                                                           "timeout", "connection_error", "refused"};
constexpr std::array<std::string_view, 3> kDisableReasons{"gone", "failing", "api"};
constexpr std::array<std::string_view, 3> kVerdicts{"valid", "invalid_signature", "duplicate"};
constexpr std::array<std::string_view, 4> kHookOutcomes{"success", "command_failed", "not_started", "rules_unmet"};
// The signing library's schemes and the two of inbound sources only; "other" stands for the rest.
constexpr std::array<std::string_view, 12> kSchemes{"standard", "svix",   "github", "stripe", "shopify", "slack",
                                                    "gitlab",   "twilio", "hmac",   "basic",  "none",    "other"};
constexpr std::array<std::string_view, 5> kStatusClasses{"1xx", "2xx", "3xx", "4xx", "5xx"};

// Bucket bounds, in seconds (or writes), spanning what each measure takes in practice.
const Histogram::BucketBoundaries kAttemptSeconds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
const Histogram::BucketBoundaries kLagSeconds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,  1,     2.5,   5,
                                              10,    30,   60,    300,  900, 3600, 7200, 21600, 86400, 259200};
const Histogram::BucketBoundaries kHookSeconds{0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300};
const Histogram::BucketBoundaries kCommitSeconds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                 0.01,   0.025,   0.05,   0.1,   0.25,   1};
const Histogram::BucketBoundaries kBatchWrites{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
const Histogram::BucketBoundaries kRequestSeconds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05,   0.1,   0.25,   0.5,   1,    5};

double seconds(std::chrono::nanoseconds duration) { return std::chrono::duration<double>(duration).count(); }

template <std::size_t N>
std::size_t index_of(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return i;
  }
  return N;
}

}  // namespace

struct Metrics::Families {
  prometheus::Registry registry;

  std::array<Counter*, kOrigins.size()> accepted{};
  std::array<Counter*, kAttemptOutcomes.size()> attempts{};
  Histogram* attempt_seconds = nullptr;
  Histogram* lag_seconds = nullptr;
  std::array<Counter*, kDisableReasons.size()> disabled{};
  std::array<std::array<Counter*, kVerdicts.size()>, kSchemes.size()> inbound{};
  std::array<Counter*, kHookOutcomes.size()> hook_runs{};
  Histogram* hook_seconds = nullptr;
  Histogram* commit_seconds = nullptr;
  Histogram* commit_writes = nullptr;
  Counter* commit_failures = nullptr;
  Counter* leases_taken = nullptr;

  struct Route {
    std::array<Counter*, kStatusClasses.size()> by_class{};
    Histogram* seconds = nullptr;
  };
  prometheus::Family<Counter>* requests = nullptr;
  prometheus::Family<Histogram>* request_seconds = nullptr;
  std::mutex routes_mutex;
  std::deque<Route> routes;              // by RouteHandle; registered before requests are recorded
  std::optional<RouteHandle> unmatched;  // guarded by routes_mutex

  // Gauges, made the first time their value is known.
  std::mutex gauges_mutex;
  std::map<std::string, Gauge*, std::less<>> gauges;  // guarded by gauges_mutex

  Families() {
    auto& accepted_family = BuildCounter()
                                .Name("hookd_messages_accepted_total")
                                .Help("Messages accepted and committed to the store, by where they came from.")
                                .Register(registry);
    for (std::size_t i = 0; i < kOrigins.size(); ++i)
      accepted[i] = &accepted_family.Add({{"origin", std::string(kOrigins[i])}});

    auto& attempt_family = BuildCounter()
                               .Name("hookd_delivery_attempts_total")
                               .Help("Delivery attempts that ended, by outcome.")
                               .Register(registry);
    for (std::size_t i = 0; i < kAttemptOutcomes.size(); ++i)
      attempts[i] = &attempt_family.Add({{"outcome", std::string(kAttemptOutcomes[i])}});
    attempt_seconds = &BuildHistogram()
                           .Name("hookd_delivery_attempt_duration_seconds")
                           .Help("How long delivery attempts took, from their start to their outcome.")
                           .Register(registry)
                           .Add({}, kAttemptSeconds);
    lag_seconds =
        &BuildHistogram()
             .Name("hookd_delivery_lag_seconds")
             .Help("From a message's acceptance to the end of the attempt that delivered it, retries included.")
             .Register(registry)
             .Add({}, kLagSeconds);

    auto& disabled_family =
        BuildCounter().Name("hookd_endpoints_disabled_total").Help("Endpoints disabled, by reason.").Register(registry);
    for (std::size_t i = 0; i < kDisableReasons.size(); ++i)
      disabled[i] = &disabled_family.Add({{"reason", std::string(kDisableReasons[i])}});

    auto& inbound_family = BuildCounter()
                               .Name("hookd_inbound_requests_total")
                               .Help("Requests to inbound sources, by the source's scheme and the verdict.")
                               .Register(registry);
    for (std::size_t s = 0; s < kSchemes.size(); ++s) {
      for (std::size_t v = 0; v < kVerdicts.size(); ++v) {
        inbound[s][v] =
            &inbound_family.Add({{"scheme", std::string(kSchemes[s])}, {"verdict", std::string(kVerdicts[v])}});
      }
    }

    auto& hook_family = BuildCounter()
                            .Name("hookd_hook_runs_total")
                            .Help("Requests to command hooks, by what became of them.")
                            .Register(registry);
    for (std::size_t i = 0; i < kHookOutcomes.size(); ++i)
      hook_runs[i] = &hook_family.Add({{"outcome", std::string(kHookOutcomes[i])}});
    hook_seconds = &BuildHistogram()
                        .Name("hookd_hook_run_duration_seconds")
                        .Help("How long hook commands ran.")
                        .Register(registry)
                        .Add({}, kHookSeconds);

    commit_seconds = &BuildHistogram()
                          .Name("hookd_store_commit_duration_seconds")
                          .Help("How long the store's group commits took, from BEGIN to COMMIT.")
                          .Register(registry)
                          .Add({}, kCommitSeconds);
    commit_writes = &BuildHistogram()
                         .Name("hookd_store_commit_writes")
                         .Help("Writes per group commit.")
                         .Register(registry)
                         .Add({}, kBatchWrites);
    commit_failures = &BuildCounter()
                           .Name("hookd_store_commit_failures_total")
                           .Help("Group commits the database did not commit (its writes were answered as failed).")
                           .Register(registry)
                           .Add({});
    leases_taken =
        &BuildCounter()
             .Name("hookd_leases_taken_over_total")
             .Help("PostgreSQL: applications this node took over from a node that stopped renewing its lease.")
             .Register(registry)
             .Add({});

    requests = &BuildCounter()
                    .Name("hookd_api_requests_total")
                    .Help("API requests answered, by method, route template and status class.")
                    .Register(registry);
    request_seconds = &BuildHistogram()
                           .Name("hookd_api_request_duration_seconds")
                           .Help("How long API requests took to answer, by method and route template.")
                           .Register(registry);
  }

  Gauge& gauge(const std::string& name, const std::string& help) {
    std::lock_guard lock(gauges_mutex);
    auto it = gauges.find(name);
    if (it != gauges.end()) return *it->second;
    Gauge& made = BuildGauge().Name(name).Help(help).Register(registry).Add({});
    gauges.emplace(name, &made);
    return made;
  }
};

Metrics::Metrics() : families_(std::make_unique<Families>()) {}
Metrics::~Metrics() = default;

void Metrics::message_accepted(Origin origin) { families_->accepted[static_cast<std::size_t>(origin)]->Increment(); }

void Metrics::attempt_finished(AttemptOutcome outcome, std::chrono::nanoseconds duration) {
  families_->attempts[static_cast<std::size_t>(outcome)]->Increment();
  families_->attempt_seconds->Observe(seconds(duration));
}

void Metrics::delivered(std::chrono::nanoseconds lag) {
  families_->lag_seconds->Observe(seconds(std::max(lag, std::chrono::nanoseconds(0))));
}

void Metrics::endpoint_disabled(DisableReason reason) {
  families_->disabled[static_cast<std::size_t>(reason)]->Increment();
}

bool is_known_scheme(std::string_view scheme) { return index_of(kSchemes, scheme) < kSchemes.size() - 1; }

void Metrics::inbound_request(std::string_view scheme, InboundVerdict verdict) {
  const std::size_t s = is_known_scheme(scheme) ? index_of(kSchemes, scheme) : kSchemes.size() - 1;
  families_->inbound[s][static_cast<std::size_t>(verdict)]->Increment();
}

void Metrics::hook_run(HookOutcome outcome, std::chrono::nanoseconds duration) {
  families_->hook_runs[static_cast<std::size_t>(outcome)]->Increment();
  if (outcome == HookOutcome::success || outcome == HookOutcome::command_failed) {
    families_->hook_seconds->Observe(seconds(duration));
  }
}

void Metrics::store_commit(std::chrono::nanoseconds duration, std::size_t writes, bool committed) {
  families_->commit_seconds->Observe(seconds(duration));
  families_->commit_writes->Observe(static_cast<double>(writes));
  if (!committed) families_->commit_failures->Increment();
}

void Metrics::lease_taken_over() { families_->leases_taken->Increment(); }

Metrics::RouteHandle Metrics::api_route(std::string_view method, std::string_view path_template) {
  Families& f = *families_;
  std::lock_guard lock(f.routes_mutex);
  Families::Route route;
  for (std::size_t i = 0; i < kStatusClasses.size(); ++i) {
    route.by_class[i] = &f.requests->Add({{"method", std::string(method)},
                                          {"route", std::string(path_template)},
                                          {"code", std::string(kStatusClasses[i])}});
  }
  route.seconds = &f.request_seconds->Add({{"method", std::string(method)}, {"route", std::string(path_template)}},
                                          kRequestSeconds);
  f.routes.push_back(route);
  return f.routes.size() - 1;
}

Metrics::RouteHandle Metrics::unmatched_route() {
  {
    std::lock_guard lock(families_->routes_mutex);
    if (families_->unmatched) return *families_->unmatched;
  }
  const RouteHandle handle = api_route("", "(unmatched)");
  std::lock_guard lock(families_->routes_mutex);
  families_->unmatched = handle;
  return handle;
}

void Metrics::api_request(RouteHandle handle, int status, std::chrono::nanoseconds duration) {
  const Families::Route& route = families_->routes[handle];
  const int status_class = status / 100;
  if (status_class >= 1 && status_class <= 5) route.by_class[static_cast<std::size_t>(status_class - 1)]->Increment();
  route.seconds->Observe(seconds(duration));
}

std::string Metrics::render(const Gauges& values) {
  Families& f = *families_;
  auto set = [&f](const std::optional<std::int64_t>& value, const char* name, const char* help) {
    if (value) f.gauge(name, help).Set(static_cast<double>(*value));
  };
  set(values.queued_in_memory, "hookd_deliveries_queued_in_memory",
      "Deliveries this node holds in memory that wait for a free slot (or their endpoint's rate).");
  set(values.in_flight, "hookd_deliveries_in_flight", "Delivery attempts in flight.");
  set(values.retries_in_memory, "hookd_deliveries_retry_scheduled_in_memory",
      "Failed deliveries this node holds in memory until their retry time.");
  set(values.endpoints_in_memory, "hookd_dispatcher_endpoints", "Endpoints the dispatcher holds state for.");
  set(values.queued_in_store, "hookd_deliveries_queued_in_store",
      "Deliveries due now that wait in the store's queue, held by no node.");
  set(values.scheduled_in_store, "hookd_deliveries_retry_scheduled_in_store",
      "Deliveries waiting in the store's queue for a later time (their next retry).");
  set(values.parked_in_store, "hookd_deliveries_parked_in_store",
      "Deliveries waiting in the store's queue for their disabled endpoint to be enabled again.");
  set(values.endpoints_disabled, "hookd_endpoints_disabled", "Endpoints disabled now, all organizations together.");
  set(values.leases_held, "hookd_leases_held",
      "PostgreSQL: applications whose deliveries this node holds the lease of.");
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, f.registry.Collect());
  return std::move(out).str();
}

}  // namespace hookd::metrics
