// The Store on an SQL database: the same SQL and logic on SQLite (embedded, one file in WAL mode) and on
// PostgreSQL. Writes go through a WriteQueue (group commit on one connection); reads use a small pool of
// connections of their own, which run beside the writer. sqlite/ and postgres/ open one.
//
// On PostgreSQL, new messages (and inbound requests, and kept answers) are spread over further write
// queues, each with its connection, so that their statements' round trips overlap; everything else
// (the delivery queue's claims and outcomes, configuration changes, leases) goes through the first
// queue, in the order it was submitted.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/sql/connection.h"
#include "store/sql/write_queue.h"
#include "store/store.h"

namespace hookd::store::sql {

// Whether, and how, the store shares its database with other hookd nodes.
struct SqlSettings {
  // Shared (PostgreSQL): deliveries are claimed under application leases, endpoint routes are read
  // afresh for each message, and changes are announced to the other nodes.
  bool shared = false;
  std::string node_id = "local";        // unique per node; stable across restarts of the node
  std::chrono::seconds lease_ttl{30};   // a lease not renewed for this long may be taken over
  metrics::Metrics* metrics = nullptr;  // hears of leases taken over; outlives the store
};

// Hears what the nodes sharing the database announce (PostgreSQL's LISTEN/NOTIFY).
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // Calls `heard` with each announcement, on a thread of its own, until destroyed; with "" when some may
  // have been missed (after a reconnection).
  virtual void start(std::function<void(const std::string& announcement)> heard) = 0;
};

class SqlStore final : public Store {
 public:
  // Takes a migrated database: the queue of its write connection, and connections for reads; for a
  // shared database, the listener of its announcements.
  // `message_writers`: further queues for new messages (none: the first queue writes them too).
  SqlStore(std::unique_ptr<WriteQueue> writes, std::vector<std::unique_ptr<Connection>> readers,
           SqlSettings settings = {}, std::unique_ptr<ChangeListener> listener = nullptr,
           std::vector<std::unique_ptr<WriteQueue>> message_writers = {});
  ~SqlStore() override;

  Result<Application> create_application(Application app) override;
  Result<Application> get_application(std::string_view org, std::string_view app) override;
  Result<Page<Application>> list_applications(std::string_view org, const PageQuery& page) override;
  Result<Saved<Application>> update_application(std::string_view org, std::string_view app,
                                                const Change<Application>& change,
                                                std::optional<Application> create) override;
  Status delete_application(std::string_view org, std::string_view app) override;

  Result<EventType> create_event_type(EventType type) override;
  Result<EventType> get_event_type(std::string_view org, std::string_view name) override;
  Result<Page<EventType>> list_event_types(std::string_view org, const PageQuery& page, bool include_archived) override;
  Result<Saved<EventType>> update_event_type(std::string_view org, std::string_view name,
                                             const Change<EventType>& change, std::optional<EventType> create) override;
  Status delete_event_type(std::string_view org, std::string_view name, bool expunge) override;

