// hookd sign: print the Standard Webhooks headers for a payload read from stdin.
#include <chrono>
#include <cstdio>
#include <vector>

#include "cli/commands.h"
#include "cli/input.h"
#include "hookd/sign/standard.h"

namespace hookd::cli {
namespace {

struct SignOptions {
  std::vector<std::string> secrets;
  std::string id;
  std::optional<std::int64_t> timestamp;
  bool svix = false;
};

int run_sign(const SignOptions& options) {
  std::vector<sign::Secret> keys;
  for (const std::string& text : options.secrets) {
    auto key = sign::Secret::parse(text);
    if (!key) {
      std::fprintf(stderr, "hookd sign: --secret: %s\n", key.error().detail.c_str());
      return kExitFailure;
    }
    keys.push_back(std::move(*key));
  }
  const auto payload = read_all(stdin);
  if (!payload) {
    std::fprintf(stderr, "hookd sign: cannot read the payload from stdin (at most 64 MiB)\n");
    return kExitFailure;
  }
  const std::int64_t timestamp = options.timestamp.value_or(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  auto signature = sign::sign_standard(std::span<const sign::Secret>(keys), options.id, timestamp, *payload);
  if (!signature) {
    std::fprintf(stderr, "hookd sign: %s\n", signature.error().detail.c_str());
    return kExitFailure;
  }
  const char* prefix = options.svix ? "svix" : "webhook";
  std::printf("%s-id: %s\n%s-timestamp: %lld\n%s-signature: %s\n", prefix, options.id.c_str(), prefix,
              static_cast<long long>(timestamp), prefix, signature->c_str());
  return kExitOk;
}

}  // namespace

void add_sign_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("sign", "Sign a payload (stdin) with Standard Webhooks headers");
  command->footer(
      "The payload is read from stdin, byte for byte. Several --secret options sign with each key (as\n"
      "during a rotation). A whsk_ key makes a v1a (Ed25519) signature.\n\n"
      "Example:\n"
      "  echo -n '{\"type\":\"ping\"}' | hookd sign --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw --id msg_1");
  // Shared with the callback, which runs during parsing, after this function has returned.
  auto options = std::make_shared<SignOptions>();
  command->add_option("--secret", options->secrets, "whsec_ or whsk_ key (repeatable)")->required();
  command->add_option("--id", options->id, "the message id (webhook-id)")->required();
  command->add_option("--timestamp", options->timestamp, "Unix seconds (default: now)")->check(CLI::NonNegativeNumber);
  command->add_flag("--svix", options->svix, "print svix-* header names instead of webhook-*");
  command->callback([options, &exit_code] { exit_code = run_sign(*options); });
}

}  // namespace hookd::cli
