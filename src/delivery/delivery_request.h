// What goes on the wire for one delivery (DESIGN.md §5): the payload exactly as stored, the
// Standard Webhooks headers signed with every valid key of the endpoint, the endpoint's custom headers,
// the content type and a user agent naming hookd.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "hookd/sign/secret.h"
#include "net/http_client.h"
#include "store/model.h"

namespace hookd::delivery {

// An endpoint as deliveries need it: its keys parsed once. Immutable; shared by the attempts in flight.
struct EndpointConfig {
  store::Endpoint endpoint;
  std::vector<std::pair<sign::Secret, std::optional<core::TimePoint>>> keys;  // with their expiry
  std::optional<int> app_throttle_rate;  // the application's throttleRate, for all its endpoints together

  // Keys that do not parse (which the API never stores) are left out.
  static std::shared_ptr<const EndpointConfig> from(store::Endpoint endpoint,
                                                    std::optional<int> app_throttle_rate = std::nullopt);
};

// The header that counts the hookd servers a delivery passed through: the message's hops + 1.
inline constexpr std::string_view kHopsHeader = "hookd-hops";

struct RequestOptions {
  bool webhook_headers = false;  // webhook-id/-timestamp/-signature instead of svix-*
  std::string user_agent = "hookd";
  std::chrono::milliseconds timeout{15000};
  std::size_t max_response_bytes = 20000;
};

// The request for `task` to `config`'s endpoint, signed at `now` with each key not yet expired.
net::OutboundRequest build_request(const EndpointConfig& config, const store::DeliveryTask& task, core::TimePoint now,
                                   const RequestOptions& options);

}  // namespace hookd::delivery
