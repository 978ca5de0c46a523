// hookd verify: check a webhook's signature, with its payload on stdin and its headers as -H options.
#include <cstdio>
#include <vector>

#include "cli/commands.h"
#include "cli/input.h"
#include "hookd/sign/scheme.h"

namespace hookd::cli {
namespace {

struct VerifyCommandOptions {
  std::string scheme;
  std::vector<std::string> secrets;
  std::vector<std::string> headers;
  std::string url;
  std::int64_t tolerance = sign::kDefaultTolerance.count();
  std::optional<std::int64_t> now;
  std::string hmac_header = "X-Signature";
  std::string hmac_algorithm = "sha256";
  std::string hmac_encoding = "hex";
  std::string hmac_prefix;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "hookd verify: %s\nRun with --help for more information.\n", message.c_str());
  return kExitUsage;
}

int run_verify(const VerifyCommandOptions& options) {
  sign::VerifierConfig config;
  config.scheme = *sign::parse_scheme(options.scheme);  // checked by CLI11
  config.secrets = options.secrets;
  config.options = {std::chrono::seconds(options.tolerance), options.now};
  config.hmac = {options.hmac_header, *sign::parse_hmac_algorithm(options.hmac_algorithm),
                 *sign::parse_signature_encoding(options.hmac_encoding), options.hmac_prefix};
  if (config.scheme == sign::Scheme::twilio && options.url.empty()) {
    return usage_error("--scheme twilio needs --url: Twilio signs the URL it requested");
  }

  sign::Headers headers;
  for (const std::string& argument : options.headers) {
    auto header = parse_header_argument(argument);
    if (!header) return usage_error("-H wants 'Name: value', got '" + argument + "'");
    headers.add(std::move(header->first), std::move(header->second));
  }

  auto verifier = sign::Verifier::create(std::move(config));
  if (!verifier) {
    std::fprintf(stderr, "hookd verify: --secret: %s\n", verifier.error().detail.c_str());
    return kExitFailure;
  }

  const auto payload = read_all(stdin);
  if (!payload) {
    std::fprintf(stderr, "hookd verify: cannot read the payload from stdin (at most 64 MiB)\n");
    return kExitFailure;
  }
  const auto status = verifier->verify({headers, *payload, options.url});
  if (!status) {
    std::printf("invalid: %s: %s\n", std::string(sign::reason_name(status.error().reason)).c_str(),
                status.error().detail.c_str());
    return kExitFailure;
  }
  std::printf("valid\n");
  return kExitOk;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("verify", "Verify a webhook's signature (payload on stdin)");
  command->footer(
      "Prints 'valid' and exits 0, or prints 'invalid: <reason>: <detail>' and exits 1. Usage errors exit 2.\n"
      "Several --secret options accept a request signed with any of them.\n\n"
      "Examples:\n"
      "  hookd verify --scheme standard --secret whsec_… -H 'webhook-id: msg_1' \\\n"
      "      -H 'webhook-timestamp: 1700000000' -H 'webhook-signature: v1,…' < body.json\n"
      "  hookd verify --scheme github --secret s3cret -H 'X-Hub-Signature-256: sha256=…' < body.json\n"
      "  hookd verify --scheme twilio --secret TOKEN --url 'https://example.com/sms' \\\n"
      "      -H 'X-Twilio-Signature: …' < form-body.txt\n"
      "  hookd verify --scheme hmac --secret k --hmac-header X-Sig --hmac-prefix sha256= -H 'X-Sig: sha256=…'");
  // Shared with the callback, which runs during parsing, after this function has returned.
  auto options = std::make_shared<VerifyCommandOptions>();
  command->add_option("--scheme", options->scheme, "standard|svix|github|stripe|shopify|slack|gitlab|twilio|hmac")
      ->required()
      ->check(CLI::IsMember({"standard", "svix", "github", "stripe", "shopify", "slack", "gitlab", "twilio", "hmac"},
                            CLI::ignore_case));
  command->add_option("--secret", options->secrets, "the key, token or secret (repeatable)")->required();
  command->add_option("-H,--header", options->headers, "a request header, 'Name: value' (repeatable)");
  command->add_option("--url", options->url, "the URL the sender requested (Twilio)");
  command->add_option("--tolerance", options->tolerance, "seconds a timestamp may be off, either way (0: off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--now", options->now, "Unix seconds to verify at (default: the clock)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--hmac-header", options->hmac_header, "hmac: the signature header")->capture_default_str();
  command->add_option("--hmac-algorithm", options->hmac_algorithm, "hmac: sha1, sha256 or sha512")
      ->check(CLI::IsMember({"sha1", "sha256", "sha512"}, CLI::ignore_case))
      ->capture_default_str();
  command->add_option("--hmac-encoding", options->hmac_encoding, "hmac: hex or base64")
      ->check(CLI::IsMember({"hex", "base64"}, CLI::ignore_case))
      ->capture_default_str();
  command->add_option("--hmac-prefix", options->hmac_prefix, "hmac: text before the signature, e.g. sha256=");
  command->callback([options, &exit_code] { exit_code = run_verify(*options); });
}

}  // namespace hookd::cli
