// The Dispatcher owns the delivery work this node holds in memory and sends it (DESIGN.md §3).
//
// - New deliveries arrive by hand-off from the API (submit), already claimed in the store: no polling
//   on the hot path.
// - Each endpoint has its own ready queue and concurrency cap; the process has a global cap, and each
//   application a share of it (app_concurrency). A slow endpoint only ever uses its own budget, and an
//   application with many slow endpoints only its share.
// - Memory is bounded: an endpoint holds at most `endpoint_queue_capacity` tasks and the process at most
//   `max_retries_in_memory` waiting retries. The rest goes back to the store's queue (unclaimed) and is
//   claimed again when due and when there is room, so a backlog lives on disk.
// - Failed attempts are retried on the RetrySchedule; attempts and destination changes are recorded in
//   batches through Store::record_outcomes.
// - throttleRate (of the endpoint, and of its application for all its endpoints together) is enforced:
//   attempts are spaced so that no second holds more; the excess waits, nothing is dropped.
// - A 410 Gone answer disables the endpoint at once; its work waits in the store until it is enabled.
//   So does a message exhausting its retries when every attempt to the endpoint has failed for
//   `failure_disable_after`.
// - FIFO endpoints (hookd's extension) get one message at a time, in message order: the next is sent
//   only once the previous one succeeded or exhausted its retries. Their deliveries always wait in the
//   store's queue and are claimed in order, so the order holds across restarts.
// - What operators want to know (an endpoint disabled, a message failing, exhausted or recovered) is
//   reported to OperationalEvents.
// - After a restart, start() gives back the claims of the previous process and the work resumes from
//   the store.
//
// Threading: all state lives on the event loop's thread; the public methods are thread-safe. Store calls
// that may block run on a thread of the dispatcher's own, never on the loop.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "delivery/delivery_request.h"
#include "delivery/operational_events.h"
#include "delivery/rate_limiter.h"
#include "delivery/retry_policy.h"
#include "delivery/sender.h"
#include "metrics/metrics.h"
#include "net/event_loop.h"
#include "store/store.h"

namespace hookd::delivery {

struct DispatcherOptions {
  RetrySchedule schedule;
  RequestOptions request;
  int endpoint_concurrency = 10;  // attempts in flight per endpoint
  int global_concurrency = 2000;  // attempts in flight in the process
  // Attempts in flight for one application (all its endpoints together): its share of the global cap, so
  // that one tenant with many slow endpoints cannot take every slot.
  int app_concurrency = 500;
  std::size_t endpoint_queue_capacity = 1000;  // tasks held in memory per endpoint
  std::size_t max_retries_in_memory = 100000;  // waiting retries held in memory, all endpoints together
  std::size_t max_manual_per_endpoint = 100;   // manual attempts (resends) held in memory per endpoint
  // A message that passed through this many hookd servers (Message::hops) is not delivered again: its
  // attempt is refused and the delivery fails at once. An endpoint that routes back to an inbound source
  // of the same application would otherwise multiply its messages for ever.
  int max_hops = 10;
  std::chrono::milliseconds scan_interval{200};  // how often queued work in the store is looked for
  // How often to look for endpoints with queued work that other processes (API-only nodes) added.
  // Zero: only at start, which is enough when this process's API hands over everything it accepts.
  std::chrono::milliseconds discover_interval{0};
  // An endpoint whose attempts have all failed for this long is disabled when one more message exhausts
  // its retries.
  std::chrono::microseconds failure_disable_after = std::chrono::hours(120);
};

// Counters, for health and benchmarks.
struct DispatcherStats {
  std::uint64_t attempts = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t exhausted = 0;
  std::int64_t in_flight = 0;
};

// What the dispatcher holds in memory at one moment (the gauges of GET /metrics).
struct DispatcherGauges {
  std::int64_t queued = 0;     // claimed tasks waiting for a slot, their endpoint's rate or its turn
  std::int64_t in_flight = 0;  // attempts in flight
  std::int64_t retries = 0;    // failed tasks waiting for their retry time
  std::int64_t endpoints = 0;  // endpoints it holds state for
};

class Dispatcher {
 public:
  // `store`, `sender`, `loop` and `clock` must outlive the dispatcher. `loop` must be started.
  // `events` and `metrics`, when given, must outlive it too.
  Dispatcher(store::Store& store, Sender& sender, net::EventLoop& loop, const core::Clock& clock,
             DispatcherOptions options, OperationalEvents* events = nullptr, metrics::Metrics* metrics = nullptr);
  ~Dispatcher();

  // Gives back the claims of a previous process and finds the work queued in the store. Blocks.
  core::Status start();
  // Stops starting attempts, waits up to `grace` for those in flight, and writes every outcome. Work
  // still held in memory stays claimed in the store; the next start() gives it back.
  void stop(std::chrono::milliseconds grace);

  // Hands over deliveries the store has just committed: `tasks` claimed for this node, and the endpoints
  // whose new deliveries wait in the store's queue (CreatedMessage::queued).
  void submit(std::vector<store::DeliveryTask> tasks, std::vector<std::string> queued = {});
  // The endpoints whose new deliveries should wait in the store's queue (NewMessage::leave_queued): those
  // whose queue in memory overflowed and still has work waiting in the store. A snapshot; thread-safe.
  std::shared_ptr<const std::unordered_set<std::string>> leave_queued() const;
  // One manual attempt (resend), beside whatever the schedule does. False when the endpoint already has
  // max_manual_per_endpoint manual attempts in memory: the caller says "try again later".
  [[nodiscard]] bool send_manual(store::DeliveryTask task);
  // The endpoint changed (URL, keys, headers, disabled, throttleRate): forget what was cached of it.
  void endpoint_changed(std::string endpoint_id);
  // The application changed (its throttleRate) or was deleted: forget what was cached of its endpoints.
  void application_changed(std::string app_id);
  // Another node delivers the application's messages now (it took this node's lease over): forgets the
  // scheduled work of it held here. Attempts in flight finish; their outcome is recorded, but no retry
  // is scheduled here, until new work of the application comes to this node again.
  void application_lost(std::string app_id);
  // Looks in the store for queued work now (another node gave some back), rather than at the next
  // discovery.
  void look_for_work();

  DispatcherStats stats() const;
  // Counted on the loop thread; waits for it up to `wait` (none when stopped or the wait ran out).
  std::optional<DispatcherGauges> gauges(std::chrono::milliseconds wait) const;

  struct State;

 private:
  // Shared only so that callbacks (HTTP answers, timers, store results) can hold weak references and
  // find out that the dispatcher is gone; the Dispatcher is the only owner.
  std::shared_ptr<State> state_;
};

}  // namespace hookd::delivery
