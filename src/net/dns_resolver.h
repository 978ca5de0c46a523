// Name lookups for deliveries, through c-ares on a thread of the resolver's own. Every lookup is
// asynchronous and ends on its own timeout, so a name server that never answers delays only the names it
// serves: the system resolver (getaddrinfo, on Asio's one resolver thread) made every delivery of every
// tenant wait behind a lookup that hung. Answers are cached for their TTL, in a bounded cache; lookups of
// one name made while it is being looked up share the query.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hookd::net {

struct DnsOptions {
  // Name servers, "address" or "address:port" ("[v6]:port" for IPv6 with a port); empty: those of
  // /etc/resolv.conf. /etc/hosts is read first either way.
  std::vector<std::string> servers;
  std::chrono::milliseconds timeout{2000};  // for one try at one name server
  int tries = 2;                            // tries per name server
  std::size_t max_cached = 10000;           // names held in the cache
  std::chrono::seconds max_ttl{3600};       // an answer is kept for its TTL, at most this long
  std::chrono::seconds negative_ttl{5};     // a name that does not exist is asked again after this
};

struct DnsAnswer {
  std::vector<std::string> addresses;  // IP addresses as text, in the order to try them; empty on failure
  std::string error;                   // why there are none
  bool timed_out = false;              // no name server answered in time
};

class DnsResolver {
 public:
  // Empty when `servers` is a list DnsOptions accepts; otherwise what is wrong with it.
  static std::string check_servers(const std::vector<std::string>& servers);

  // `options.servers` must pass check_servers (the process stops otherwise: a broken invariant).
  explicit DnsResolver(DnsOptions options);
  // Ends the lookups in flight (their callers hear an error) and joins the thread.
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  // Calls `done` exactly once with the addresses of `host` (IPv4 and IPv6): at once, on the caller's
  // thread, for an IP literal or a name in the cache; otherwise later, on the resolver's thread, where
  // it must be quick. Thread-safe.
  void resolve(const std::string& host, std::function<void(DnsAnswer)> done);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace hookd::net
