// Sign and verify costs of the signing library, against this machine's ceiling measured in the same
// run: a bare OpenSSL HMAC-SHA256 (or Ed25519) over the same bytes, with no parsing, encoding or
// comparison. The last lines print each operation's ratio to its ceiling (1.0 means no overhead).
//
//   build/bench/sign_bench [--benchmark_min_time=0.5]
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "hookd/sign/sign.h"
#include "sign/crypto.h"

namespace {

using namespace hookd::sign;

constexpr std::string_view kId = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
constexpr std::int64_t kTimestamp = 1700000000;

std::string payload_of(std::int64_t size) { return std::string(static_cast<std::size_t>(size), 'p'); }

const Secret& hmac_key() {
  static const Secret key = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").value();
  return key;
}

const Secret& ed25519_key() {
  static const Secret key = Secret::generate_ed25519();
  return key;
}

// Ceiling: HMAC-SHA256 of "{id}.{timestamp}.{payload}" through a context made once, as the fastest
// possible caller of OpenSSL would do it.
void BM_CeilingHmacSha256(benchmark::State& state) {
  const std::string message = std::string(kId) + ".1700000000." + payload_of(state.range(0));
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
  EVP_MAC_CTX_set_params(ctx, params);
  const auto& key = hmac_key().key_bytes();
  unsigned char out[32];
  std::size_t size = 0;
  for (auto _ : state) {
    EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr);
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    EVP_MAC_final(ctx, out, &size, sizeof out);
    benchmark::DoNotOptimize(out);
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
}

void BM_SignV1(benchmark::State& state) {
  const std::string payload = payload_of(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(sign_standard(hmac_key(), kId, kTimestamp, payload));
}

void BM_VerifyV1(benchmark::State& state) {
  const std::string payload = payload_of(state.range(0));
  const Headers headers{{"webhook-id", std::string(kId)},
                        {"webhook-timestamp", std::to_string(kTimestamp)},
                        {"webhook-signature", sign_standard(hmac_key(), kId, kTimestamp, payload).value()}};
  const std::vector<Secret> keys{hmac_key()};
  const VerifyOptions options{kDefaultTolerance, kTimestamp};
  for (auto _ : state) {
    auto status = verify_standard(keys, headers, payload, options);
    if (!status) state.SkipWithError("verification failed");
  }
}

void BM_CeilingEd25519Verify(benchmark::State& state) {
  const std::string payload = payload_of(state.range(0));
  const std::string signature = crypto::ed25519_sign(ed25519_key().ed25519_key(), {kId, ".1700000000.", payload});
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        crypto::ed25519_verify(ed25519_key().ed25519_key(), signature, {kId, ".1700000000.", payload}));
  }
}

void BM_SignV1a(benchmark::State& state) {
  const std::string payload = payload_of(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(sign_standard(ed25519_key(), kId, kTimestamp, payload));
}

void BM_VerifyV1a(benchmark::State& state) {
  const std::string payload = payload_of(state.range(0));
  const Headers headers{{"webhook-id", std::string(kId)},
                        {"webhook-timestamp", std::to_string(kTimestamp)},
                        {"webhook-signature", sign_standard(ed25519_key(), kId, kTimestamp, payload).value()}};
  const std::vector<Secret> keys{ed25519_key().public_key()};
  const VerifyOptions options{kDefaultTolerance, kTimestamp};
  for (auto _ : state) {
    auto status = verify_standard(keys, headers, payload, options);
    if (!status) state.SkipWithError("verification failed");
  }
}

void BM_VerifyGithub(benchmark::State& state) {
  const std::string payload = payload_of(state.range(0));
  const Headers headers{{"X-Hub-Signature-256", sign_github("secret", payload)}};
  for (auto _ : state) {
    auto status = verify_github("secret", headers, payload);
    if (!status) state.SkipWithError("verification failed");
  }
}

BENCHMARK(BM_CeilingHmacSha256)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_SignV1)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_VerifyV1)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_VerifyGithub)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_CeilingEd25519Verify)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_SignV1a)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_VerifyV1a)->Arg(1024)->Arg(64 * 1024);

// Prints the usual table and remembers each run's time per iteration, for the ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
        nanoseconds_[run.benchmark_name()] = run.GetAdjustedRealTime();  // in the run's time unit (ns)
      }
    }
  }

  void print_ratios() const {
    std::printf("\nratio = ceiling time / hookd time (1.00: no overhead over bare OpenSSL)\n");
    for (const char* size : {"1024", "65536"}) {
      ratio("BM_SignV1", "BM_CeilingHmacSha256", size);
      ratio("BM_VerifyV1", "BM_CeilingHmacSha256", size);
      ratio("BM_VerifyGithub", "BM_CeilingHmacSha256", size);
      ratio("BM_VerifyV1a", "BM_CeilingEd25519Verify", size);
    }
  }

 private:
  void ratio(const std::string& name, const std::string& ceiling, const std::string& size) const {
    const auto ours = nanoseconds_.find(name + "/" + size);
    const auto bare = nanoseconds_.find(ceiling + "/" + size);
    if (ours == nanoseconds_.end() || bare == nanoseconds_.end()) return;
    std::printf("%-16s %6s B: %10.0f ns   ceiling %10.0f ns   ratio %.2f\n", name.c_str() + 3, size.c_str(),
                ours->second, bare->second, bare->second / ours->second);
  }

  std::map<std::string, double> nanoseconds_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
