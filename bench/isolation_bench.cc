// Endpoint isolation: 100 endpoints (one per app), and a second run in which 10 of them never answer
// (every attempt to them hangs until the 15 s timeout). The 90 healthy endpoints should keep their
// throughput (within 10%) and their p99 latency (within 2x) of the run without failing endpoints.
// A third run makes one application hostile instead: 300 endpoints, all hanging, enough to fill the
// global cap (2000 attempts) alone but for its share (delivery.app_concurrency, 500).
//
//   build/bench/isolation_bench [--hookd build/src/cli/hookd] [--seconds 10]
#include "bench_support.h"

using namespace hookd;
using namespace hookd::bench;

namespace {

struct Figures {
  double healthy_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// `failing` apps of one endpoint each never answer; with `hostile_endpoints`, the first app has that many
// endpoints, all never answering.
Figures run_scenario(const std::string& binary, const std::filesystem::path& work, int failing, int seconds,
                     int hostile_endpoints = 1) {
  constexpr int kEndpoints = 100;
  Receiver healthy;
  Receiver blackhole(false);
  Hookd hookd =
      start_hookd(binary, work / ("data-" + std::to_string(failing) + "-" + std::to_string(hostile_endpoints)));
  Api api(hookd.url, hookd.token);
  std::vector<std::string> all, healthy_only;
  for (int i = 0; i < kEndpoints; ++i) {
    const std::string app = "app-" + std::to_string(i);
    api.call("POST", "/api/v1/app", R"({"name":")" + app + R"(","uid":")" + app + R"("})");
    const std::string url = i < failing ? blackhole.url() : healthy.url() + "/" + std::to_string(i);
    for (int e = 0; e < (i < failing ? hostile_endpoints : 1); ++e) {
      api.call("POST", "/api/v1/app/" + app + "/endpoint", R"({"url":")" + url + R"("})");
    }
    all.push_back(hookd.url + "/api/v1/app/" + app + "/msg");
    if (i >= failing) healthy_only.push_back(all.back());
  }

  // Throughput: publish round-robin to all 100 apps as fast as 64 clients can, and count what the
  // healthy endpoints receive in that time.
  const auto before = healthy.delivered();
  const auto started = Clock::now();
  publish_count(all, hookd.token, 1L << 40, 64, started + std::chrono::seconds(seconds));
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  Figures figures;
  figures.healthy_per_second = static_cast<double>(healthy.delivered() - before) / elapsed;

  // Latency of the healthy endpoints while messages keep coming for all 100 at 1,000/s.
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let the throughput run's queue drain
  healthy.record_latencies(true);
  publish_steady(all, hookd.token, 1000, seconds);
  std::this_thread::sleep_for(500ms);
  healthy.record_latencies(false);
  const auto latencies = healthy.latencies();
  figures.p50_ms = static_cast<double>(percentile(latencies, 0.50)) / 1000.0;
  figures.p99_ms = static_cast<double>(percentile(latencies, 0.99)) / 1000.0;
  hookd.stop();
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchRun bench = start_bench(argc, argv, false);
  const std::string& binary = bench.binary;
  const int seconds = bench.seconds;
  const auto& work = bench.work;

  const Figures baseline = run_scenario(binary, work, 0, seconds);
  std::printf("100 healthy endpoints:          %.0f deliveries/s to them, latency p50 %.2f ms p99 %.2f ms\n",
              baseline.healthy_per_second, baseline.p50_ms, baseline.p99_ms);
  const Figures failing = run_scenario(binary, work, 10, seconds);
  std::printf("90 healthy + 10 never answering: %.0f deliveries/s to the healthy, latency p50 %.2f ms p99 %.2f ms\n",
              failing.healthy_per_second, failing.p50_ms, failing.p99_ms);
  // Per healthy endpoint, so that 90 endpoints compare with 100.
  const double per_endpoint_ratio = (failing.healthy_per_second / 90) / (baseline.healthy_per_second / 100);
  std::printf(
      "healthy throughput per endpoint: %.2f of the baseline (goal >= 0.90); p99: %.2fx the baseline (goal <= 2)\n",
      per_endpoint_ratio, failing.p99_ms / baseline.p99_ms);
  const Figures hostile = run_scenario(binary, work, 1, seconds, 300);
  std::printf(
      "99 healthy + 1 app of 300 never answering: %.0f deliveries/s to the healthy, latency p50 %.2f ms p99 %.2f ms\n",
      hostile.healthy_per_second, hostile.p50_ms, hostile.p99_ms);
  std::printf("healthy throughput per endpoint: %.2f of the baseline; p99: %.2fx the baseline\n",
              (hostile.healthy_per_second / 99) / (baseline.healthy_per_second / 100),
              hostile.p99_ms / baseline.p99_ms);
  std::filesystem::remove_all(work);
  return 0;
}
