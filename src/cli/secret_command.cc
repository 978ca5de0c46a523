// hookd secret generate | public: make Standard Webhooks keys.
#include <cstdio>

#include "cli/commands.h"
#include "hookd/sign/secret.h"

namespace hookd::cli {

void add_secret_command(CLI::App& app, int& exit_code) {
  CLI::App* secret = app.add_subcommand("secret", "Generate Standard Webhooks keys");
  secret->require_subcommand(1);

  CLI::App* generate = secret->add_subcommand("generate", "Print a new secret from the OS CSPRNG");
  generate->footer(
      "Examples:\n"
      "  hookd secret generate                  # whsec_… (HMAC-SHA256, 24 random bytes)\n"
      "  hookd secret generate --type ed25519   # whsk_… then whpk_… (private, public)");
  auto type = std::make_shared<std::string>("hmac");
  generate->add_option("--type", *type, "hmac (whsec_) or ed25519 (whsk_/whpk_ pair)")
      ->check(CLI::IsMember({"hmac", "ed25519"}))
      ->capture_default_str();
  generate->callback([type, &exit_code] {
    if (*type == "hmac") {
      std::printf("%s\n", sign::Secret::generate_hmac().to_string().c_str());
    } else {
      const sign::Secret key = sign::Secret::generate_ed25519();
      std::printf("%s\n%s\n", key.to_string().c_str(), key.public_key().to_string().c_str());
    }
    exit_code = kExitOk;
  });

  CLI::App* public_key = secret->add_subcommand("public", "Print the whpk_ public key of a whsk_ private key");
  public_key->footer("Example:\n  hookd secret public whsk_…");
  auto text = std::make_shared<std::string>();
  public_key->add_option("KEY", *text, "a whsk_ key")->required();
  public_key->callback([text, &exit_code] {
    auto key = sign::Secret::parse(*text);
    if (!key || key->type() != sign::KeyType::ed25519_private) {
      std::fprintf(stderr, "hookd secret public: %s\n",
                   key ? "the key is not a whsk_ private key" : key.error().detail.c_str());
      exit_code = kExitFailure;
      return;
    }
    std::printf("%s\n", key->public_key().to_string().c_str());
    exit_code = kExitOk;
  });
}

}  // namespace hookd::cli
