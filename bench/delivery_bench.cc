// End-to-end figures of `hookd serve` on this machine, each with its ratio to this machine's ceiling
// measured in the same run: the raw POST rate `wrk` reaches against the same loopback receiver.
//
//   build/bench/delivery_bench [--hookd build/src/cli/hookd] [--seconds 10] [--backlog 1000000]
//
// Figures: durable ingest (messages accepted per second by 64 keep-alive clients, fsync on), delivery
// (deliveries per second, publish -> signed POST received -> attempt recorded), latency (p50/p99 from
// publish to receipt at a steady 1,000 messages/s), and memory (peak RSS; RSS with a backlog queued for
// an endpoint that never answers). 1 KiB payloads, one endpoint per app. hookd runs as its own process.
#include "bench_support.h"

using namespace hookd;
using namespace hookd::bench;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

int main(int argc, char** argv) {
  const BenchRun bench = start_bench(argc, argv);
  const std::string& binary = bench.binary;
  const int seconds = bench.seconds;
  const long backlog = bench.number("backlog", 1000000);
  const auto& work = bench.work;
  const std::string duration = bench.duration();

  // 1. The ceiling: wrk's raw POST rate against the receiver, 64 connections.
  Receiver receiver;
  const std::string body = payload_1kib();
  const double ceiling = measure_ceiling(bench, receiver, body, 64);

  const auto msg_script = [&](const std::string& token) {
    return write_file(work / "msg.lua",
                      wrk_script("{\"eventType\":\"bench\",\"payload\":" + body + "}",
                                 {"Content-Type: application/json", "Authorization: Bearer " + token}));
  };
  // Waits until the receiver has counted `received_expected` deliveries in all, then until hookd has
  // recorded `recorded_expected` successes. The receiver's count costs nothing; hookd's is a query over
  // every delivery of the endpoint, which, asked every 20 ms while it drained 60,000 deliveries, took a
  // third of hookd's CPU: it is asked only once the receiver has them all.
  const auto wait_for_successes = [&](Api& api, std::int64_t received_expected, std::int64_t recorded_expected,
                                      Clock::time_point since) {
    const auto deadline = Clock::now() + std::chrono::seconds(10 * seconds + 120);
    while (Clock::now() < deadline && static_cast<std::int64_t>(receiver.delivered()) < received_expected) {
      std::this_thread::sleep_for(2ms);
    }
    std::int64_t recorded = 0;
    while (Clock::now() < deadline && (recorded = api.successes("bench", "ep")) < recorded_expected) {
      std::this_thread::sleep_for(10ms);
    }
    return std::pair{recorded, std::chrono::duration<double>(Clock::now() - since).count()};
  };

  // 2. Durable ingest alone: hookd with only its API (role api), fsync on every commit (the default);
  //    the accepted messages wait in the store's queue.
  {
    Hookd api_only = start_hookd(binary, work / "data", "api");
    Api api(api_only.url, api_only.token);
    api.call("POST", "/api/v1/app", R"({"name":"bench","uid":"bench"})");
    api.call("POST", "/api/v1/app/bench/endpoint", R"({"url":")" + receiver.url() + R"(","uid":"ep"})");
    const std::string output = run("wrk -t2 -c64 -d" + duration + " -s " + msg_script(api_only.token) + " " +
                                   api_only.url + "/api/v1/app/bench/msg");
    const double ingest = wrk_rate(output);
    std::printf("durable ingest: %.0f messages/s accepted by 64 keep-alive clients (%ld non-2xx)   ratio %.2f\n",
                ingest, wrk_non_2xx(output), ingest / ceiling);
    api_only.stop();
  }

  // 3. Delivery: the same hookd, now with delivery on, works off that queue: publish -> signed POST
  //    received -> attempt recorded, for every message.
  const auto received_before_delivery = static_cast<std::int64_t>(receiver.delivered());
  Hookd hookd = start_hookd(binary, work / "data", "all");
  Api api(hookd.url, hookd.token);
  {
    const auto stats = json::parse(api.call("GET", "/api/v1/app/bench/endpoint/ep/stats").body);
    const std::int64_t queued = stats.at("pending").as_int64() + stats.at("success").as_int64();
    const auto started = Clock::now();
    const auto [recorded, elapsed] = wait_for_successes(api, received_before_delivery + queued, queued, started);
    const double delivery = static_cast<double>(recorded) / elapsed;
    std::printf("delivery: %.0f deliveries/s (%lld queued, %lld recorded in %.1f s)   ratio %.2f   [RSS %zu MiB]\n",
                delivery, static_cast<long long>(queued), static_cast<long long>(recorded), elapsed, delivery / ceiling,
                hookd.rss_kib() / 1024);
  }

  // 4. Both at once: ingest at full speed while delivering what comes in.
  {
    const std::int64_t before = api.successes("bench", "ep");
    const auto received_before = static_cast<std::int64_t>(receiver.delivered());
    const auto started = Clock::now();
    const std::string output = run("wrk -t2 -c64 -d" + duration + " -s " + msg_script(hookd.token) + " " + hookd.url +
                                   "/api/v1/app/bench/msg");
    const std::int64_t accepted = wrk_requests(output) - wrk_non_2xx(output);
    const auto [recorded, elapsed] = wait_for_successes(api, received_before + accepted, before + accepted, started);
    std::printf(
        "ingest while delivering: %.0f messages/s accepted, all %lld delivered and recorded at %.0f/s   "
        "ratio %.2f\n",
        wrk_rate(output), static_cast<long long>(recorded - before), static_cast<double>(recorded - before) / elapsed,
        static_cast<double>(recorded - before) / elapsed / ceiling);
    std::printf("   [RSS %zu MiB]\n", hookd.rss_kib() / 1024);
  }

  // 5. Latency at a steady 1,000 messages/s.
  receiver.record_latencies(true);
  publish_steady({hookd.url + "/api/v1/app/bench/msg"}, hookd.token, 1000, seconds);
  std::this_thread::sleep_for(500ms);
  receiver.record_latencies(false);
  const auto latencies = receiver.latencies();
  std::printf("latency at 1000/s: p50 %.2f ms, p99 %.2f ms (%zu deliveries)\n",
              static_cast<double>(percentile(latencies, 0.50)) / 1000.0,
              static_cast<double>(percentile(latencies, 0.99)) / 1000.0, latencies.size());
  std::printf("memory: peak RSS %zu MiB\n", hookd.rss_kib("VmHWM:") / 1024);

  // 6. A backlog for an endpoint that never answers: it lives on disk, not in memory.
  if (backlog > 0) {
    Receiver blackhole(false);
    api.call("POST", "/api/v1/app", R"({"name":"backlog","uid":"backlog"})");
    api.call("POST", "/api/v1/app/backlog/endpoint", R"({"url":")" + blackhole.url() + R"("})");
    const auto started = Clock::now();
    publish_count({hookd.url + "/api/v1/app/backlog/msg"}, hookd.token, backlog, 64);
    const double taken = std::chrono::duration<double>(Clock::now() - started).count();
    std::this_thread::sleep_for(2s);
    std::printf(
        "backlog: %ld messages queued for an endpoint that never answers in %.0f s; RSS %zu MiB "
        "(peak %zu MiB)\n",
        backlog, taken, hookd.rss_kib() / 1024, hookd.rss_kib("VmHWM:") / 1024);
  }
  hookd.stop();
  std::filesystem::remove_all(work);
  return 0;
}
