// The resolver against a name server of the test's own on loopback, which answers some names and never
// answers the others.
#include "net/dns_resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>

namespace hookd::net {
namespace {

using namespace std::chrono_literals;

// Answers A queries for `records` (name → IPv4 address) with `ttl`; never answers other names.
class NameServer {
 public:
  NameServer(std::map<std::string, std::string> records, std::uint32_t ttl) : records_(std::move(records)), ttl_(ttl) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    timeval wait{0, 50 * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    thread_ = std::thread([this] { serve(); });
  }
  ~NameServer() {
    stopping_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int queries(const std::string& name) {
    std::lock_guard lock(mutex_);
    return queries_[name];
  }

 private:
  void serve() {
    unsigned char query[512];
    while (!stopping_) {
      sockaddr_in peer{};
      socklen_t length = sizeof peer;
      const ssize_t n = ::recvfrom(fd_, query, sizeof query, 0, reinterpret_cast<sockaddr*>(&peer), &length);
      if (n < 12) continue;
      std::size_t offset = 12;
      std::string name;
      while (offset < static_cast<std::size_t>(n) && query[offset] != 0) {
        const std::size_t label = query[offset];
        if (!name.empty()) name += '.';
        name.append(reinterpret_cast<const char*>(query + offset + 1), label);
        offset += 1 + label;
      }
      const int type = (query[offset + 1] << 8) | query[offset + 2];
      const std::size_t question_end = offset + 5;
      {
        std::lock_guard lock(mutex_);
        ++queries_[name];
      }
      auto record = records_.find(name);
      if (record == records_.end()) continue;  // never answers
      std::string answer(reinterpret_cast<const char*>(query), question_end);
      const bool has_answer = type == 1;
      answer[2] = static_cast<char>(0x81);  // a response; recursion available; no error
      answer[3] = static_cast<char>(0x80);
      answer[6] = 0;
      answer[7] = has_answer ? 1 : 0;
      answer[8] = answer[9] = answer[10] = answer[11] = 0;
      if (has_answer) {
        const unsigned char fixed[] = {0xc0, 0x0c, 0, 1, 0, 1};
        answer.append(reinterpret_cast<const char*>(fixed), sizeof fixed);
        for (int shift : {24, 16, 8, 0}) answer += static_cast<char>((ttl_ >> shift) & 0xff);
        answer += '\0';
        answer += '\4';
        in_addr address{};
        ::inet_pton(AF_INET, record->second.c_str(), &address);
        answer.append(reinterpret_cast<const char*>(&address), 4);
      }
      ::sendto(fd_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&peer), length);
    }
  }

  std::map<std::string, std::string> records_;
  std::uint32_t ttl_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, int> queries_;
};

DnsOptions options_for(const NameServer& server) {
  DnsOptions options;
  options.servers = {server.address()};
  options.timeout = 300ms;
  options.tries = 2;
  return options;
}

DnsAnswer lookup(DnsResolver& resolver, const std::string& host) {
  std::promise<DnsAnswer> answered;
  resolver.resolve(host, [&answered](DnsAnswer answer) { answered.set_value(std::move(answer)); });
  return answered.get_future().get();
}

TEST(DnsResolver, AnswersWhatTheNameServerSaysAndKeepsItForItsTtl) {
  NameServer server({{"good.test", "127.0.0.7"}}, 60);
  DnsResolver resolver(options_for(server));
  const DnsAnswer first = lookup(resolver, "good.test");
  EXPECT_EQ(first.addresses, std::vector<std::string>{"127.0.0.7"}) << first.error;
  const int asked = server.queries("good.test");
  EXPECT_EQ(lookup(resolver, "GOOD.test").addresses, std::vector<std::string>{"127.0.0.7"});
  EXPECT_EQ(server.queries("good.test"), asked);  // from the cache
}

TEST(DnsResolver, AnAnswerWithNoTtlIsNotKept) {
  NameServer server({{"brief.test", "127.0.0.8"}}, 0);
  DnsResolver resolver(options_for(server));
  ASSERT_EQ(lookup(resolver, "brief.test").addresses, std::vector<std::string>{"127.0.0.8"});
  const int asked = server.queries("brief.test");
  ASSERT_EQ(lookup(resolver, "brief.test").addresses, std::vector<std::string>{"127.0.0.8"});
  EXPECT_GT(server.queries("brief.test"), asked);
}

TEST(DnsResolver, ANameServerThatNeverAnswersDelaysOnlyItsOwnNames) {
  NameServer server({{"good.test", "127.0.0.7"}}, 60);
  DnsResolver resolver(options_for(server));
  std::mutex mutex;
  std::vector<std::string> order;
  std::promise<DnsAnswer> slow_answered;
  resolver.resolve("slow.test", [&](DnsAnswer answer) {
    {
      std::lock_guard lock(mutex);
      order.push_back("slow");
    }
    slow_answered.set_value(std::move(answer));
  });
  for (int i = 0; i < 5; ++i) {
    const DnsAnswer good = lookup(resolver, "good" + std::string(i % 2 ? ".test" : ".TEST"));
    EXPECT_EQ(good.addresses, std::vector<std::string>{"127.0.0.7"}) << good.error;
    std::lock_guard lock(mutex);
    order.push_back("good");
  }
  const DnsAnswer slow = slow_answered.get_future().get();
  EXPECT_TRUE(slow.addresses.empty());
  EXPECT_TRUE(slow.timed_out) << slow.error;
  EXPECT_EQ(order.back(), "slow");  // every good lookup came before the slow one gave up
}

TEST(DnsResolver, LookupsOfOneNameShareAQuery) {
  NameServer server({}, 60);  // answers nothing: the lookups stay out together
  DnsResolver resolver(options_for(server));
  std::vector<std::future<DnsAnswer>> answers;
  std::vector<std::promise<DnsAnswer>> promises(20);
  for (auto& promise : promises) {
    answers.push_back(promise.get_future());
    resolver.resolve("shared.test", [&promise](DnsAnswer answer) { promise.set_value(std::move(answer)); });
  }
  for (auto& answer : answers) EXPECT_TRUE(answer.get().timed_out);
  EXPECT_LE(server.queries("shared.test"), 4);  // one query (two tries; A and AAAA), not twenty
}

TEST(DnsResolver, IpLiteralsAnswerAtOnceWithoutAQuery) {
  NameServer server({}, 60);
  DnsResolver resolver(options_for(server));
  EXPECT_EQ(lookup(resolver, "127.0.0.1").addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(lookup(resolver, "[::1]").addresses, std::vector<std::string>{"::1"});
  EXPECT_EQ(lookup(resolver, "::1").addresses, std::vector<std::string>{"::1"});
}

TEST(DnsResolver, ChecksItsServerList) {
  EXPECT_EQ(DnsResolver::check_servers({"10.0.0.2", "10.0.0.3:5353", "[fd00::53]:53", "::1"}), "");
  EXPECT_NE(DnsResolver::check_servers({"ns.example.com"}), "");
  EXPECT_NE(DnsResolver::check_servers({"10.0.0.2:99999"}), "");
  EXPECT_NE(DnsResolver::check_servers({"[fd00::53"}), "");
}

}  // namespace
}  // namespace hookd::net
