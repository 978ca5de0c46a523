// `hookd serve` assembled: the store, the delivery engine, the REST API and the HTTP server, wired and
// started in the right order, and stopped in the reverse one. Integration tests start it in process.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/error.h"
#include "server/config.h"
#include "store/store.h"

namespace hookd::server {

class HookdServer {
 public:
  // Creates the data directory, opens (and migrates) the store, resumes queued deliveries, and starts
  // listening. With no configured JWT secret, one is generated on first start and kept in the data
  // directory (generated_secret() then tells so).
  static core::Result<std::unique_ptr<HookdServer>> start(const ServerConfig& config);
  ~HookdServer();

  std::uint16_t port() const;
  // The port of the monitoring listener (metrics.listen); 0 without one.
  std::uint16_t metrics_port() const;
  // "http://127.0.0.1:9464" for the monitoring listener; empty without one.
  std::string metrics_url() const;
  std::string base_url() const;  // http://address:port
  const std::string& jwt_secret() const;
  bool generated_secret() const;
  // An organization token signed with this server's secret.
  std::string org_token(std::string_view org_id) const;
  store::Store& store();

  // Stops accepting requests, lets those in flight finish (for at most `grace`), lets attempts in flight
  // finish, writes every outcome, and closes the store. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  struct Parts;

 private:
  explicit HookdServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace hookd::server
