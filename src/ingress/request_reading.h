// What hookd reads from a provider's request, per scheme: the delivery id that recognises a duplicate,
// the event type the routed message gets, Slack's URL verification challenge, and the payload of the
// routed message.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hookd/sign/headers.h"
#include "store/model.h"

namespace hookd::ingress {

struct RequestReading {
  // The provider's delivery id (X-GitHub-Delivery, webhook-id, Stripe's event id, …), or the configured
  // header or JSON field; none when the request carries none.
  std::optional<std::string> dedupe_key;
  // For schemes whose signature covers no timestamp (github, shopify, gitlab, twilio, hmac): a digest of
  // the body, which a replay keeps whatever delivery id it carries (InboundRequest::replay_key).
  std::optional<std::string> replay_key;
  // The source's fixed event type, or the provider's (X-GitHub-Event, Stripe's type, X-Shopify-Topic, …)
  // made a valid event type name; "inbound" when there is none.
  std::string event_type;
  std::optional<std::string> slack_challenge;  // a url_verification request: answer with it
  // The routed message's payload: the body itself when it is a JSON object, byte for byte; otherwise
  // {"contentType": …, "body": "<the body as text>"} (or "bodyBase64" when it is not UTF-8).
  std::string payload;
  // How many hookd servers the request passed through (the hookd-hops header a hookd delivery carries):
  // the routed message's Message::hops. 0 without the header; a value that is not a count is 0 too.
  int hops = 0;
};

RequestReading read_request(const store::Source& source, const sign::HeaderSource& headers, std::string_view body);

// An event type name (a-z, A-Z, 0-9, '-', '_', '.'; at most 256) made from any text: other characters
// become '.', and nothing usable gives nullopt.
std::optional<std::string> event_type_name(std::string_view text);

}  // namespace hookd::ingress
