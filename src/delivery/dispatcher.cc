#include "delivery/dispatcher.h"

#include <deque>
#include <future>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/encoding.h"
#include "core/ids.h"

namespace hookd::delivery {

using core::TimePoint;
using store::DeliveryOutcome;
using store::DeliveryTask;
using store::DestinationUpdate;
using store::MessageStatus;
using store::TriggerType;

namespace {

struct EndpointState {
  std::shared_ptr<const EndpointConfig> config;  // null until loaded
  bool loading = false;
  // Counts changes to the endpoint; a load that began before the latest change is read again.
  std::uint64_t config_changes = 0;
  std::optional<RateLimiter> limiter;  // the endpoint's throttleRate
  std::optional<TimePoint> wake_at;    // a timer pumps the endpoint then (throttling, a FIFO retry)
  // Claimed by this node and due (a FIFO endpoint's first task may wait for its retry time). A FIFO
  // endpoint's queue holds the first of its pending deliveries in message order (`in_order`).
  std::deque<DeliveryTask> ready;
  bool in_order = false;
  int in_flight = 0;
  std::optional<TimePoint> store_due;  // the store holds unclaimed work of this endpoint due from then
  std::uint64_t store_notes = 0;       // how often work was given back to the store (see maybe_claim)
  bool claiming = false;
  bool overflowed = false;  // the queue overflowed and the store still holds work: see leave_queued()
  // When the current run of failed attempts began; kept in the store (Endpoint::failing_since).
  std::optional<TimePoint> failing_since;
};

// Endpoints held back by a cap (the global one, or their application's share of it), in the order they
// were held back, each at most once; pumped again as slots free up.
class HeldBack {
 public:
  void add(const std::string& endpoint_id) {
    if (members_.insert(endpoint_id).second) order_.push_back(endpoint_id);
  }
  bool empty() const { return order_.empty(); }
  std::string take() {
    std::string next = std::move(order_.front());
    order_.pop_front();
    members_.erase(next);
    return next;
  }

 private:
  std::deque<std::string> order_;
  std::unordered_set<std::string> members_;
};

// A claimed task waiting for its retry time.
struct WaitingRetry {
  TimePoint due;
  DeliveryTask task;
  bool operator>(const WaitingRetry& other) const { return due > other.due; }
};

// An endpoint whose settings could not be read (the database unreachable) is read again after this.
constexpr core::Microseconds kReadAgainAfter = std::chrono::seconds(1);

// message.attempt.failing goes out when a message's fourth attempt fails (as Svix does).
constexpr int kFailingAfterAttempts = 4;

// How an attempt ended, as the metrics count it.
metrics::AttemptOutcome outcome_of(const net::OutboundResponse& response) {
  using metrics::AttemptOutcome;
  switch (response.failure) {
    case net::SendFailure::none:
      if (response.status >= 200 && response.status < 300) return AttemptOutcome::success;
      if (response.status >= 400 && response.status < 500) return AttemptOutcome::http_4xx;
      if (response.status >= 500 && response.status < 600) return AttemptOutcome::http_5xx;
      return AttemptOutcome::http_other;
    case net::SendFailure::timeout:
      return AttemptOutcome::timeout;
    case net::SendFailure::refused:
      return AttemptOutcome::refused;
    case net::SendFailure::bad_url:
    case net::SendFailure::resolve:
    case net::SendFailure::connect:
    case net::SendFailure::tls:
    case net::SendFailure::protocol:
      break;
  }
  return AttemptOutcome::connection_error;
}

// What the attempt log keeps of an answer: its body as text (a receiver may answer with any bytes).
std::string response_text(const net::OutboundResponse& response) {
  if (response.failure != net::SendFailure::none) return response.error;
  return core::as_text(response.body);
}

}  // namespace

struct Dispatcher::State : std::enable_shared_from_this<Dispatcher::State> {
  State(store::Store& s, Sender& sn, net::EventLoop& l, const core::Clock& c, DispatcherOptions o, OperationalEvents* e,
        metrics::Metrics* m)
      : store(s),
        sender(sn),
        loop(l),
        clock(c),
        options(std::move(o)),
        events(e),
        metrics(m),
        random(std::random_device{}()) {}

  store::Store& store;
  Sender& sender;
  net::EventLoop& loop;
  const core::Clock& clock;
  const DispatcherOptions options;
  OperationalEvents* const events;
  metrics::Metrics* const metrics;
  net::EventLoop worker;  // runs the store calls that may block

  // Everything below is touched only on the loop thread, except the atomics.
  // The endpoints whose new work should wait in the store, as last published for the API's threads.
  mutable std::mutex overflowed_mutex;
  std::shared_ptr<const std::unordered_set<std::string>> overflowed_snapshot =
      std::make_shared<const std::unordered_set<std::string>>();
  std::unordered_set<std::string> overflowed;  // on the loop thread
  bool publish_posted = false;

