// The dispatcher tests' fixture: the dispatcher with its real parts, a SQLite store in a temporary
// directory, the HTTP client, and receivers served over loopback. The retry schedule is compressed to
// milliseconds.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "core/ids.h"
#include "delivery/dispatcher.h"
#include "net/http_server.h"
#include "support/loopback.h"
#include "support/postgres.h"

namespace hookd::delivery {

using namespace std::chrono_literals;
using store::MessageStatus;

using hookd::testing::eventually;
using hookd::testing::Receiver;

// Keeps the operational events the dispatcher reports.
class RecordedEvents : public OperationalEvents {
 public:
  void publish(OperationalEvent event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  std::vector<OperationalEvent> all() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& event : all()) out.push_back(event.type);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<OperationalEvent> events_;
};

inline net::HttpResponse status(int code) {
  return code == 204 ? net::HttpResponse::empty(204)
                     : net::HttpResponse::json(code, "{\"status\":" + std::to_string(code) + "}");
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("hookd-dispatch-" + core::new_id(""));
    std::filesystem::create_directories(directory_);
    database_ = std::make_unique<hookd::testing::TestStore>(directory_);
    auto opened = database_->open();
    ASSERT_TRUE(opened) << opened.error().detail;
    store_ = std::move(*opened);
    loop_.start();
    options_.schedule.delays = {20ms, 20ms, 20ms};
    options_.schedule.penalty = 30ms;
    options_.request.timeout = 2s;
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->stop(1s);
    dispatcher_.reset();
    loop_.stop();
    store_.reset();
    database_.reset();
    std::filesystem::remove_all(directory_);
  }

  void start_dispatcher() {
    dispatcher_ =
        std::make_unique<Dispatcher>(*store_, sender_, loop_, core::SystemClock::instance(), options_, &events_);
    ASSERT_TRUE(dispatcher_->start());
  }

  // An app with one endpoint at `url`.
  store::Endpoint endpoint(const std::string& url, std::optional<int> throttle_rate = std::nullopt,
                           std::optional<int> app_throttle_rate = std::nullopt) {
    const auto now = core::SystemClock::instance().now();
    if (app_.id.empty()) {
      app_ = {core::new_id("app_"), "org_1", std::nullopt, "App", app_throttle_rate, {}, now, now};
      EXPECT_TRUE(store_->create_application(app_));
    }
    store::Endpoint e;
    e.id = core::new_id("ep_");
    e.org_id = app_.org_id;
    e.app_id = app_.id;
    e.url = url;
    e.keys = {{key_.to_string(), std::nullopt}};
    e.throttle_rate = throttle_rate;
    e.created_at = e.updated_at = now;
    EXPECT_TRUE(store_->create_endpoint(e));
    return e;
  }

  // Publishes one message; returns it after handing its deliveries to the dispatcher (if any).
  store::Message publish(std::string payload = "{\"hello\":\"world\"}", bool hand_off = true) {
    const auto now = core::SystemClock::instance().now();
    store::Message message{core::new_id("msg_"), app_.org_id,        app_.id, "test.event", std::nullopt,
                           std::nullopt,         std::move(payload), now,     now + 24h};
    // Claimed, as the API does; deliveries to endpoints that overflowed (or FIFO ones) wait in the store.
    auto created =
        store_->create_message({message, std::nullopt, true, dispatcher_ ? dispatcher_->leave_queued() : nullptr});
    EXPECT_TRUE(created);
    if (hand_off && dispatcher_) dispatcher_->submit(std::move(created->tasks), std::move(created->queued));
    return message;
  }

  // Disables or enables the endpoint in the store and tells the dispatcher, as the API does.
  void set_disabled(const store::Endpoint& e, bool disabled) {
    change(e, [disabled](store::Endpoint& x) { x.disabled = disabled; });
  }

  // Changes the endpoint in the store and tells the dispatcher, as the API does.
  void change(const store::Endpoint& e, const std::function<void(store::Endpoint&)>& edit) {
    ASSERT_TRUE(store_->update_endpoint(
        app_.org_id, app_.id, e.id,
        [&](store::Endpoint& x) {
          edit(x);
          return core::Status{};
        },
        std::nullopt));
    if (dispatcher_) dispatcher_->endpoint_changed(e.id);
  }

  std::vector<store::Attempt> attempts(const std::string& msg_id) {
    store::AttemptFilter filter;
    filter.msg_id = msg_id;
    return store_->list_attempts(app_.id, {250, std::nullopt, true}, filter)->items;
  }

  MessageStatus destination_status(const std::string& msg_id) {
    auto page = store_->list_message_destinations(app_.id, msg_id, {});
    return page->items.empty() ? MessageStatus::sending : page->items[0].destination.status;
  }

  std::filesystem::path directory_;
  std::unique_ptr<hookd::testing::TestStore> database_;
  std::unique_ptr<store::Store> store_;
  net::EventLoop loop_;
  net::HttpClient client_{loop_, {}};
  HttpSender sender_{client_};
  DispatcherOptions options_;
  std::unique_ptr<Dispatcher> dispatcher_;
  store::Application app_;
  sign::Secret key_ = sign::Secret::generate_hmac();
  RecordedEvents events_;
};

}  // namespace hookd::delivery
