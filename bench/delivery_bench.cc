// End-to-end figures of `hookd serve` on this machine, each with its ratio to this machine's ceiling
// measured in the same run: the raw POST rate `wrk` reaches against the same loopback receiver.
//
//   build/bench/delivery_bench [--hookd build/src/cli/hookd] [--seconds 10] [--backlog 1000000]
//
// Figures: durable ingest (messages accepted per second by 64 keep-alive clients, fsync on), delivery
// (deliveries per second, publish -> signed POST received -> attempt recorded), latency (p50/p99 from
// publish to receipt at a steady 1,000 messages/s), and memory (peak RSS; RSS with a backlog queued for
// an endpoint that never answers). 1 KiB payloads, one endpoint per app. hookd runs as its own process.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/ids.h"
#include "core/time.h"
#include "net/event_loop.h"
#include "net/http_client.h"
#include "net/http_server.h"

namespace {

using namespace hookd;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

std::int64_t now_micros() { return core::to_micros(core::SystemClock::instance().now()); }

// A loopback receiver answering 204 at once; it counts deliveries and, for payloads that carry
// "t":<publish time in µs>, records the latency from publish to receipt.
class Receiver {
 public:
  explicit Receiver(bool answer = true) {
    net::ServerOptions options;
    options.threads = 1;
    options.max_body_bytes = 1 << 20;
    std::string error;
    server_ = net::HttpServer::listen(
        options,
        [this, answer](net::HttpRequest&& request, net::Respond respond) {
          const auto at = now_micros();
          delivered_.fetch_add(1, std::memory_order_relaxed);
          if (recording_) {
            const auto t = request.body.find("\"t\":");
            if (t != std::string::npos) {
              const std::int64_t sent = std::atoll(request.body.c_str() + t + 4);
              std::lock_guard lock(mutex_);
              latencies_.push_back(at - sent);
            }
          }
          if (answer)
            respond(net::HttpResponse::empty(204));
          else
            held_.push_back(std::move(respond));  // a receiver that never answers
        },
        error);
    if (!server_) {
      std::fprintf(stderr, "receiver: %s\n", error.c_str());
      std::exit(1);
    }
    server_->start();
  }
  ~Receiver() { server_->stop(0ms); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook"; }
  std::uint64_t delivered() const { return delivered_.load(); }
  void record_latencies(bool on) { recording_ = on; }
  std::vector<std::int64_t> latencies() {
    std::lock_guard lock(mutex_);
    return latencies_;
  }

 private:
  std::unique_ptr<net::HttpServer> server_;
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<bool> recording_{false};
  std::mutex mutex_;
  std::vector<std::int64_t> latencies_;
  std::vector<net::Respond> held_;  // only touched on the receiver's single I/O thread
};

// Runs a command and returns its standard output.
std::string run(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    pclose(pipe);
  }
  return out;
}

double wrk_rate(const std::string& output) {
  std::smatch match;
  if (std::regex_search(output, match, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) return std::stod(match[1]);
  return 0;
}

long wrk_requests(const std::string& output) {
  std::smatch match;
  if (std::regex_search(output, match, std::regex(R"(([0-9]+) requests in)"))) return std::stol(match[1]);
  return 0;
}

long wrk_non_2xx(const std::string& output) {
  std::smatch match;
  if (std::regex_search(output, match, std::regex(R"(Non-2xx or 3xx responses:\s+([0-9]+))"))) {
    return std::stol(match[1]);
  }
  return 0;
}

std::string write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

// A wrk script that POSTs `body` with `headers`, and stops each thread after `limit` answers (0: never).
std::string wrk_script(const std::string& body, const std::vector<std::string>& headers, long limit) {
  std::string lua = "wrk.method = \"POST\"\nwrk.body = [==[" + body + "]==]\n";
  for (const auto& header : headers)
    lua += "wrk.headers[\"" + header.substr(0, header.find(':')) + "\"] = \"" + header.substr(header.find(':') + 2) +
           "\"\n";
  if (limit > 0) {
    lua +=
        "local answered = 0\nfunction response(status, headers, body)\n  answered = answered + 1\n"
        "  if answered >= " +
        std::to_string(limit) + " then wrk.thread:stop() end\nend\n";
  }
  return lua;
}

std::string payload_1kib() {
  std::string padding(1024 - 40, 'x');
  return "{\"type\":\"bench\",\"padding\":\"" + padding + "\"}";
}

struct Hookd {
  pid_t pid = -1;
  std::string url;
  std::string token;

  std::size_t rss_kib(const char* field = "VmRSS:") const {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind(field, 0) == 0) return std::stoul(line.substr(std::string(field).size()));
    }
    return 0;
  }
  void stop() const {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
};

Hookd start_hookd(const std::string& binary, const std::filesystem::path& data_dir, const char* role = "all") {
  int out[2];
  if (::pipe(out) != 0) std::exit(1);
  Hookd hookd;
  hookd.pid = ::fork();
  if (hookd.pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::setenv("HOOKD_LOG_LEVEL", "warn", 1);
    ::setenv("HOOKD_ALLOW_SUBNETS", "127.0.0.0/8", 1);  // the receivers are on loopback
    ::execl(binary.c_str(), binary.c_str(), "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir.c_str(),
            "--role", role, static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buffer[1024];
  while (text.find("listening on ") == std::string::npos) {
    const auto n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) {
      std::fprintf(stderr, "hookd did not start\n");
      std::exit(1);
    }
    text.append(buffer, static_cast<std::size_t>(n));
    while (text.find('\n', text.find("listening on ")) == std::string::npos &&
           text.find("listening on ") != std::string::npos) {
      const auto more = ::read(out[0], buffer, sizeof buffer);
      if (more <= 0) break;
      text.append(buffer, static_cast<std::size_t>(more));
    }
  }
  std::smatch match;
  std::regex_search(text, match, std::regex(R"(listening on (\S+))"));
  hookd.url = match[1];
  if (std::regex_search(text, match, std::regex(R"((eyJ\S+))"))) {
    hookd.token = match[1];
  } else {  // a data directory used before: no token printed, make one
    hookd.token = run(binary + " jwt generate --data-dir " + data_dir.string());
    while (!hookd.token.empty() && hookd.token.back() == '\n') hookd.token.pop_back();
  }
  return hookd;
}

// A blocking API client.
class Api {
 public:
  Api(std::string base, std::string token) : base_(std::move(base)), token_(std::move(token)) { loop_.start(); }
  ~Api() { loop_.stop(); }
  net::OutboundResponse call(const std::string& method, const std::string& path, const std::string& body = "") {
    net::OutboundRequest request;
    request.method = method;
    request.url = base_ + path;
    request.headers.add("authorization", "Bearer " + token_);
    request.headers.add("content-type", "application/json");
    request.body = std::make_shared<const std::string>(body);
    std::promise<net::OutboundResponse> promise;
    client_.send(std::move(request), [&](net::OutboundResponse r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }
  std::int64_t successes(const std::string& app, const std::string& endpoint) {
    auto response = call("GET", "/api/v1/app/" + app + "/endpoint/" + endpoint + "/stats");
    return json::parse(response.body).at("success").as_int64();
  }

 private:
  std::string base_, token_;
  net::EventLoop loop_;
  net::HttpClient client_{loop_, {}};
};

// Publishes `rate` messages per second for `seconds` from several connections; payloads carry "t".
void publish_steady(const std::string& url, const std::string& token, int rate, int seconds) {
  net::EventLoop loop;
  loop.start();
  net::HttpClient client(loop, {});
  const std::string padding(900, 'x');
  const auto start = Clock::now();
  const int total = rate * seconds;
  std::atomic<int> in_flight{0};
  for (int i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1000000LL * i / rate));
    net::OutboundRequest request;
    request.url = url;
    request.headers.add("authorization", "Bearer " + token);
    request.headers.add("content-type", "application/json");
    request.body = std::make_shared<const std::string>(
        "{\"eventType\":\"bench\",\"payload\":{\"t\":" + std::to_string(now_micros()) + ",\"p\":\"" + padding + "\"}}");
    ++in_flight;
    client.send(std::move(request), [&](net::OutboundResponse) { --in_flight; });
  }
  while (in_flight > 0) std::this_thread::sleep_for(1ms);
  loop.stop();
}

// Publishes `total` small messages keeping `window` requests in flight.
void publish_count(const std::string& url, const std::string& token, long total, int window) {
  net::EventLoop loop;
  loop.start();
  net::HttpClient client(loop, {});
  std::atomic<long> started{0}, finished{0};
  const auto body = std::make_shared<const std::string>(R"({"eventType":"bench","payload":{"n":1}})");
  std::function<void()> send_next = [&] {
    if (started.fetch_add(1) >= total) return;
    net::OutboundRequest request;
    request.url = url;
    request.headers.add("authorization", "Bearer " + token);
    request.headers.add("content-type", "application/json");
    request.body = body;
    client.send(std::move(request), [&](net::OutboundResponse) {
      ++finished;
      send_next();
    });
  };
  loop.post([&] {
    for (int i = 0; i < window; ++i) send_next();
  });
  while (finished < total) std::this_thread::sleep_for(10ms);
  loop.stop();
}

std::int64_t percentile(std::vector<std::int64_t> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  std::string binary = "build/src/cli/hookd";
  int seconds = 10;
  long backlog = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--hookd") binary = argv[i + 1];
    if (flag == "--seconds") seconds = std::atoi(argv[i + 1]);
    if (flag == "--backlog") backlog = std::atol(argv[i + 1]);
  }
  if (!std::filesystem::exists(binary)) {
    std::fprintf(stderr, "no hookd binary at %s (pass --hookd PATH)\n", binary.c_str());
    return 1;
  }
  if (run("command -v wrk").empty()) {
    std::fprintf(stderr, "wrk is not installed (scripts/install-deps.sh installs it)\n");
    return 1;
  }
  const auto work = std::filesystem::temp_directory_path() / ("hookd-bench-" + core::new_id(""));
  std::filesystem::create_directories(work);
  const std::string duration = std::to_string(seconds) + "s";
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured

  // 1. The ceiling: wrk's raw POST rate against the receiver, 64 connections.
  Receiver receiver;
  const std::string body = payload_1kib();
  const auto raw_script = write_file(work / "raw.lua", wrk_script(body, {"Content-Type: application/json"}, 0));
  const double ceiling = wrk_rate(run("wrk -t2 -c64 -d" + duration + " -s " + raw_script + " " + receiver.url()));
  std::printf("ceiling: receiver raw POST rate (wrk, 64 connections): %.0f/s\n", ceiling);

  const auto msg_script = [&](const std::string& token) {
    return write_file(work / "msg.lua",
                      wrk_script("{\"eventType\":\"bench\",\"payload\":" + body + "}",
                                 {"Content-Type: application/json", "Authorization: Bearer " + token}, 0));
  };
  const auto wait_for_successes = [&](Api& api, std::int64_t expected, Clock::time_point since) {
    std::int64_t recorded = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(10 * seconds + 120);
    while (Clock::now() < deadline && (recorded = api.successes("bench", "ep")) < expected) {
      std::this_thread::sleep_for(20ms);
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
  Hookd hookd = start_hookd(binary, work / "data", "all");
  Api api(hookd.url, hookd.token);
  {
    const auto stats = json::parse(api.call("GET", "/api/v1/app/bench/endpoint/ep/stats").body);
    const std::int64_t queued = stats.at("pending").as_int64() + stats.at("success").as_int64();
    const auto started = Clock::now();
    const auto [recorded, elapsed] = wait_for_successes(api, queued, started);
    const double delivery = static_cast<double>(recorded) / elapsed;
    std::printf("delivery: %.0f deliveries/s (%lld queued, %lld recorded in %.1f s)   ratio %.2f   [RSS %zu MiB]\n",
                delivery, static_cast<long long>(queued), static_cast<long long>(recorded), elapsed, delivery / ceiling,
                hookd.rss_kib() / 1024);
  }

  // 4. Both at once: ingest at full speed while delivering what comes in.
  {
    const std::int64_t before = api.successes("bench", "ep");
    const auto started = Clock::now();
    const std::string output = run("wrk -t2 -c64 -d" + duration + " -s " + msg_script(hookd.token) + " " + hookd.url +
                                   "/api/v1/app/bench/msg");
    const std::int64_t accepted = wrk_requests(output) - wrk_non_2xx(output);
    const auto [recorded, elapsed] = wait_for_successes(api, before + accepted, started);
    std::printf(
        "ingest while delivering: %.0f messages/s accepted, all %lld delivered and recorded at %.0f/s   "
        "ratio %.2f\n",
        wrk_rate(output), static_cast<long long>(recorded - before), static_cast<double>(recorded - before) / elapsed,
        static_cast<double>(recorded - before) / elapsed / ceiling);
    std::printf("   [RSS %zu MiB]\n", hookd.rss_kib() / 1024);
  }

  // 5. Latency at a steady 1,000 messages/s.
  receiver.record_latencies(true);
  publish_steady(hookd.url + "/api/v1/app/bench/msg", hookd.token, 1000, seconds);
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
    publish_count(hookd.url + "/api/v1/app/backlog/msg", hookd.token, backlog, 64);
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
