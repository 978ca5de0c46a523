#include "delivery/delivery_request.h"

#include "hookd/sign/standard.h"

namespace hookd::delivery {

std::shared_ptr<const EndpointConfig> EndpointConfig::from(store::Endpoint endpoint,
                                                           std::optional<int> app_throttle_rate) {
  auto config = std::make_shared<EndpointConfig>();
  config->app_throttle_rate = app_throttle_rate;
  for (const auto& key : endpoint.keys) {
    if (auto secret = sign::Secret::parse(key.secret)) config->keys.emplace_back(std::move(*secret), key.expires_at);
  }
  config->endpoint = std::move(endpoint);
  return config;
}

net::OutboundRequest build_request(const EndpointConfig& config, const store::DeliveryTask& task, core::TimePoint now,
                                   const RequestOptions& options) {
  std::vector<sign::Secret> keys;
  for (const auto& [secret, expires_at] : config.keys) {
    if (!expires_at || *expires_at > now) keys.push_back(secret);
  }
  const std::int64_t timestamp = core::to_unix_seconds(now);
  const std::string& payload = *task.payload;
  auto signature = sign::sign_standard(keys, task.msg_id, timestamp, payload);

  net::OutboundRequest request;
  request.url = config.endpoint.url;
  request.body = task.payload;
  request.timeout = options.timeout;
  request.max_response_bytes = options.max_response_bytes;
  // Custom headers first, so that the ones hookd sets come last and are what the receiver reads.
  for (const auto& [name, value] : config.endpoint.headers) request.headers.add(name, value);
  const std::string prefix = options.webhook_headers ? "webhook-" : "svix-";
  request.headers.add("content-type", "application/json");
  request.headers.add("user-agent", options.user_agent);
  // Counted by the hookd that receives it (an inbound source), so that a loop through hookd ends.
  request.headers.add(std::string(kHopsHeader), std::to_string(task.hops + 1));
  request.headers.add(prefix + "id", task.msg_id);
  request.headers.add(prefix + "timestamp", std::to_string(timestamp));
  request.headers.add(prefix + "signature", signature ? *signature : std::string());
  return request;
}

}  // namespace hookd::delivery
