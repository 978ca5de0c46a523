// A Store that passes every call to another one: tests derive from it and override the calls they want
// to slow down or fail (as leveldb's fault-injection Env wraps the real one), so that what the rest of
// hookd does then is tested on a real database.
#pragma once

#include "store/store.h"

namespace hookd::store {

class ForwardingStore : public Store {
 public:
  // `target` must outlive this store.
  explicit ForwardingStore(Store& target) : target_(target) {}

  Result<Application> create_application(Application app) override {
    return target_.create_application(std::move(app));
  }
  Result<Application> get_application(std::string_view org, std::string_view app) override {
    return target_.get_application(org, app);
  }
  Result<Page<Application>> list_applications(std::string_view org, const PageQuery& page) override {
    return target_.list_applications(org, page);
  }
  Result<Saved<Application>> update_application(std::string_view org, std::string_view app,
                                                const Change<Application>& change,
                                                std::optional<Application> create) override {
    return target_.update_application(org, app, change, std::move(create));
  }
  Status delete_application(std::string_view org, std::string_view app) override {
    return target_.delete_application(org, app);
  }
  Result<EventType> create_event_type(EventType type) override { return target_.create_event_type(std::move(type)); }
  Result<EventType> get_event_type(std::string_view org, std::string_view name) override {
    return target_.get_event_type(org, name);
  }
  Result<Page<EventType>> list_event_types(std::string_view org, const PageQuery& page,
                                           bool include_archived) override {
    return target_.list_event_types(org, page, include_archived);
  }
  Result<Saved<EventType>> update_event_type(std::string_view org, std::string_view name,
                                             const Change<EventType>& change,
                                             std::optional<EventType> create) override {
    return target_.update_event_type(org, name, change, std::move(create));
  }
  Status delete_event_type(std::string_view org, std::string_view name, bool expunge) override {
    return target_.delete_event_type(org, name, expunge);
  }
  Result<Endpoint> create_endpoint(Endpoint endpoint) override { return target_.create_endpoint(std::move(endpoint)); }
  Result<Endpoint> get_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint) override {
    return target_.get_endpoint(org, app_id, endpoint);
  }
  Result<Page<Endpoint>> list_endpoints(std::string_view org, std::string_view app_id, const PageQuery& page) override {
    return target_.list_endpoints(org, app_id, page);
  }
  Result<Saved<Endpoint>> update_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint,
                                          const Change<Endpoint>& change, std::optional<Endpoint> create) override {
    return target_.update_endpoint(org, app_id, endpoint, change, std::move(create));
  }
  Status delete_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint) override {
    return target_.delete_endpoint(org, app_id, endpoint);
  }
  Result<EndpointStats> endpoint_stats(std::string_view app_id, std::string_view endpoint_id,
                                       std::optional<TimePoint> since, std::optional<TimePoint> until) override {
    return target_.endpoint_stats(app_id, endpoint_id, since, until);
  }
  Result<Endpoint> find_endpoint(std::string_view endpoint_id) override { return target_.find_endpoint(endpoint_id); }
  Result<CreatedMessage> create_message(NewMessage message) override {
    return target_.create_message(std::move(message));
  }
  void create_message_async(NewMessage message, std::function<void(Result<CreatedMessage>)> done) override {
    target_.create_message_async(std::move(message), std::move(done));
  }
  Result<Message> get_message(std::string_view app_id, std::string_view msg) override {
    return target_.get_message(app_id, msg);
  }
  Result<Page<Message>> list_messages(std::string_view app_id, const PageQuery& page,
                                      const MessageFilter& filter) override {
    return target_.list_messages(app_id, page, filter);
  }
  Status expunge_message_content(std::string_view app_id, std::string_view msg_id) override {
    return target_.expunge_message_content(app_id, msg_id);
  }
  Result<Page<Attempt>> list_attempts(std::string_view app_id, const PageQuery& page,
                                      const AttemptFilter& filter) override {
    return target_.list_attempts(app_id, page, filter);
  }
  Result<Attempt> get_attempt(std::string_view app_id, std::string_view msg_id, std::string_view attempt_id) override {
    return target_.get_attempt(app_id, msg_id, attempt_id);
  }
  Status expunge_attempt_content(std::string_view app_id, std::string_view msg_id,
                                 std::string_view attempt_id) override {
    return target_.expunge_attempt_content(app_id, msg_id, attempt_id);
  }
  Result<Page<EndpointMessage>> list_endpoint_messages(std::string_view app_id, std::string_view endpoint_id,
                                                       const PageQuery& page, const MessageFilter& filter) override {
    return target_.list_endpoint_messages(app_id, endpoint_id, page, filter);
  }
  Result<Page<MessageDestination>> list_message_destinations(std::string_view app_id, std::string_view msg_id,
                                                             const PageQuery& page) override {
    return target_.list_message_destinations(app_id, msg_id, page);
  }
  void record_outcomes(std::vector<DeliveryOutcome> outcomes) override { target_.record_outcomes(std::move(outcomes)); }
  Result<ClaimedWork> claim_due(std::string_view endpoint_id, TimePoint now, int limit) override {
    return target_.claim_due(endpoint_id, now, limit);
  }
  Result<ClaimedWork> claim_in_order(std::string_view endpoint_id, int limit) override {
    return target_.claim_in_order(endpoint_id, limit);
  }
  Result<std::vector<std::pair<std::string, TimePoint>>> unclaimed_work() override { return target_.unclaimed_work(); }
  Status release_all_claims() override { return target_.release_all_claims(); }
  Result<DeliveryTask> manual_task(std::string_view app_id, std::string_view msg_id,
                                   std::string_view endpoint_id) override {
    return target_.manual_task(app_id, msg_id, endpoint_id);
  }
  Result<int> requeue_failed(std::string_view app_id, std::string_view endpoint_id, TimePoint since,
                             std::optional<TimePoint> until, TimePoint now) override {
    return target_.requeue_failed(app_id, endpoint_id, since, until, now);
  }
  Result<Source> create_source(Source source) override { return target_.create_source(std::move(source)); }
  Result<Source> get_source(std::string_view org, std::string_view source) override {
    return target_.get_source(org, source);
  }
  Result<Page<Source>> list_sources(std::string_view org, const PageQuery& page) override {
    return target_.list_sources(org, page);
  }
  Result<Saved<Source>> update_source(std::string_view org, std::string_view source, const Change<Source>& change,
                                      std::optional<Source> create) override {
    return target_.update_source(org, source, change, std::move(create));
  }
  Status delete_source(std::string_view org, std::string_view source) override {
    return target_.delete_source(org, source);
  }
  Result<Source> find_source(std::string_view source, std::string_view names_of) override {
    return target_.find_source(source, names_of);
  }
  void receive_async(NewInbound inbound, std::function<void(Result<Received>)> done) override {
    target_.receive_async(std::move(inbound), std::move(done));
  }
  Result<Page<InboundRequest>> list_inbound(std::string_view source_id, const PageQuery& page) override {
    return target_.list_inbound(source_id, page);
  }
  Result<InboundRequest> get_inbound(std::string_view source_id, std::string_view request_id) override {
    return target_.get_inbound(source_id, request_id);
  }
  Result<std::optional<KeptAnswer>> find_answer(std::string_view key, TimePoint since) override {
    return target_.find_answer(key, since);
  }
  void keep_answer_async(std::string key, KeptAnswer answer, TimePoint expired,
                         std::function<void(Status)> done) override {
    target_.keep_answer_async(std::move(key), std::move(answer), expired, std::move(done));
  }
  Result<int> purge_expired_payloads(TimePoint now, int limit) override {
    return target_.purge_expired_payloads(now, limit);
  }
  Result<PruneBatch> prune_messages(TimePoint before, std::optional<std::string> after, int limit) override {
    return target_.prune_messages(before, std::move(after), limit);
  }
  Result<std::string> shared_value(std::string_view name, std::string_view value_if_missing) override {
    return target_.shared_value(name, value_if_missing);
  }
  void watch(ChangeHandlers handlers) override { target_.watch(std::move(handlers)); }
  Status flush() override { return target_.flush(); }
  void ping(std::function<void(Status)> done) override { target_.ping(std::move(done)); }
  void readiness(std::function<void(Status)> done) override { target_.readiness(std::move(done)); }
  Result<StoreGauges> gauges(TimePoint now) override { return target_.gauges(now); }

 protected:
  Store& target_;
};

}  // namespace hookd::store
