#include "net/dns_resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace hookd::net {
namespace {

using SteadyClock = std::chrono::steady_clock;

// "::1" or "[::1]" or "127.0.0.1": the address as text when `host` is an IP literal.
std::optional<std::string> ip_literal(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string text(host);
  in6_addr v6{};
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1 || ::inet_pton(AF_INET6, text.c_str(), &v6) == 1) return text;
  return std::nullopt;
}

// One server of DnsOptions::servers in c-ares's form ("1.2.3.4:53", "[::1]:53"); none when malformed.
std::optional<std::string> server_entry(std::string_view text) {
  std::string_view address = text;
  std::string_view port = "53";
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    address = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::nullopt;
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    address = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
      std::atoi(std::string(port).c_str()) < 1 || std::atoi(std::string(port).c_str()) > 65535) {
    return std::nullopt;
  }
  const std::string host(address);
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return host + ":" + std::string(port);
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return "[" + host + "]:" + std::string(port);
  return std::nullopt;
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

struct DnsResolver::State {
  struct Cached {
    DnsAnswer answer;
    SteadyClock::time_point expires;
  };
  // What c-ares is given with a lookup, and gives back to on_answer.
  struct Lookup {
    State* state;
    std::string host;
  };

  DnsOptions options;
  ares_channel channel = nullptr;
  int wake_fd = -1;
  std::thread thread;
  std::mutex mutex;
  bool stopping = false;                                                                 // guarded by mutex
  std::deque<std::string> to_ask;                                                        // guarded by mutex
  std::unordered_map<std::string, std::vector<std::function<void(DnsAnswer)>>> waiting;  // guarded by mutex
  std::unordered_map<std::string, Cached> cache;                                         // guarded by mutex

  void wake() const {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof one);
  }

  // The resolver's thread: starts the lookups asked for, and drives c-ares's sockets and timers.
  void run() {
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    while (true) {
      std::deque<std::string> asking;
      {
        std::lock_guard lock(mutex);
        if (stopping) break;
        asking.swap(to_ask);
      }
      for (const std::string& host : asking) {
        ares_getaddrinfo(channel, host.c_str(), nullptr, &hints, on_answer, new Lookup{this, host});
      }
      ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
      const int bits = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
      pollfd fds[ARES_GETSOCK_MAXNUM + 1];
      nfds_t count = 0;
      fds[count++] = {wake_fd, POLLIN, 0};
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        const bool readable = ARES_GETSOCK_READABLE(bits, i);
        const bool writable = ARES_GETSOCK_WRITABLE(bits, i);
        if (!readable && !writable) continue;
        fds[count++] = {sockets[i], static_cast<short>((readable ? POLLIN : 0) | (writable ? POLLOUT : 0)), 0};
      }
      timeval wait{};
      const timeval* next = ares_timeout(channel, nullptr, &wait);
      const int wait_ms = next ? static_cast<int>(next->tv_sec * 1000 + (next->tv_usec + 999) / 1000) : -1;
      const int ready = ::poll(fds, count, wait_ms);
      if (ready > 0 && (fds[0].revents & POLLIN)) {
        std::uint64_t ignored = 0;
        (void)!::read(wake_fd, &ignored, sizeof ignored);
      }
      bool processed = false;
      for (nfds_t i = 1; i < count; ++i) {
        if (fds[i].revents == 0) continue;
        processed = true;
        const bool read = (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
        const bool write = (fds[i].revents & POLLOUT) != 0;
        ares_process_fd(channel, read ? fds[i].fd : ARES_SOCKET_BAD, write ? fds[i].fd : ARES_SOCKET_BAD);
      }
      if (!processed) ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
    }
    ares_destroy(channel);  // the lookups in flight end with ARES_EDESTRUCTION
    channel = nullptr;
  }

  static void on_answer(void* argument, int status, int /*timeouts*/, ares_addrinfo* result) {
    std::unique_ptr<Lookup> lookup(static_cast<Lookup*>(argument));
    DnsAnswer answer;
    std::optional<std::chrono::seconds> ttl;
    if (status == ARES_SUCCESS && result) {
      int least_ttl = -1;
      for (const ares_addrinfo_node* node = result->nodes; node; node = node->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        if (node->ai_family == AF_INET) {
          ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(node->ai_addr)->sin_addr, text, sizeof text);
        } else if (node->ai_family == AF_INET6) {
          ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(node->ai_addr)->sin6_addr, text, sizeof text);
        } else {
          continue;
        }
        if (std::find(answer.addresses.begin(), answer.addresses.end(), text) == answer.addresses.end()) {
          answer.addresses.emplace_back(text);
        }
        least_ttl = least_ttl < 0 ? node->ai_ttl : std::min(least_ttl, node->ai_ttl);
      }
      if (answer.addresses.empty()) answer.error = "the name has no address";
      ttl = std::chrono::seconds(std::max(least_ttl, 0));
    } else if (status == ARES_ENOTFOUND || status == ARES_ENODATA || status == ARES_ENONAME) {
      answer.error = "no such name";
      ttl = lookup->state->options.negative_ttl;
    } else if (status == ARES_ETIMEOUT) {
      answer.error = "no name server answered in time";
      answer.timed_out = true;
    } else {
      answer.error = ares_strerror(status);
    }
    if (result) ares_freeaddrinfo(result);
    lookup->state->finish(lookup->host, std::move(answer), ttl);
  }

  // Answers everyone waiting for `host`, and keeps the answer for `ttl` (none: not kept).
  void finish(const std::string& host, DnsAnswer answer, std::optional<std::chrono::seconds> ttl) {
    std::vector<std::function<void(DnsAnswer)>> callers;
    {
      std::lock_guard lock(mutex);
      if (auto it = waiting.find(host); it != waiting.end()) {
        callers = std::move(it->second);
        waiting.erase(it);
      }
      if (ttl && ttl->count() > 0) {
        if (cache.size() >= options.max_cached) {
          const auto now = SteadyClock::now();
          std::erase_if(cache, [&](const auto& entry) { return entry.second.expires <= now; });
          if (cache.size() >= options.max_cached) cache.clear();
        }
        cache[host] = Cached{answer, SteadyClock::now() + std::min(*ttl, options.max_ttl)};
      }
    }
    for (auto& caller : callers) caller(answer);
  }
};

