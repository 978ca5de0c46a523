#include "net/http_message.h"

namespace hookd::net {

std::string_view HttpRequest::path() const {
  const std::string_view view(target);
  return view.substr(0, view.find('?'));
}

std::string_view HttpRequest::query() const {
  const std::string_view view(target);
  const std::size_t question = view.find('?');
  return question == std::string_view::npos ? std::string_view{} : view.substr(question + 1);
}

HttpResponse HttpResponse::json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.add("content-type", "application/json");
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::empty(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

}  // namespace hookd::net
