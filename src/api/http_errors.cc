#include "api/http_errors.h"

#include <boost/json.hpp>

namespace hookd::api {
namespace {

namespace json = boost::json;

std::string_view code_name(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::bad_request:
      return "generic_error";
    case core::ErrorCode::unauthorized:
      return "authentication_failed";
    case core::ErrorCode::forbidden:
      return "insufficient_access";
    case core::ErrorCode::not_found:
      return "not_found";
    case core::ErrorCode::method_not_allowed:
      return "method_not_allowed";
    case core::ErrorCode::conflict:
      return "conflict";
    case core::ErrorCode::payload_too_large:
      return "payload_too_large";
    case core::ErrorCode::validation:
      return "validation";
    case core::ErrorCode::too_many_requests:
      return "too_many_requests";
    case core::ErrorCode::unavailable:
      return "unavailable";
    case core::ErrorCode::internal:
      return "server_error";
  }
  return "server_error";
}

}  // namespace

int http_status(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::bad_request:
      return 400;
    case core::ErrorCode::unauthorized:
      return 401;
    case core::ErrorCode::forbidden:
      return 403;
    case core::ErrorCode::not_found:
      return 404;
    case core::ErrorCode::method_not_allowed:
      return 405;
    case core::ErrorCode::conflict:
      return 409;
    case core::ErrorCode::payload_too_large:
      return 413;
    case core::ErrorCode::validation:
      return 422;
    case core::ErrorCode::too_many_requests:
      return 429;
    case core::ErrorCode::unavailable:
      return 503;
    case core::ErrorCode::internal:
      return 500;
  }
  return 500;
}

net::HttpResponse error_response(const core::Error& error) {
  if (error.code == core::ErrorCode::validation) {
    json::array detail;
    for (const auto& field : error.fields) {
      json::array location;
      for (const auto& part : field.location) location.emplace_back(part);
      detail.push_back(json::object{{"loc", std::move(location)}, {"msg", field.message}, {"type", "value_error"}});
    }
    if (detail.empty()) {
      detail.push_back(json::object{{"loc", json::array{"body"}}, {"msg", error.detail}, {"type", "value_error"}});
    }
    return net::HttpResponse::json(422, json::serialize(json::object{{"detail", std::move(detail)}}));
  }
  return net::HttpResponse::json(http_status(error.code), json::serialize(json::object{{"code", code_name(error.code)},
                                                                                       {"detail", error.detail}}));
}

}  // namespace hookd::api