  std::atomic<bool> stopped{false};  // no new attempts start
  std::atomic<bool> closed{false};   // the final outcomes are written: nothing touches the store any more
  std::unordered_map<std::string, EndpointState> endpoints;
  std::unordered_map<std::string, RateLimiter> app_limiters;  // by app id, for apps with a throttleRate
  std::unordered_set<std::string> lost_apps;                  // applications another node took over (application_lost)
  std::priority_queue<WaitingRetry, std::vector<WaitingRetry>, std::greater<>> retries;
  std::optional<TimePoint> timer_armed_for;
  std::unordered_set<std::string> with_store_work;  // endpoints whose store_due is set
  HeldBack waiting_for_slot;                        // endpoints held back by the global cap
  // Attempts in flight by application, and the endpoints held back by its share of the global cap.
  std::unordered_map<std::string, int> app_in_flight;
  std::unordered_map<std::string, HeldBack> waiting_for_app;
  std::vector<DeliveryOutcome> outcomes;  // to be recorded in the next flush
  bool flush_posted = false;
  bool discovering = false;
  std::chrono::steady_clock::time_point last_discovery{};
  int global_in_flight = 0;
  std::mt19937_64 random;

  std::atomic<std::uint64_t> attempts{0}, succeeded{0}, failed{0}, exhausted{0};
  std::atomic<std::int64_t> in_flight_count{0};
  // Manual attempts held in memory, by endpoint (send_manual's cap); any thread.
  std::mutex manual_mutex;
  std::unordered_map<std::string, std::size_t> manual_held;  // guarded by manual_mutex

  // Runs `task` on the loop thread if the dispatcher is still alive then.
  template <class F>
  void on_loop(F&& task) {
    loop.post([weak = weak_from_this(), task = std::forward<F>(task)]() mutable {
      if (auto self = weak.lock(); self && !self->stopped) task(*self);
    });
  }

  // Runs `task` on the worker thread (for blocking store calls).
  template <class F>
  void on_worker(F&& task) {
    worker.post([weak = weak_from_this(), task = std::forward<F>(task)]() mutable {
      if (auto self = weak.lock(); self && !self->stopped) task(*self);
    });
  }

  void accept(DeliveryTask task) {
    lost_apps.erase(task.app_id);  // new work of it: this node holds the application's lease again
    EndpointState& endpoint = endpoints[task.endpoint_id];
    if (task.trigger == TriggerType::manual) {
      endpoint.ready.push_front(std::move(task));
    } else if (endpoint.in_order) {
      // A FIFO endpoint takes its work from the store, in order (this one was claimed before the
      // endpoint became FIFO): it goes back, with what is queued, to be claimed again in order.
      give_back(task, task.attempts, task.due);
      give_back_ready(endpoint);
    } else if (endpoint.ready.size() < options.endpoint_queue_capacity) {
      endpoint.ready.push_back(std::move(task));
    } else {
      give_back(task, task.attempts, clock.now());
      set_overflowed(task.endpoint_id, true);
    }
  }

  // Gives every scheduled task of the endpoint's queue back to the store.
  void give_back_ready(EndpointState& endpoint) {
    std::deque<DeliveryTask> kept;
    for (DeliveryTask& task : endpoint.ready) {
      if (task.trigger == TriggerType::scheduled) {
        give_back(task, task.attempts, task.due);
      } else {
        kept.push_back(std::move(task));
      }
    }
    endpoint.ready = std::move(kept);
  }

  // Marks the endpoint as one whose new deliveries wait in the store, or not, and publishes the set.
  void set_overflowed(const std::string& endpoint_id, bool value) {
    EndpointState& endpoint = endpoints[endpoint_id];
    if (endpoint.overflowed == value) return;
    endpoint.overflowed = value;
    if (value) {
      overflowed.insert(endpoint_id);
    } else {
      overflowed.erase(endpoint_id);
    }
    if (publish_posted) return;
    publish_posted = true;
    loop.post([weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self) return;
      self->publish_posted = false;
      auto snapshot = std::make_shared<const std::unordered_set<std::string>>(self->overflowed);
      std::lock_guard lock(self->overflowed_mutex);
      self->overflowed_snapshot = std::move(snapshot);
    });
  }

  // Forgets that the store holds work of the endpoint.
  void clear_store_work(const std::string& endpoint_id, EndpointState& endpoint) {
    endpoint.store_due.reset();
    with_store_work.erase(endpoint_id);
    set_overflowed(endpoint_id, false);
  }

  // Hands a claimed task back to the store's queue, due at `due`.
  void give_back(const DeliveryTask& task, int attempts_made, TimePoint due) {
    outcomes.push_back({std::nullopt, task.msg_id, task.endpoint_id,
                        DestinationUpdate{MessageStatus::pending, attempts_made, due, false}});
    note_store_work(task.endpoint_id, due);
    schedule_flush();
  }