std::string DnsResolver::check_servers(const std::vector<std::string>& servers) {
  for (const auto& server : servers) {
    if (!server_entry(server)) return "'" + server + "' is not a name server address (address or address:port)";
  }
  return "";
}

DnsResolver::DnsResolver(DnsOptions options) : state_(std::make_unique<State>()) {
  static std::once_flag library;
  std::call_once(library, [] { ares_library_init(ARES_LIB_INIT_ALL); });
  State& state = *state_;
  state.options = std::move(options);
  ares_options settings{};
  settings.timeout = static_cast<int>(state.options.timeout.count());
  settings.tries = std::max(1, state.options.tries);
  const int initialized = ares_init_options(&state.channel, &settings, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  std::string servers;
  for (const auto& server : state.options.servers) {
    const auto entry = server_entry(server);
    if (!entry) {
      std::fprintf(stderr, "hookd: name server '%s' was not checked (DnsResolver::check_servers)\n", server.c_str());
      std::abort();
    }
    servers += (servers.empty() ? "" : ",") + *entry;
  }
  if (initialized != ARES_SUCCESS ||
      (!servers.empty() && ares_set_servers_ports_csv(state.channel, servers.c_str()) != ARES_SUCCESS)) {
    std::fprintf(stderr, "hookd: cannot start the name resolver: %s\n", ares_strerror(initialized));
    std::abort();
  }
  state.wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  state.thread = std::thread([&state] { state.run(); });
}

DnsResolver::~DnsResolver() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake();
  state_->thread.join();
  ::close(state_->wake_fd);
  // Names asked for but never looked up (asked while stopping).
  std::unordered_map<std::string, std::vector<std::function<void(DnsAnswer)>>> left;
  {
    std::lock_guard lock(state_->mutex);
    left.swap(state_->waiting);
  }
  for (auto& [host, callers] : left) {
    for (auto& caller : callers) caller(DnsAnswer{{}, "the resolver stopped", false});
  }
}

void DnsResolver::resolve(const std::string& host, std::function<void(DnsAnswer)> done) {
  if (auto literal = ip_literal(host)) return done(DnsAnswer{{*literal}, "", false});
  const std::string name = lowercase(host);
  {
    std::unique_lock lock(state_->mutex);
    if (state_->stopping) {
      lock.unlock();
      return done(DnsAnswer{{}, "the resolver stopped", false});
    }
    if (auto it = state_->cache.find(name); it != state_->cache.end()) {
      if (SteadyClock::now() < it->second.expires) {
        DnsAnswer answer = it->second.answer;
        lock.unlock();
        return done(std::move(answer));
      }
      state_->cache.erase(it);
    }
    auto& callers = state_->waiting[name];
    callers.push_back(std::move(done));
    if (callers.size() > 1) return;  // a lookup of the name is out already
    state_->to_ask.push_back(name);
  }
  state_->wake();
}

}  // namespace hookd::net
