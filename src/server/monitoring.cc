#include "server/monitoring.h"

#include "server/log.h"

namespace hookd::server {
namespace {

net::HttpResponse text(int status, std::string body, std::string content_type) {
  net::HttpResponse response{status, {}, std::move(body)};
  response.headers.add("content-type", std::move(content_type));
  response.headers.add("cache-control", "no-store");
  return response;
}

net::HttpResponse status_json(int status, std::string_view word) {
  return text(status, "{\"status\":\"" + std::string(word) + "\"}", "application/json");
}

}  // namespace

metrics::Gauges read_gauges(store::Store& store, const delivery::Dispatcher* dispatcher, core::TimePoint now) {
  metrics::Gauges gauges;
  if (dispatcher) {
    if (auto held = dispatcher->gauges(std::chrono::seconds(1))) {
      gauges.queued_in_memory = held->queued;
      gauges.in_flight = held->in_flight;
      gauges.retries_in_memory = held->retries;
      gauges.endpoints_in_memory = held->endpoints;
    }
  }
  if (auto counted = store.gauges(now)) {
    gauges.queued_in_store = counted->queued;
    gauges.scheduled_in_store = counted->scheduled;
    gauges.parked_in_store = counted->parked;
    gauges.endpoints_disabled = counted->endpoints_disabled;
    gauges.leases_held = counted->leases_held;
  } else {
    log_warn("metrics: cannot count the store's queue: " + counted.error().detail);
  }
  return gauges;
}

std::unique_ptr<net::HttpServer> listen_for_monitoring(const ServerConfig& config, store::Store& store,
                                                       WorkerPool& workers, std::function<std::string()> render,
                                                       std::string& error) {
  net::ServerOptions options;
  options.address = config.metrics_address;
  options.port = config.metrics_port;
  options.threads = 1;
  options.limits = config.http;
  options.limits.max_connections = 64;  // Prometheus and a few probes
  options.warn = [](const std::string& message) { log_warn("metrics listener: " + message); };
  auto shared_render = std::make_shared<std::function<std::string()>>(std::move(render));
  auto handler = [&store, &workers, render = std::move(shared_render)](net::HttpRequest&& request,
                                                                       net::Respond respond) {
    const std::string_view path = request.path();
    if (request.method != "GET" && request.method != "HEAD") {
      return respond(status_json(405, "method not allowed"));
    }
    auto answer = [head = request.method == "HEAD", respond = std::move(respond)](net::HttpResponse response) {
      if (head) response.body.clear();
      respond(std::move(response));
    };
    if (path == "/health/live") return answer(status_json(200, "ok"));
    if (path == "/health/ready") {
      return store.readiness([answer](core::Status ready) {
        if (!ready) log_warn("readiness: " + ready.error().detail);
        answer(status_json(ready ? 200 : 503, ready ? "ok" : "unavailable"));
      });
    }
    if (path == "/metrics") {
      return workers.post(
          [render, answer] { answer(text(200, (*render)(), std::string(metrics::Metrics::kContentType))); });
    }
    answer(status_json(404, "not found"));
  };
  return net::HttpServer::listen(std::move(options), std::move(handler), error);
}

}  // namespace hookd::server