  void note_store_work(const std::string& endpoint_id, TimePoint due) {
    EndpointState& endpoint = endpoints[endpoint_id];
    endpoint.store_due = endpoint.store_due ? std::min(*endpoint.store_due, due) : due;
    ++endpoint.store_notes;
    with_store_work.insert(endpoint_id);
  }

  void schedule_flush() {
    if (flush_posted) return;
    flush_posted = true;
    // Posted, so that every outcome of this turn of the loop goes into one write.
    loop.post([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->flush();
    });
  }

  void flush() {
    flush_posted = false;
    if (outcomes.empty() || closed) return;
    store.record_outcomes(std::move(outcomes));
    outcomes.clear();
  }

  void pump(const std::string& endpoint_id) {
    if (stopped) return;
    EndpointState& endpoint = endpoints[endpoint_id];
    if (!endpoint.config) {
      if (!endpoint.ready.empty() || endpoint.store_due) load_config(endpoint_id, endpoint);
      return;
    }
    if (endpoint.config->endpoint.disabled) {
      park_disabled(endpoint_id, endpoint);
      return;
    }
    const bool fifo = endpoint.config->endpoint.fifo;
    const int concurrency = fifo ? 1 : options.endpoint_concurrency;
    const std::string& app_id = endpoint.config->endpoint.app_id;
    while (!endpoint.ready.empty() && endpoint.in_flight < concurrency) {
      if (global_in_flight >= options.global_concurrency) {
        waiting_for_slot.add(endpoint_id);
        break;
      }
      // One application's endpoints (many, all slow) never take more than its share of the global cap.
      if (in_flight_of(app_id) >= options.app_concurrency) {
        waiting_for_app[app_id].add(endpoint_id);
        break;
      }
      // A FIFO endpoint's first delivery may be waiting for its retry; the rest wait behind it.
      if (const DeliveryTask& next = endpoint.ready.front();
          fifo && next.trigger == TriggerType::scheduled && next.due > clock.now()) {
        wake(endpoint_id, endpoint, next.due);
        break;
      }
      if (throttled(endpoint_id, endpoint)) break;
      DeliveryTask task = std::move(endpoint.ready.front());
      endpoint.ready.pop_front();
      send(endpoint, std::move(task));
    }
    maybe_claim(endpoint_id, endpoint);
  }

  // Whether throttleRate holds back the next attempt to this endpoint; if so, a timer pumps it again when
  // the slot comes. Otherwise the slot is taken.
  bool throttled(const std::string& endpoint_id, EndpointState& endpoint) {
    const EndpointConfig& config = *endpoint.config;
    RateLimiter* app_limiter = nullptr;
    if (config.app_throttle_rate) {
      auto it = app_limiters.find(config.endpoint.app_id);
      if (it == app_limiters.end() || it->second.per_second() != *config.app_throttle_rate) {
        it = app_limiters.insert_or_assign(config.endpoint.app_id, RateLimiter(*config.app_throttle_rate)).first;
      }
      app_limiter = &it->second;
    }
    if (!endpoint.limiter && !app_limiter) return false;
    const TimePoint now = clock.now();
    TimePoint slot = now;
    if (endpoint.limiter) slot = std::max(slot, endpoint.limiter->next_allowed(now));
    if (app_limiter) slot = std::max(slot, app_limiter->next_allowed(now));
    if (slot <= now) {
      if (endpoint.limiter) endpoint.limiter->take(now);
      if (app_limiter) app_limiter->take(now);
      return false;
    }
    wake(endpoint_id, endpoint, slot);
    return true;
  }

  // Pumps the endpoint again at `at` (one timer per endpoint, for the earliest time asked).
  void wake(const std::string& endpoint_id, EndpointState& endpoint, TimePoint at) {
    if (endpoint.wake_at && *endpoint.wake_at <= at) return;
    endpoint.wake_at = at;
    const auto delay = std::max<core::Microseconds>(at - clock.now(), core::Microseconds(0));
    loop.post_after(delay, [weak = weak_from_this(), endpoint_id, at] {
      if (auto self = weak.lock(); self && !self->stopped) {
        EndpointState& state = self->endpoints[endpoint_id];
        if (state.wake_at != at) return;  // superseded by an earlier timer, which has run
        state.wake_at.reset();
        self->pump(endpoint_id);
      }
    });
  }

  // A disabled endpoint gets nothing: its scheduled work waits in the store until it is enabled again,
  // and manual attempts are dropped.
  void park_disabled(const std::string& endpoint_id, EndpointState& endpoint) {
    const TimePoint now = clock.now();
    for (const DeliveryTask& task : endpoint.ready) {
      if (task.trigger == TriggerType::scheduled) {
        outcomes.push_back({std::nullopt, task.msg_id, task.endpoint_id,
                            DestinationUpdate{MessageStatus::pending, task.attempts, now, false}});
      }
    }
    endpoint.ready.clear();
    endpoint.in_order = false;
    clear_store_work(endpoint_id, endpoint);
    schedule_flush();
  }

