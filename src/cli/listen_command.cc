// hookd listen: a local receiver that prints each webhook it gets and whether its signature verifies.
#include <signal.h>

#include <cstdio>
#include <mutex>

#include "cli/commands.h"
#include "core/time.h"
#include "hookd/sign/scheme.h"
#include "net/http_server.h"

namespace hookd::cli {
namespace {

struct ListenOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8072;
  std::string secret;
  int status = 204;
};

void print_request(const net::HttpRequest& request, const std::optional<sign::Verifier>& verifier) {
  std::string verdict = "not checked (no --secret)";
  if (verifier) {
    const auto status = verifier->verify({request.headers, request.body, ""});
    verdict = status ? "valid"
                     : "INVALID (" + std::string(sign::reason_name(status.error().reason)) + ": " +
                           status.error().detail + ")";
  }
  std::string text =
      request.method + " " + request.target + "  " + core::format_rfc3339(core::SystemClock::instance().now()) + "\n";
  for (const auto& [name, value] : request.headers.entries()) text += "  " + name + ": " + value + "\n";
  text += "  " + request.body + "\n  signature: " + verdict + "\n\n";
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int run_listen(const ListenOptions& options) {
  std::optional<sign::Verifier> verifier;
  if (!options.secret.empty()) {
    auto created = sign::Verifier::create({sign::Scheme::standard, {options.secret}, {}, {}});
    if (!created) {
      std::fprintf(stderr, "hookd listen: --secret: %s\n", created.error().detail.c_str());
      return kExitFailure;
    }
    verifier = std::move(*created);
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  net::ServerOptions server_options;
  server_options.address = options.address;
  server_options.port = options.port;
  server_options.limits.max_body_bytes = 16 << 20;
  std::string error;
  const int status = options.status;
  auto server = net::HttpServer::listen(
      server_options,
      [&verifier, status](net::HttpRequest&& request, net::Respond respond) {
        print_request(request, verifier);
        respond(net::HttpResponse::empty(status));
      },
      error);
  if (!server) {
    std::fprintf(stderr, "hookd listen: %s\n", error.c_str());
    return kExitFailure;
  }
  server->start();
  std::printf("listening on http://%s:%u (answering %d; Ctrl-C stops)\n\n", options.address.c_str(), server->port(),
              status);
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  server->stop(std::chrono::seconds(1));
  return kExitOk;
}

}  // namespace

void add_listen_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("listen", "Receive webhooks locally and print them");
  command->footer(
      "Prints every request with its headers and body, and whether its Standard Webhooks (svix-* or\n"
      "webhook-*) signature verifies with --secret.\n\n"
      "Example:\n"
      "  hookd listen --port 8072 --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  // Shared with the callback, which runs during parsing, after this function has returned.
  auto options = std::make_shared<ListenOptions>();
  command->add_option("--port", options->port, "the port (0: any free one)")->capture_default_str();
  command->add_option("--address", options->address, "the address to listen on")->capture_default_str();
  command->add_option("--secret", options->secret, "the endpoint's whsec_ secret, to check signatures");
  command->add_option("--status", options->status, "the status to answer with")
      ->check(CLI::Range(200, 599))
      ->capture_default_str();
  command->callback([options, &exit_code] { exit_code = run_listen(*options); });
}

}  // namespace hookd::cli
