// The JSON shapes the Svix API answers with (reference/svix-lib-openapi.json): every field an SDK
// requires is present, null where there is no value, and legacy aliases (rateLimit, filterTypes) are
// emitted beside the current names.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <string>
#include <vector>

#include "store/model.h"

namespace hookd::api {

namespace json = boost::json;

// A value or null; a string map as an object. Shared by every resource's shape.
json::value nullable(const std::optional<std::string>& text);
json::value nullable(const std::optional<int>& number);
json::object map_json(const store::StringMap& map);

json::object application_json(const store::Application& app);
json::object event_type_json(const store::EventType& type, bool with_schemas = true);
json::object endpoint_json(const store::Endpoint& endpoint);
json::object attempt_json(const store::Attempt& attempt);
json::object stats_json(const store::EndpointStats& stats);

// Messages carry their payload as raw text, so these return serialized JSON. Without content (or once
// expunged) the payload is {}.
std::string message_json(const store::Message& message, bool with_content);
std::string endpoint_message_json(const store::EndpointMessage& item, bool with_content);
json::object message_destination_json(const store::MessageDestination& item);

std::string_view status_text(store::MessageStatus status);

// {"data": [...], "iterator": …, "prevIterator": …, "done": …} from already serialized items and the
// ids (or names) of the first and last item.
std::string list_json(const std::vector<std::string>& items, const std::string& first_id, const std::string& last_id,
                      bool done);

// Serializes a page with `to_json` (returning a json::object or a string) and `id_of`.
template <class T, class ToJson, class IdOf>
std::string page_json(const store::Page<T>& page, ToJson&& to_json, IdOf&& id_of) {
  std::vector<std::string> items;
  items.reserve(page.items.size());
  for (const T& item : page.items) {
    if constexpr (std::is_same_v<std::decay_t<decltype(to_json(item))>, std::string>) {
      items.push_back(to_json(item));
    } else {
      items.push_back(json::serialize(to_json(item)));
    }
  }
  const std::string first = page.items.empty() ? std::string() : std::string(id_of(page.items.front()));
  const std::string last = page.items.empty() ? std::string() : std::string(id_of(page.items.back()));
  return list_json(items, first, last, page.done);
}

}  // namespace hookd::api