  // The endpoint or its application changed: its configuration is read again when next needed.
  void forget_config(EndpointState& endpoint) {
    endpoint.config.reset();
    ++endpoint.config_changes;
  }

  void load_config(const std::string& endpoint_id, EndpointState& endpoint) {
    if (endpoint.loading) return;
    endpoint.loading = true;
    on_worker([endpoint_id, changes = endpoint.config_changes](State& self) {
      auto found = self.store.find_endpoint(endpoint_id);
      std::optional<int> app_rate;
      if (found) {
        if (auto app = self.store.get_application(found->org_id, found->app_id)) app_rate = app->throttle_rate;
      }
      self.on_loop([endpoint_id, changes, found = std::move(found), app_rate](State& me) mutable {
        EndpointState& state = me.endpoints[endpoint_id];
        state.loading = false;
        if (state.config_changes != changes) {  // changed while it was read: what was read may be stale
          me.pump(endpoint_id);
          return;
        }
        if (!found && found.error().code == core::ErrorCode::not_found) {
          me.drop_gone(endpoint_id, state);
          return;
        }
        if (!found) {  // the database is unreachable for now: its work waits, and the endpoint is read again
          me.wake(endpoint_id, state, me.clock.now() + kReadAgainAfter);
          return;
        }
        auto config = EndpointConfig::from(std::move(*found), app_rate);
        const auto rate = config->endpoint.throttle_rate;
        if (!rate) {
          state.limiter.reset();
        } else if (!state.limiter || state.limiter->per_second() != *rate) {
          state.limiter.emplace(*rate);
        }
        state.failing_since = config->endpoint.failing_since;
        me.set_order(state, config->endpoint.fifo);
        state.config = std::move(config);
        me.pump(endpoint_id);
      });
    });
  }

  // The endpoint was deleted: its deliveries end as failed, without attempts.
  void drop_gone(const std::string& endpoint_id, EndpointState& endpoint) {
    for (const DeliveryTask& task : endpoint.ready) {
      if (task.trigger == TriggerType::scheduled) {
        outcomes.push_back({std::nullopt, task.msg_id, task.endpoint_id,
                            DestinationUpdate{MessageStatus::fail, task.attempts, std::nullopt, false}});
      }
    }
    endpoint.ready.clear();
    endpoint.in_order = false;
    clear_store_work(endpoint_id, endpoint);
    schedule_flush();
  }

  // Makes the endpoint's queue follow its FIFO setting. Becoming FIFO, the queue goes back to the store to
  // be claimed again in order; no longer FIFO, a first task waiting for its retry joins the retries.
  void set_order(EndpointState& endpoint, bool fifo) {
    if (fifo == endpoint.in_order) return;
    endpoint.in_order = fifo;
    if (fifo) {
      give_back_ready(endpoint);
      return;
    }
    const TimePoint now = clock.now();
    while (!endpoint.ready.empty() && endpoint.ready.front().due > now &&
           endpoint.ready.front().trigger == TriggerType::scheduled) {
      DeliveryTask task = std::move(endpoint.ready.front());
      endpoint.ready.pop_front();
      const TimePoint due = task.due;
      retries.push({due, std::move(task)});
      arm_timer(due);
    }
  }

  // Claims queued work from the store when it is due and there is room for it.
  // A FIFO endpoint claims in message order, due or not: its first task then waits for its time.
  void maybe_claim(const std::string& endpoint_id, EndpointState& endpoint) {
    const TimePoint now = clock.now();
    const bool in_order = endpoint.in_order;
    if (!endpoint.store_due || (*endpoint.store_due > now && !in_order) || endpoint.claiming ||
        endpoint.ready.size() >= options.endpoint_queue_capacity / 2) {
      return;
    }
    endpoint.claiming = true;
    // Work this node gave back must reach the store before the claim reads it: the store runs writes in
    // the order they come, so write the pending outcomes first.
    flush();
    const int room = static_cast<int>(options.endpoint_queue_capacity - endpoint.ready.size());
    const std::uint64_t notes = endpoint.store_notes;
    on_worker([endpoint_id, now, room, notes, in_order](State& self) {
      auto claimed =
          in_order ? self.store.claim_in_order(endpoint_id, room) : self.store.claim_due(endpoint_id, now, room);
      self.on_loop([endpoint_id, claimed = std::move(claimed), notes, in_order](State& me) mutable {
        EndpointState& state = me.endpoints[endpoint_id];
        state.claiming = false;
        if (!claimed) return;  // the store failed; the next scan tries again
        if (in_order != state.in_order) {
          // The endpoint's FIFO setting changed meanwhile: what was claimed goes back.
          for (const DeliveryTask& task : claimed->tasks) me.give_back(task, task.attempts, task.due);
          return;
        }
        // Work given back while the claim ran is not in its answer: then what this node knows stands.
        if (state.store_notes == notes) {
          state.store_due = claimed->next_due;
        } else if (claimed->next_due) {
          state.store_due = std::min(*state.store_due, *claimed->next_due);
        }
        if (!state.store_due) me.clear_store_work(endpoint_id, state);
        for (DeliveryTask& task : claimed->tasks) {
          me.lost_apps.erase(task.app_id);  // claimed: this node holds the application's lease again
          state.ready.push_back(std::move(task));
        }
        me.pump(endpoint_id);
      });
    });
  }

