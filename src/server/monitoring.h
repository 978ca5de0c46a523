// What an operator's monitoring reads of a running hookd: the gauges of GET /metrics, gathered from the
// dispatcher and the store, and the monitoring listener (setting metrics.listen) that serves
// GET /metrics, /health/live and /health/ready without a token, for Prometheus and for probes.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "delivery/dispatcher.h"
#include "metrics/metrics.h"
#include "net/http_server.h"
#include "server/config.h"
#include "server/worker_pool.h"
#include "store/store.h"

namespace hookd::server {

// The gauges now: the dispatcher's memory (when this node delivers; waits up to a second for its loop)
// and the store's queue. Blocks on a read of the store; a value that cannot be read is left out.
metrics::Gauges read_gauges(store::Store& store, const delivery::Dispatcher* dispatcher, core::TimePoint now);

// Listens at config.metrics_address:metrics_port. `render` gives the text of GET /metrics and may block
// (it runs on `workers`); readiness is Store::readiness. Null with `error` set when the address cannot
// be bound. `store`, `workers` and what `render` refers to must outlive the server; call start() on it.
std::unique_ptr<net::HttpServer> listen_for_monitoring(const ServerConfig& config, store::Store& store,
                                                       WorkerPool& workers, std::function<std::string()> render,
                                                       std::string& error);

}  // namespace hookd::server
