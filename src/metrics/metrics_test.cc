#include "metrics/metrics.h"

#include <gtest/gtest.h>

namespace hookd::metrics {
namespace {

using std::chrono::milliseconds;

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

TEST(MetricsTest, CountersSayWhatWasRecordedWithEveryLabelValueShownFromTheStart) {
  Metrics metrics;
  std::string text = metrics.render({});
  EXPECT_TRUE(has_line(text, R"(hookd_messages_accepted_total{origin="api"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(hookd_delivery_attempts_total{outcome="timeout"} 0)"));

  metrics.message_accepted(Origin::api);
  metrics.message_accepted(Origin::api);
  metrics.message_accepted(Origin::inbound);
  metrics.attempt_finished(AttemptOutcome::success, milliseconds(3));
  metrics.attempt_finished(AttemptOutcome::http_5xx, milliseconds(40));
  metrics.delivered(std::chrono::seconds(2));
  metrics.endpoint_disabled(DisableReason::gone);
  metrics.inbound_request("github", InboundVerdict::duplicate);
  metrics.inbound_request("made-up", InboundVerdict::valid);
  text = metrics.render({});
  EXPECT_TRUE(has_line(text, R"(hookd_messages_accepted_total{origin="api"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(hookd_messages_accepted_total{origin="inbound"} 1)"));
  EXPECT_TRUE(has_line(text, R"(hookd_messages_accepted_total{origin="operational"} 0)"));
  EXPECT_TRUE(has_line(text, R"(hookd_delivery_attempts_total{outcome="success"} 1)"));
  EXPECT_TRUE(has_line(text, R"(hookd_delivery_attempts_total{outcome="http_5xx"} 1)"));
  EXPECT_TRUE(has_line(text, R"(hookd_delivery_attempt_duration_seconds_count 2)"));
  EXPECT_TRUE(has_line(text, R"(hookd_delivery_attempt_duration_seconds_bucket{le="0.005"} 1)"));
  EXPECT_TRUE(has_line(text, R"(hookd_delivery_attempt_duration_seconds_bucket{le="0.05"} 2)"));
  EXPECT_TRUE(has_line(text, R"(hookd_delivery_lag_seconds_bucket{le="1"} 0)"));
  EXPECT_TRUE(has_line(text, R"(hookd_delivery_lag_seconds_bucket{le="2.5"} 1)"));
  EXPECT_TRUE(has_line(text, R"(hookd_endpoints_disabled_total{reason="gone"} 1)"));
  EXPECT_TRUE(has_line(text, R"(hookd_inbound_requests_total{scheme="github",verdict="duplicate"} 1)"));
  EXPECT_TRUE(has_line(text, R"(hookd_inbound_requests_total{scheme="other",verdict="valid"} 1)"));
  EXPECT_EQ(text.find("made-up"), std::string::npos);  // no label takes a value from outside
}

TEST(MetricsTest, ApiRequestsCountByRouteTemplateAndStatusClass) {
  Metrics metrics;
  const auto create = metrics.api_route("POST", "/api/v1/app/{app_id}/msg");
  const auto unmatched = metrics.unmatched_route();
  EXPECT_EQ(metrics.unmatched_route(), unmatched);
  metrics.api_request(create, 202, milliseconds(1));
  metrics.api_request(create, 202, milliseconds(1));
  metrics.api_request(create, 422, milliseconds(1));
  metrics.api_request(unmatched, 404, milliseconds(1));
  const std::string text = metrics.render({});
  EXPECT_TRUE(
      has_line(text, R"(hookd_api_requests_total{code="2xx",method="POST",route="/api/v1/app/{app_id}/msg"} 2)"))
      << text;
  EXPECT_TRUE(
      has_line(text, R"(hookd_api_requests_total{code="4xx",method="POST",route="/api/v1/app/{app_id}/msg"} 1)"));
  EXPECT_TRUE(has_line(text, R"x(hookd_api_requests_total{code="4xx",method="",route="(unmatched)"} 1)x"));
  EXPECT_TRUE(
      has_line(text, R"(hookd_api_request_duration_seconds_count{method="POST",route="/api/v1/app/{app_id}/msg"} 3)"));
}

TEST(MetricsTest, GaugesAppearOnceTheirValueIsKnown) {
  Metrics metrics;
  std::string text = metrics.render({});
  EXPECT_EQ(text.find("hookd_leases_held"), std::string::npos);
  Gauges gauges;
  gauges.in_flight = 7;
  gauges.queued_in_store = 1200;
  text = metrics.render(gauges);
  EXPECT_TRUE(has_line(text, "hookd_deliveries_in_flight 7")) << text;
  EXPECT_TRUE(has_line(text, "hookd_deliveries_queued_in_store 1200"));
  EXPECT_EQ(text.find("hookd_leases_held"), std::string::npos);
}

TEST(MetricsTest, StoreCommitsAndHookRuns) {
  Metrics metrics;
  metrics.store_commit(std::chrono::microseconds(800), 37, true);
  metrics.store_commit(std::chrono::microseconds(800), 1, false);
  metrics.hook_run(HookOutcome::success, milliseconds(20));
  metrics.hook_run(HookOutcome::rules_unmet, milliseconds(0));
  const std::string text = metrics.render({});
  EXPECT_TRUE(has_line(text, "hookd_store_commit_writes_bucket{le=\"32\"} 1")) << text;
  EXPECT_TRUE(has_line(text, "hookd_store_commit_writes_bucket{le=\"64\"} 2"));
  EXPECT_TRUE(has_line(text, "hookd_store_commit_failures_total 1"));
  EXPECT_TRUE(has_line(text, R"(hookd_hook_runs_total{outcome="rules_unmet"} 1)"));
  EXPECT_TRUE(has_line(text, "hookd_hook_run_duration_seconds_count 1"));
}

}  // namespace
}  // namespace hookd::metrics