  void send(EndpointState& endpoint, DeliveryTask task) {
    ++endpoint.in_flight;
    ++global_in_flight;
    ++app_in_flight[task.app_id];
    ++in_flight_count;
    auto config = endpoint.config;
    const TimePoint started = clock.now();
    if (looped(task)) {
      // Never sent: answered at once, as the SSRF guard answers, but from the loop, not from inside pump.
      net::OutboundResponse refused;
      refused.failure = net::SendFailure::refused;
      refused.error = "refused: this message has passed through " + std::to_string(task.hops) +
                      " hookd servers (the most delivery.max_hops allows); an endpoint probably sends it back to "
                      "an inbound source that routes it here again";
      loop.post([weak = weak_from_this(), task = std::move(task), config, started, refused]() mutable {
        if (auto self = weak.lock(); self && !self->closed)
          self->on_response(std::move(task), *config, started, refused);
      });
      return;
    }
    net::OutboundRequest request = build_request(*config, task, started, options.request);
    sender.send(std::move(request), [weak = weak_from_this(), task = std::move(task), config,
                                     started](net::OutboundResponse response) mutable {
      if (auto self = weak.lock(); self && !self->closed)
        self->on_response(std::move(task), *config, started, response);
    });
  }

  void on_response(DeliveryTask task, const EndpointConfig& config, TimePoint started,
                   const net::OutboundResponse& response) {
    EndpointState& endpoint = endpoints[task.endpoint_id];
    --endpoint.in_flight;
    --global_in_flight;
    if (auto it = app_in_flight.find(task.app_id); it != app_in_flight.end() && --it->second <= 0) {
      app_in_flight.erase(it);
    }
    --in_flight_count;
    ++attempts;
    const TimePoint now = clock.now();
    const bool success = response.failure == net::SendFailure::none && response.status >= 200 && response.status < 300;
    (success ? succeeded : failed)++;
    if (metrics) {
      metrics->attempt_finished(outcome_of(response), now - started);
      if (success && task.trigger == TriggerType::scheduled) metrics->delivered(now - task.accepted_at);
    }

    store::Attempt attempt;
    attempt.id = core::new_id("atmpt_");
    attempt.org_id = task.org_id;
    attempt.app_id = task.app_id;
    attempt.msg_id = task.msg_id;
    attempt.endpoint_id = task.endpoint_id;
    attempt.url = config.endpoint.url;
    attempt.response = response_text(response);
    attempt.response_status_code = response.status;
    attempt.response_duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(response.duration).count();
    attempt.status = success ? MessageStatus::success : MessageStatus::fail;
    attempt.trigger = task.trigger;
    attempt.created_at = started;

    const AttemptSummary summary{attempt.id, attempt.response_status_code, attempt.created_at};
    DeliveryOutcome outcome{std::move(attempt), task.msg_id, task.endpoint_id, std::nullopt, false};
    const bool gone = response.failure == net::SendFailure::none && response.status == 410;
    note_health(endpoint, config.endpoint, success, started);
    std::optional<TimePoint> disable_since;  // the endpoint is disabled, its run of failures began then
    if (success && task.attempts >= kFailingAfterAttempts) {
      // message.attempt.failing (or .exhausted) went out for this message earlier.
      report_attempt("message.attempt.recovered", config.endpoint, task.msg_id, summary);
    }
    if (gone) {
      // 410 Gone: the receiver says the endpoint is no more. Disable it; its work waits in the store.
      disable_since = endpoint.failing_since.value_or(started);
      if (task.trigger == TriggerType::scheduled) {
        outcome.destination = DestinationUpdate{MessageStatus::pending, task.attempts + 1, now, false};
      }
    } else if (task.trigger == TriggerType::manual) {
      outcome.manual_success = success;
    } else if (lost_apps.contains(task.app_id)) {
      // Another node delivers this application now: the attempt is recorded; what comes next is its call.
    } else {
      const int attempts_made = task.attempts + 1;
      if (success) {
        outcome.destination = DestinationUpdate{MessageStatus::success, attempts_made, std::nullopt, false};
      } else if (looped(task)) {
        // Refused for its hop count, it would be refused again: the delivery fails now.
        outcome.destination = DestinationUpdate{MessageStatus::fail, attempts_made, std::nullopt, false};
        report_attempt("message.attempt.exhausted", config.endpoint, task.msg_id, summary);
      } else {
        const std::string msg_id = task.msg_id;
        outcome.destination = schedule_retry(std::move(task), attempts_made, response, now);
        if (outcome.destination->status == MessageStatus::fail) {
          report_attempt("message.attempt.exhausted", config.endpoint, msg_id, summary);
          if (endpoint.failing_since && now - *endpoint.failing_since >= options.failure_disable_after) {
            disable_since = endpoint.failing_since;
          }
        } else if (attempts_made == kFailingAfterAttempts) {
          report_attempt("message.attempt.failing", config.endpoint, msg_id, summary);
        }
      }
    }
    outcomes.push_back(std::move(outcome));
    if (disable_since) {
      // The outcome that disables the endpoint is written first: whoever sees it disabled sees why.
      flush();
      disable(config.endpoint, *disable_since, gone ? metrics::DisableReason::gone : metrics::DisableReason::failing);
    } else {
      schedule_flush();
    }

    pump(config.endpoint.id);
    pump_held_back(config.endpoint.app_id);
  }

