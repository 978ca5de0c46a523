// Inbound figures of `hookd serve` on this machine, with their ratio to this machine's ceiling measured
// in the same run (the raw POST rate `wrk` reaches against a loopback receiver).
//
//   build/bench/inbound_bench [--hookd build/src/cli/hookd] [--seconds 10]
//
// Figures: verified inbound requests per second (GitHub scheme: X-Hub-Signature-256 checked, a fresh
// X-GitHub-Delivery on each request, kept and routed in one commit, fsync on), answered 2xx to 64
// keep-alive clients; and the rate at which they are then forwarded to one endpoint and recorded.
// 1 KiB bodies. hookd runs as its own process.
#include "bench_support.h"
#include "hookd/sign/github.h"

using namespace hookd;
using namespace hookd::bench;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const BenchRun bench = start_bench(argc, argv);
  const auto& work = bench.work;
  const std::string duration = bench.duration();
  const int seconds = bench.seconds;

  Receiver receiver;
  const std::string body = payload_1kib();
  const double ceiling = measure_ceiling(bench, receiver, body, 64);

  Hookd hookd = start_hookd(bench.binary, work / "data", "all");
  Api api(hookd.url, hookd.token);
  api.call("POST", "/api/v1/app", R"({"name":"inbound","uid":"inbound"})");
  api.call("POST", "/api/v1/app/inbound/endpoint", R"({"url":")" + receiver.url() + R"(","uid":"ep"})");
  api.call("POST", "/api/v1/source",
           R"({"name":"github","scheme":"github","secrets":["bench-secret"],"app":"inbound"})");

  // Each request carries its own delivery id, so that none is a duplicate.
  std::string lua = wrk_script(body, {"Content-Type: application/json", "X-GitHub-Event: push",
                                      "X-Hub-Signature-256: " + sign::sign_github("bench-secret", body)});
  lua +=
      "local made = 0\n"
      "function setup(thread) made = made + 1; thread:set('thread_number', made) end\n"
      "local counter = 0\n"
      "local prefix = ''\n"
      "function init(args) prefix = tostring(thread_number) .. '-' .. tostring(os.time()) end\n"
      "function request()\n"
      "  counter = counter + 1\n"
      "  wrk.headers['X-GitHub-Delivery'] = prefix .. '-' .. counter\n"
      "  return wrk.format()\n"
      "end\n";
  const auto script = write_file(work / "github.lua", lua);
  const auto started = Clock::now();
  const std::string output = run("wrk -t2 -c64 -d" + duration + " -s " + script + " " + hookd.url + "/in/github");
  const double verified = wrk_rate(output);
  const long accepted = wrk_requests(output) - wrk_non_2xx(output);
  std::printf("verified inbound: %.0f requests/s answered 2xx (%ld non-2xx)   ratio %.2f\n", verified,
              wrk_non_2xx(output), verified / ceiling);

  std::int64_t forwarded = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(10 * seconds + 60);
  while (Clock::now() < deadline && (forwarded = api.successes("inbound", "ep")) < accepted) {
    std::this_thread::sleep_for(20ms);
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  if (forwarded < accepted) {
    std::printf("   not all forwarded: stats %s\n",
                api.call("GET", "/api/v1/app/inbound/endpoint/ep/stats").body.c_str());
  }
  std::printf("forwarded: all %lld of %ld accepted delivered and recorded at %.0f/s   ratio %.2f   [RSS %zu MiB]\n",
              static_cast<long long>(forwarded), accepted, static_cast<double>(forwarded) / elapsed,
              static_cast<double>(forwarded) / elapsed / ceiling, hookd.rss_kib("VmHWM:") / 1024);
  hookd.stop();
  std::filesystem::remove_all(work);
  return 0;
}