  Result<Endpoint> create_endpoint(Endpoint endpoint) override;
  Result<Endpoint> get_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint) override;
  Result<Page<Endpoint>> list_endpoints(std::string_view org, std::string_view app_id, const PageQuery& page) override;
  Result<Saved<Endpoint>> update_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint,
                                          const Change<Endpoint>& change, std::optional<Endpoint> create) override;
  Status delete_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint) override;
  Result<EndpointStats> endpoint_stats(std::string_view app_id, std::string_view endpoint_id,
                                       std::optional<TimePoint> since, std::optional<TimePoint> until) override;
  Result<Endpoint> find_endpoint(std::string_view endpoint_id) override;

  Result<CreatedMessage> create_message(NewMessage message) override;
  void create_message_async(NewMessage message, std::function<void(Result<CreatedMessage>)> done) override;
  Result<Message> get_message(std::string_view app_id, std::string_view msg) override;
  Result<Page<Message>> list_messages(std::string_view app_id, const PageQuery& page,
                                      const MessageFilter& filter) override;
  Status expunge_message_content(std::string_view app_id, std::string_view msg_id) override;
  Result<Source> create_source(Source source) override;
  Result<Source> get_source(std::string_view org, std::string_view source) override;
  Result<Page<Source>> list_sources(std::string_view org, const PageQuery& page) override;
  Result<Saved<Source>> update_source(std::string_view org, std::string_view source, const Change<Source>& change,
                                      std::optional<Source> create) override;
  Status delete_source(std::string_view org, std::string_view source) override;
  Result<Source> find_source(std::string_view source, std::string_view names_of) override;
  void receive_async(NewInbound inbound, std::function<void(Result<Received>)> done) override;
  Result<Page<InboundRequest>> list_inbound(std::string_view source_id, const PageQuery& page) override;
  Result<InboundRequest> get_inbound(std::string_view source_id, std::string_view request_id) override;

  Result<std::optional<KeptAnswer>> find_answer(std::string_view key, TimePoint since) override;
  void keep_answer_async(std::string key, KeptAnswer answer, TimePoint expired,
                         std::function<void(Status)> done) override;
  Result<int> purge_expired_payloads(TimePoint now, int limit) override;
  Result<PruneBatch> prune_messages(TimePoint before, std::optional<std::string> after, int limit) override;

  Result<Page<Attempt>> list_attempts(std::string_view app_id, const PageQuery& page,
                                      const AttemptFilter& filter) override;
  Result<Attempt> get_attempt(std::string_view app_id, std::string_view msg_id, std::string_view attempt_id) override;
  Status expunge_attempt_content(std::string_view app_id, std::string_view msg_id,
                                 std::string_view attempt_id) override;
  Result<Page<EndpointMessage>> list_endpoint_messages(std::string_view app_id, std::string_view endpoint_id,
                                                       const PageQuery& page, const MessageFilter& filter) override;
  Result<Page<MessageDestination>> list_message_destinations(std::string_view app_id, std::string_view msg_id,
                                                             const PageQuery& page) override;

  void record_outcomes(std::vector<DeliveryOutcome> outcomes) override;
  Result<ClaimedWork> claim_due(std::string_view endpoint_id, TimePoint now, int limit) override;
  Result<ClaimedWork> claim_in_order(std::string_view endpoint_id, int limit) override;
  Result<std::vector<std::pair<std::string, TimePoint>>> unclaimed_work() override;
  Status release_all_claims() override;
  Result<DeliveryTask> manual_task(std::string_view app_id, std::string_view msg_id,
                                   std::string_view endpoint_id) override;
  Result<int> requeue_failed(std::string_view app_id, std::string_view endpoint_id, TimePoint since,
                             std::optional<TimePoint> until, TimePoint now) override;
  Result<std::string> shared_value(std::string_view name, std::string_view value_if_missing) override;
  void watch(ChangeHandlers handlers) override;
  Status flush() override;
  void ping(std::function<void(Status)> done) override;
  void readiness(std::function<void(Status)> done) override;
  Result<StoreGauges> gauges(TimePoint now) override;

  // Group commits so far (for tests that check writes share transactions).
  std::uint64_t commit_batches() const;

 private:
  // What this node last saw of an application's lease: whether its own, and until when.
  struct Lease {
    bool mine = false;
    TimePoint expires;
  };

  // A read-only connection borrowed from the pool for one read; returned when destroyed.
  class Reader {
   public:
    Reader(SqlStore& store, std::unique_ptr<Connection> connection)
        : store_(store), connection_(std::move(connection)) {}
    ~Reader();
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    SqlStore& store_;
    std::unique_ptr<Connection> connection_;
  };

  // What message fan-out needs to know of an endpoint.
  struct Route {
    std::string endpoint_id;
    std::optional<std::vector<std::string>> event_types;
    std::optional<std::vector<std::string>> channels;
    bool fifo = false;
  };
  using Routes = std::vector<Route>;

  Reader reader();
  // The enabled endpoints of an app; cached (routes_mutex_) unless other nodes share the database.
  Result<std::shared_ptr<const Routes>> routes(Connection& db, const std::string& app_id);
  // Writes a message, its payload and its destinations; inside a write of a message writer.
  Result<CreatedMessage> insert_message(Connection& db, const NewMessage& input);
  // Claims the rows `select` finds (?1 endpoint, ?2 now, ?3 limit), and finds the next due time.
  Result<ClaimedWork> claim(const char* select, std::string_view endpoint_id, TimePoint now, int limit);
  // Forgets an app's cached routes after one of its endpoints changed.
  void forget_routes(const std::string& app_id) {
    std::lock_guard lock(routes_mutex_);
    routes_.erase(app_id);
  }
  // The queue for a new message: the next of the message writers, in turn.
  WriteQueue& message_writer();
  // Read, change, write: on a shared database, other nodes' changes to the organization's configuration
  // wait until this write's transaction ends, so that none is lost (called first in the write).
  static Status lock_configuration(Connection& db, std::string_view org) {
    return db.lock_for_transaction("configuration\n" + std::string(org));
  }
  // Until when another node holds the application's lease; none when no other node holds it now.
  std::optional<TimePoint> held_elsewhere_until(Connection& db, const std::string& app_id, TimePoint now);
  // Notes that this node claims work under its lease of the application (see granted_).
  void note_granted(const std::string& app_id);
  // Whether this node holds (or now takes) the lease on the application's deliveries; only on the
  // writer thread. Taking one over from a node that is gone gives back that node's claims, and sets
  // `took_over`. Alone on the database, always.
  bool hold_lease(Connection& db, const std::string& app_id, TimePoint now, bool* took_over = nullptr);
  // The lease time in microseconds, so that its fractions do not round to whole seconds.
  std::chrono::microseconds ttl() const;
  // What this node last saw of an application's lease, and seeing it anew (none: forget it).
  std::optional<Lease> seen_lease(const std::string& app_id);
  void see_lease(const std::string& app_id, std::optional<Lease> lease);
  // Renews every lease of this node (a thread of its own, for a shared database).
  void keep_leases();
  // Passes one announcement (lines of "kind:id") to the handlers.
  void heard(const std::string& announcement);

  const SqlSettings settings_;
  // Touched inside writes, which several queues may run at once.
  std::mutex routes_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Routes>> routes_;  // guarded by routes_mutex_
  std::mutex leases_mutex_;
  std::unordered_map<std::string, Lease> leases_;  // guarded by leases_mutex_
  // Applications this node claimed work for since the keeper last ran: their leases are renewed then,
  // whether or not the claims have committed yet (guarded by leases_mutex_).
  std::unordered_set<std::string> granted_;
  std::unique_ptr<ChangeListener> listener_;
  std::mutex handlers_mutex_;  // held while a handler runs
  ChangeHandlers handlers_;    // guarded by handlers_mutex_
  bool listening_ = false;     // guarded by handlers_mutex_
  std::mutex keeper_mutex_;
  std::condition_variable keeper_wake_;
  bool stopping_ = false;  // guarded by keeper_mutex_
  std::thread keeper_;
  // When the keeper last renewed this node's leases (steady clock, since its epoch); readiness() fails
  // once this is older than lease_ttl.
  std::atomic<std::int64_t> leases_renewed_at_{0};
  std::unique_ptr<WriteQueue> writes_;
  std::vector<std::unique_ptr<WriteQueue>> message_writers_;
  std::atomic<std::size_t> next_writer_{0};
  std::mutex readers_mutex_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by readers_mutex_
};

}  // namespace hookd::store::sql