  // Pumps the endpoints held back by `app_id`'s share while it has room, then those held back by the
  // global cap while it has room.
  void pump_held_back(const std::string& app_id) {
    while (in_flight_of(app_id) < options.app_concurrency && global_in_flight < options.global_concurrency) {
      auto it = waiting_for_app.find(app_id);
      if (it == waiting_for_app.end()) break;
      if (it->second.empty()) {
        waiting_for_app.erase(it);
        break;
      }
      pump(it->second.take());  // may hold the endpoint back again, or others of the app
    }
    while (!waiting_for_slot.empty() && global_in_flight < options.global_concurrency) pump(waiting_for_slot.take());
  }

  // Whether the task's message went through as many hookd servers as it may (max_hops).
  bool looped(const DeliveryTask& task) const { return task.hops >= options.max_hops; }

  int in_flight_of(const std::string& app_id) const {
    auto it = app_in_flight.find(app_id);
    return it == app_in_flight.end() ? 0 : it->second;
  }

  // Keeps track of when the endpoint's current run of failures began, in memory and in the store (only
  // the changes are written: the first failure after a success, the first success after failures).
  void note_health(EndpointState& state, const store::Endpoint& endpoint, bool success, TimePoint attempted) {
    std::optional<TimePoint> since = state.failing_since;
    if (success) {
      since.reset();
    } else if (!since) {
      since = attempted;
    }
    if (since == state.failing_since) return;
    state.failing_since = since;
    on_worker([org = endpoint.org_id, app = endpoint.app_id, id = endpoint.id, since](State& self) {
      (void)self.store.update_endpoint(
          org, app, id,
          [since](store::Endpoint& e) {
            e.failing_since = since;
            return core::Status{};
          },
          std::nullopt);
    });
  }

  void report_attempt(const char* type, const store::Endpoint& endpoint, const std::string& msg_id,
                      const AttemptSummary& attempt) {
    if (!events) return;
    OperationalEvent event{type, endpoint.org_id, endpoint.app_id, endpoint.id, endpoint.uid, msg_id, attempt, {}, {}};
    events->publish(std::move(event));
  }

  // Disables the endpoint (410 Gone, or failing for too long); its work waits in the store.
  void disable(const store::Endpoint& endpoint, TimePoint fail_since, metrics::DisableReason reason) {
    on_worker([org = endpoint.org_id, app = endpoint.app_id, id = endpoint.id, uid = endpoint.uid, fail_since,
               reason](State& self) {
      const TimePoint now = self.clock.now();
      bool disabled_now = false;
      const auto written = self.store.update_endpoint(
          org, app, id,
          [now, &disabled_now](store::Endpoint& e) {
            disabled_now = !e.disabled;
            e.disabled = true;
            e.updated_at = now;
            return core::Status{};
          },
          std::nullopt);
      disabled_now = disabled_now && written.ok();
      if (disabled_now && self.metrics) self.metrics->endpoint_disabled(reason);
      if (disabled_now && self.events) {
        self.events->publish({"endpoint.disabled", org, app, id, uid, {}, {}, fail_since, "automatic"});
      }
      self.on_loop([id](State& me) {
        me.forget_config(me.endpoints[id]);
        me.pump(id);
      });
    });
  }

  // The endpoint's own retry schedule (hookd's extension) or the server's.
  RetrySchedule schedule_for(const std::string& endpoint_id) {
    const EndpointState& endpoint = endpoints[endpoint_id];
    if (!endpoint.config || !endpoint.config->endpoint.retry_schedule) return options.schedule;
    RetrySchedule schedule = options.schedule;
    schedule.delays.clear();
    for (int seconds : *endpoint.config->endpoint.retry_schedule)
      schedule.delays.push_back(std::chrono::seconds(seconds));
    return schedule;
  }

