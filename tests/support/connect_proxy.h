// A CONNECT proxy on 127.0.0.1 for tests: it records each CONNECT (the target and the
// Proxy-Authorization header), opens the tunnel to the target (loopback targets only), and relays bytes
// both ways until either side closes. Plain sockets and a thread per connection: a test tool, not a
// server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hookd::testing {

class ConnectProxy {
 public:
  struct Tunnel {
    std::string target;         // as the CONNECT line named it, e.g. "127.0.0.1:8080"
    std::string authorization;  // the Proxy-Authorization header, or ""
  };

  // `required_authorization`: when not empty, CONNECTs without exactly this header get 407.
  explicit ConnectProxy(std::string required_authorization = "") : required_(std::move(required_authorization)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 64);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ConnectProxy() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    for (auto& thread : threads_) thread.join();
    for (int fd : open_) ::close(fd);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Tunnel> tunnels() const {
    std::lock_guard lock(mutex_);
    return tunnels_;
  }
  std::size_t connections() const { return connections_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      std::lock_guard lock(mutex_);
      open_.push_back(client);
      threads_.emplace_back([this, client] { serve(client); });
    }
  }

  static bool send_all(int fd, const std::string& text) {
    std::size_t sent = 0;
    while (sent < text.size()) {
      const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  static std::string header(const std::string& head, const std::string& name) {
    const std::string key = "\r\n" + name + ": ";
    const auto at = head.find(key);
    if (at == std::string::npos) return "";
    const auto end = head.find("\r\n", at + key.size());
    return head.substr(at + key.size(), end - at - key.size());
  }

  void serve(int client) {
    std::string head;
    char chunk[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
      const ssize_t n = ::recv(client, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      head.append(chunk, static_cast<std::size_t>(n));
    }
    const auto space = head.find(' ');
    const auto target = head.substr(space + 1, head.find(' ', space + 1) - space - 1);
    const std::string authorization = header(head, "Proxy-Authorization");
    {
      std::lock_guard lock(mutex_);
      tunnels_.push_back({target, authorization});
    }
    if (!required_.empty() && authorization != required_) {
      send_all(client, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const auto colon = target.rfind(':');
    const std::string host = target.substr(0, colon);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1))));
    const int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
    if (head.rfind("CONNECT ", 0) != 0 || ::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1 ||
        (ntohl(address.sin_addr.s_addr) >> 24) != 127 ||
        ::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(upstream);
      send_all(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    {
      std::lock_guard lock(mutex_);
      open_.push_back(upstream);
    }
    if (send_all(client, "HTTP/1.1 200 Connection established\r\n\r\n")) relay(client, upstream);
    ::shutdown(upstream, SHUT_RDWR);
  }

  void relay(int a, int b) {
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    char chunk[16384];
    while (!stopping_) {
      if (::poll(fds, 2, 100) < 0) return;
      for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::recv(fds[i].fd, chunk, sizeof chunk, 0);
        if (n <= 0 || !send_all(fds[1 - i].fd, std::string(chunk, static_cast<std::size_t>(n)))) return;
      }
    }
  }

  std::string required_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<Tunnel> tunnels_;
  std::vector<int> open_;  // closed at the end (shut down, so that relays end)
  std::vector<std::thread> threads_;
};

}  // namespace hookd::testing
