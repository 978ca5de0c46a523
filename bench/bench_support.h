// Helpers shared by the end-to-end benchmarks: hookd as a child process, a loopback receiver that
// measures latency, wrk runs, publishers, and percentiles. Header-only; each benchmark is one program.
#pragma once

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
#include <map>
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

namespace hookd::bench {

using namespace hookd;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

inline std::int64_t now_micros() { return core::to_micros(core::SystemClock::instance().now()); }

// A loopback receiver answering 204 at once; it counts deliveries and, for payloads that carry
// "t":<publish time in µs>, records the latency from publish to receipt.
class Receiver {
 public:
  explicit Receiver(bool answer = true) {
    net::ServerOptions options;
    options.threads = 1;
    options.limits.max_body_bytes = 1 << 20;
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
inline std::string run(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    pclose(pipe);
  }
  return out;
}

inline double wrk_rate(const std::string& output) {
  std::smatch match;
  if (std::regex_search(output, match, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) return std::stod(match[1]);
  return 0;
}

inline long wrk_requests(const std::string& output) {
  std::smatch match;
  if (std::regex_search(output, match, std::regex(R"(([0-9]+) requests in)"))) return std::stol(match[1]);
  return 0;
}

inline long wrk_non_2xx(const std::string& output) {
  std::smatch match;
  if (std::regex_search(output, match, std::regex(R"(Non-2xx or 3xx responses:\s+([0-9]+))"))) {
    return std::stol(match[1]);
  }
  return 0;
}

inline std::string write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

// A wrk script that POSTs `body` with `headers`.
inline std::string wrk_script(const std::string& body, const std::vector<std::string>& headers) {
  std::string lua = "wrk.method = \"POST\"\nwrk.body = [==[" + body + "]==]\n";
  for (const auto& header : headers)
    lua += "wrk.headers[\"" + header.substr(0, header.find(':')) + "\"] = \"" + header.substr(header.find(':') + 2) +
           "\"\n";
  return lua;
}

inline std::string payload_1kib() {
  std::string padding(1024 - 40, 'x');
  return "{\"type\":\"bench\",\"padding\":\"" + padding + "\"}";
}

// What every end-to-end benchmark takes: --hookd PATH (default build/src/cli/hookd), --seconds N
// (default 10) and its own numeric flags (e.g. --backlog), with a fresh work directory. Exits with a
// message when the hookd binary, or wrk when `needs_wrk`, is missing.
struct BenchRun {
  std::string binary = "build/src/cli/hookd";
  int seconds = 10;
  std::map<std::string, long> numbers;  // other "--name N" flags
  std::filesystem::path work;

  std::string duration() const { return std::to_string(seconds) + "s"; }
  long number(const std::string& name, long fallback) const {
    auto it = numbers.find(name);
    return it == numbers.end() ? fallback : it->second;
  }
};

inline BenchRun start_bench(int argc, char** argv, bool needs_wrk = true) {
  BenchRun bench;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--hookd") {
      bench.binary = argv[i + 1];
    } else if (flag == "--seconds") {
      bench.seconds = std::atoi(argv[i + 1]);
    } else if (flag.rfind("--", 0) == 0) {
      bench.numbers[flag.substr(2)] = std::atol(argv[i + 1]);
    }
  }
  if (!std::filesystem::exists(bench.binary)) {
    std::fprintf(stderr, "no hookd binary at %s (pass --hookd PATH)\n", bench.binary.c_str());
    std::exit(1);
  }
  if (needs_wrk && run("command -v wrk").empty()) {
    std::fprintf(stderr, "wrk is not installed (scripts/install-deps.sh installs it)\n");
    std::exit(1);
  }
  bench.work = std::filesystem::temp_directory_path() / ("hookd-bench-" + core::new_id(""));
  std::filesystem::create_directories(bench.work);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
  return bench;
}

// The ceiling: wrk's raw POST rate of `body` against `receiver`, with `connections`, printed.
inline double measure_ceiling(const BenchRun& bench, Receiver& receiver, const std::string& body, int connections) {
  const auto script = write_file(bench.work / "raw.lua", wrk_script(body, {"Content-Type: application/json"}));
  const double ceiling = wrk_rate(run("wrk -t2 -c" + std::to_string(connections) + " -d" + bench.duration() + " -s " +
                                      script + " " + receiver.url()));
  std::printf("ceiling: receiver raw POST rate (wrk, %d connections): %.0f/s\n", connections, ceiling);
  return ceiling;
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

// hookd serve in `role`, on the SQLite file in `data_dir`, or on PostgreSQL at `db` when given.
inline Hookd start_hookd(const std::string& binary, const std::filesystem::path& data_dir, const char* role = "all",
                         const std::string& db = "") {
  int out[2];
  if (::pipe(out) != 0) std::exit(1);
  Hookd hookd;
  hookd.pid = ::fork();
  if (hookd.pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::setenv("HOOKD_LOG_LEVEL", "warn", 1);
    ::setenv("HOOKD_ALLOW_SUBNETS", "127.0.0.0/8", 1);  // the receivers are on loopback
    if (!db.empty()) ::setenv("HOOKD_DB_DSN", db.c_str(), 1);
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
  } else {  // a database used before: no token printed, make one
    hookd.token =
        run(binary + " jwt generate --data-dir " + data_dir.string() + (db.empty() ? "" : " --db '" + db + "'"));
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
inline void publish_steady(const std::vector<std::string>& urls, const std::string& token, int rate, int seconds) {
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
    request.url = urls[static_cast<std::size_t>(i) % urls.size()];
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

// Publishes `total` small messages keeping `window` requests in flight, round-robin over `urls`, or
// until `deadline` when one is given. Returns how many were answered 202.
inline long publish_count(const std::vector<std::string>& urls, const std::string& token, long total, int window,
                          std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
  net::EventLoop loop;
  loop.start();
  net::HttpClient client(loop, {});
  std::atomic<long> started{0}, finished{0}, accepted{0};
  const auto body = std::make_shared<const std::string>(R"({"eventType":"bench","payload":{"n":1}})");
  std::function<void()> send_next = [&] {
    const long n = started.fetch_add(1);
    if (n >= total || (deadline && std::chrono::steady_clock::now() >= *deadline)) {
      ++finished;
      return;
    }
    net::OutboundRequest request;
    request.url = urls[static_cast<std::size_t>(n) % urls.size()];
    request.headers.add("authorization", "Bearer " + token);
    request.headers.add("content-type", "application/json");
    request.body = body;
    client.send(std::move(request), [&](net::OutboundResponse response) {
      if (response.status == 202) ++accepted;
      send_next();
    });
  };
  loop.post([&] {
    for (int i = 0; i < window; ++i) send_next();
  });
  // Each of the `window` chains ends by counting one "finished" when it stops sending.
  while (finished < window) std::this_thread::sleep_for(10ms);
  loop.stop();
  return accepted;
}

inline std::int64_t percentile(std::vector<std::int64_t> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

}  // namespace hookd::bench