  // Decides what happens after a failed scheduled attempt, and returns the destination's new state.
  DestinationUpdate schedule_retry(DeliveryTask task, int attempts_made, const net::OutboundResponse& response,
                                   TimePoint now) {
    FailedAttempt failure{response.status, response.failure == net::SendFailure::timeout, std::nullopt};
    if (response.retry_after) failure.retry_after = *response.retry_after;
    const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(random);
    const auto delay = next_delay(schedule_for(task.endpoint_id), attempts_made, failure, draw, now);
    if (!delay) {
      ++exhausted;
      return DestinationUpdate{MessageStatus::fail, attempts_made, std::nullopt, false};
    }
    const TimePoint due = now + *delay;
    EndpointState& endpoint = endpoints[task.endpoint_id];
    if (endpoint.in_order) {
      // FIFO: the message stays first in the endpoint's queue, and the rest wait behind it.
      task.attempts = attempts_made;
      task.due = due;
      endpoint.ready.push_front(std::move(task));
      return DestinationUpdate{MessageStatus::pending, attempts_made, due, true};
    }
    if (retries.size() >= options.max_retries_in_memory) {
      note_store_work(task.endpoint_id, due);
      return DestinationUpdate{MessageStatus::pending, attempts_made, due, false};
    }
    task.attempts = attempts_made;
    task.due = due;
    retries.push({due, std::move(task)});
    arm_timer(due);
    return DestinationUpdate{MessageStatus::pending, attempts_made, due, true};
  }

  // Timers cannot be cancelled, so one is armed only for a due time earlier than any armed already.
  void arm_timer(TimePoint due) {
    if (timer_armed_for && *timer_armed_for <= due) return;
    timer_armed_for = due;
    const auto delay = std::max<core::Microseconds>(due - clock.now(), core::Microseconds(0));
    loop.post_after(delay, [weak = weak_from_this()] {
      if (auto self = weak.lock(); self && !self->stopped) self->on_timer();
    });
  }

  void on_timer() {
    timer_armed_for.reset();
    const TimePoint now = clock.now();
    std::unordered_set<std::string> touched;
    while (!retries.empty() && retries.top().due <= now) {
      // top() is const only to protect the heap order, which moving the task out does not change.
      DeliveryTask task = std::move(const_cast<WaitingRetry&>(retries.top()).task);
      retries.pop();
      touched.insert(task.endpoint_id);
      accept(std::move(task));
    }
    for (const auto& endpoint_id : touched) pump(endpoint_id);
    if (!retries.empty()) arm_timer(retries.top().due);
  }

  // Asks the store which endpoints have unclaimed work, unless a question is already out.
  void discover() {
    if (discovering) return;
    discovering = true;
    last_discovery = std::chrono::steady_clock::now();
    on_worker([](State& self) {
      auto work = self.store.unclaimed_work();
      self.on_loop([work = std::move(work)](State& me) {
        me.discovering = false;
        if (!work) return;
        for (const auto& [endpoint_id, due_at] : *work) me.note_store_work(endpoint_id, due_at);
      });
    });
  }

  void scan() {
    const std::vector<std::string> due(with_store_work.begin(), with_store_work.end());
    for (const auto& endpoint_id : due) pump(endpoint_id);
    if (options.discover_interval.count() > 0 &&
        std::chrono::steady_clock::now() - last_discovery >= options.discover_interval) {
      discover();
    }
    loop.post_after(options.scan_interval, [weak = weak_from_this()] {
      if (auto self = weak.lock(); self && !self->stopped) self->scan();
    });
  }
};

Dispatcher::Dispatcher(store::Store& store, Sender& sender, net::EventLoop& loop, const core::Clock& clock,
                       DispatcherOptions options, OperationalEvents* events, metrics::Metrics* metrics)
    : state_(std::make_shared<State>(store, sender, loop, clock, std::move(options), events, metrics)) {
  state_->worker.start();
}

Dispatcher::~Dispatcher() { stop(std::chrono::milliseconds(0)); }

core::Status Dispatcher::start() {
  if (auto released = state_->store.release_all_claims(); !released) return released;
  auto work = state_->store.unclaimed_work();
  if (!work) return fail(std::move(work).error());
  state_->on_loop([work = std::move(*work)](State& self) {
    for (const auto& [endpoint_id, due] : work) self.note_store_work(endpoint_id, due);
    self.scan();
  });
  return {};
}

void Dispatcher::stop(std::chrono::milliseconds grace) {
  State& state = *state_;
  if (state.stopped.exchange(true)) return;
  // No attempt starts any more; those in flight may finish and have their outcomes recorded.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (state.in_flight_count > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto flushed = std::make_shared<std::promise<void>>();
  auto final_flush = [weak = std::weak_ptr<State>(state_), flushed] {
    if (auto self = weak.lock()) {
      self->flush();
      self->closed = true;
    }
    flushed->set_value();
  };
  if (state.loop.on_loop_thread()) {
    final_flush();
  } else {
    state.loop.post(final_flush);
    flushed->get_future().wait_for(std::chrono::seconds(10));
  }
  state.closed = true;
  state.worker.stop();
  // What this node still held goes back to the queue (after the outcomes just written), for the other
  // nodes of a shared database to take at once.
  (void)state.store.release_all_claims();
}

void Dispatcher::submit(std::vector<DeliveryTask> tasks, std::vector<std::string> queued) {
  state_->on_loop([tasks = std::move(tasks), queued = std::move(queued)](State& self) mutable {
    std::unordered_set<std::string> touched;
    for (DeliveryTask& task : tasks) {
      touched.insert(task.endpoint_id);
      self.accept(std::move(task));
    }
    const TimePoint now = self.clock.now();
    for (std::string& endpoint_id : queued) {
      self.note_store_work(endpoint_id, now);
      touched.insert(std::move(endpoint_id));
    }
    for (const auto& endpoint_id : touched) self.pump(endpoint_id);
  });
}

bool Dispatcher::send_manual(DeliveryTask task) {
  // Counted per endpoint until the last copy of the task is gone, whichever way it goes (sent, dropped
  // for a disabled endpoint, dropped at stop).
  {
    std::lock_guard lock(state_->manual_mutex);
    std::size_t& held = state_->manual_held[task.endpoint_id];
    if (held >= state_->options.max_manual_per_endpoint) return false;
    ++held;
  }
  task.held = std::shared_ptr<const void>(
      nullptr, [state = std::weak_ptr<State>(state_), endpoint_id = task.endpoint_id](const void*) {
        auto self = state.lock();
        if (!self) return;
        std::lock_guard lock(self->manual_mutex);
        if (auto it = self->manual_held.find(endpoint_id); it != self->manual_held.end() && --it->second == 0) {
          self->manual_held.erase(it);
        }
      });
  task.trigger = TriggerType::manual;
  state_->on_loop([task = std::move(task)](State& self) mutable {
    const std::string endpoint_id = task.endpoint_id;
    self.accept(std::move(task));
    self.pump(endpoint_id);
  });
  return true;
}

void Dispatcher::endpoint_changed(std::string endpoint_id) {
  state_->on_loop([endpoint_id = std::move(endpoint_id)](State& self) {
    EndpointState& endpoint = self.endpoints[endpoint_id];
    self.forget_config(endpoint);
    // Work parked while the endpoint was disabled waits in the store: look for it again.
    self.note_store_work(endpoint_id, self.clock.now());
    self.pump(endpoint_id);
  });
}

void Dispatcher::application_changed(std::string app_id) {
  state_->on_loop([app_id = std::move(app_id)](State& self) {
    self.app_limiters.erase(app_id);
    for (auto& [endpoint_id, endpoint] : self.endpoints) {
      // A load in flight may be of this application's endpoint: it is read again too.
      if (endpoint.loading || (endpoint.config && endpoint.config->endpoint.app_id == app_id)) {
        self.forget_config(endpoint);
      }
    }
  });
}

void Dispatcher::application_lost(std::string app_id) {
  state_->on_loop([app_id = std::move(app_id)](State& self) {
    self.lost_apps.insert(app_id);  // attempts in flight finish, and schedule nothing more
    const auto of_app = [&](const DeliveryTask& task) {
      return task.app_id == app_id && task.trigger == TriggerType::scheduled;
    };
    for (auto& [endpoint_id, endpoint] : self.endpoints) std::erase_if(endpoint.ready, of_app);
    std::vector<WaitingRetry> kept;
    while (!self.retries.empty()) {
      if (!of_app(self.retries.top().task)) kept.push_back(self.retries.top());
      self.retries.pop();
    }
    for (auto& retry : kept) self.retries.push(std::move(retry));
  });
}

void Dispatcher::look_for_work() {
  state_->on_loop([](State& self) { self.discover(); });
}

std::shared_ptr<const std::unordered_set<std::string>> Dispatcher::leave_queued() const {
  std::lock_guard lock(state_->overflowed_mutex);
  return state_->overflowed_snapshot;
}

std::optional<DispatcherGauges> Dispatcher::gauges(std::chrono::milliseconds wait) const {
  auto counted = std::make_shared<std::promise<DispatcherGauges>>();
  auto future = counted->get_future();
  state_->on_loop([counted](State& self) {
    DispatcherGauges gauges;
    for (const auto& [endpoint_id, endpoint] : self.endpoints)
      gauges.queued += static_cast<std::int64_t>(endpoint.ready.size());
    gauges.in_flight = self.global_in_flight;
    gauges.retries = static_cast<std::int64_t>(self.retries.size());
    gauges.endpoints = static_cast<std::int64_t>(self.endpoints.size());
    counted->set_value(gauges);
  });
  if (future.wait_for(wait) != std::future_status::ready) return std::nullopt;
  return future.get();
}

DispatcherStats Dispatcher::stats() const {
  return {state_->attempts, state_->succeeded, state_->failed, state_->exhausted, state_->in_flight_count};
}

}  // namespace hookd::delivery
