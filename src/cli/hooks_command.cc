// hookd hooks: serve command hooks with the `webhook` tool's command line and hooks files, so that a
// user swaps the binary and keeps the rest. Go-style flags: -name value, -name=value, --name; booleans
// alone or -name=false.
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "hooks/hook_server.h"
#include "hooks/hooks_file.h"
#include "net/http_server.h"

namespace hookd::cli {
namespace {

struct HooksOptions {
  std::vector<std::string> hooks;
  std::string ip = "0.0.0.0";
  int port = 9000;
  std::string url_prefix = "hooks";
  std::vector<hooks::Header> headers;
  std::string http_methods;
  bool verbose = false;
  bool debug = false;
  std::string logfile;
  bool nopanic = false;
  bool hotreload = false;
  bool as_template = false;
  bool x_request_id = false;
  long x_request_id_limit = 0;
  long max_commands = 64;  // hookd's: commands running at once, all hooks together (-hookd-max-commands)
  std::string pidfile;
  bool secure = false;              // HTTPS with `cert` and `key`
  bool list_cipher_suites = false;  // print the suite names -cipher-suites takes, and stop
  std::string cert = "cert.pem";
  std::string key = "key.pem";
  std::string tls_min_version = "1.2";
  std::string cipher_suites;           // Go's names, comma-separated
  std::optional<long> setuid, setgid;  // drop to these once the port is bound
};

// Go's TLS cipher suites as `webhook -list-cipher-suites` lists them, with OpenSSL's names (empty for
// TLS 1.3's, which Go does not let a server choose either).
constexpr std::pair<const char*, const char*> kCipherSuites[] = {
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_AES_128_GCM_SHA256", ""},
    {"TLS_AES_256_GCM_SHA384", ""},
    {"TLS_CHACHA20_POLY1305_SHA256", ""},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
};

// OpenSSL's cipher list for Go's comma-separated names; an error message for a name Go does not know.
std::string openssl_ciphers(const std::string& names, std::string& error) {
  std::string list;
  std::size_t start = 0;
  while (start <= names.size()) {
    const std::size_t comma = std::min(names.find(',', start), names.size());
    std::string name = names.substr(start, comma - start);
    std::erase(name, ' ');
    start = comma + 1;
    if (name.empty()) continue;
    const auto* known = std::find_if(std::begin(kCipherSuites), std::end(kCipherSuites),
                                     [&](const auto& suite) { return name == suite.first; });
    if (known == std::end(kCipherSuites)) {
      error = "unknown cipher suite: " + name;
      return "";
    }
    if (*known->second != '\0') list += (list.empty() ? "" : ":") + std::string(known->second);
  }
  return list;
}

constexpr const char* kUsage =
    "Usage of hookd hooks (the webhook tool's flags):\n"
    "  -hooks value          path to a hooks file, JSON or YAML (repeatable; default hooks.json)\n"
    "  -ip string            ip to serve hooks on (default \"0.0.0.0\")\n"
    "  -port int             port to serve hooks on (default 9000)\n"
    "  -urlprefix string     url prefix for hooks: /PREFIX/:hook-id (default \"hooks\")\n"
    "  -header value         response header name=value (repeatable)\n"
    "  -http-methods string  default allowed HTTP methods, comma separated\n"
    "  -hotreload            reload hooks files when they change (SIGHUP and SIGUSR1 reload too)\n"
    "  -template             expand hooks files as Go templates first ({{ getenv \"NAME\" }})\n"
    "  -verbose              log each request\n"
    "  -debug                log more\n"
    "  -logfile string       log to this file (implies -verbose)\n"
    "  -nopanic              keep running when hooks cannot be loaded\n"
    "  -x-request-id         use the X-Request-Id header as the request id\n"
    "  -x-request-id-limit int  truncate it to this many characters\n"
    "  -pidfile string       write the process id here\n"
    "  -max-multipart-mem int  accepted for compatibility\n"
    "  -version              print the version and quit\n"
    "  -secure               serve HTTPS instead of HTTP\n"
    "  -cert string          HTTPS certificate chain, PEM (default \"cert.pem\")\n"
    "  -key string           HTTPS private key, PEM (default \"key.pem\")\n"
    "  -tls-min-version string  minimum TLS version: 1.0, 1.1, 1.2 or 1.3 (default \"1.2\")\n"
    "  -cipher-suites string    TLS 1.2 cipher suites, Go's names, comma-separated\n"
    "  -list-cipher-suites      list them and quit\n"
    "  -setuid int / -setgid int  run as this user and group once the port is bound (together, as root)\n"
    "hookd's own:\n"
    "  -hookd-max-commands int  commands running at once, all hooks together; beyond, 503 (default 64)\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "%s\n%s", message.c_str(), kUsage);
  return kExitUsage;
}

FILE* log_target = stderr;
bool log_on = false;

void log_line(const std::string& line) {
  if (!log_on) return;
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);  // several threads log at once
  std::strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S", &local);
  std::fprintf(log_target, "[hookd] %s %s\n", stamp, line.c_str());
  std::fflush(log_target);
}

// Parses Go `flag` syntax into `options`; an error message, or "" when fine.
std::string parse_flags(const std::vector<std::string>& args, HooksOptions& options, bool& version) {
  static const std::map<std::string, bool> kBoolean = {
      {"verbose", true}, {"debug", true},    {"nopanic", true}, {"hotreload", true},         {"x-request-id", true},
      {"version", true}, {"template", true}, {"secure", true},  {"list-cipher-suites", true}};
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--" || arg.empty() || arg[0] != '-') break;  // Go stops at the first non-flag
    arg.erase(0, arg.rfind("--", 0) == 0 ? 2 : 1);
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    if (arg == "h" || arg == "help") return "help";
    const bool boolean = kBoolean.contains(arg);
    if (!boolean && !value) {
      if (i + 1 >= args.size()) return "flag needs an argument: -" + arg;
      value = args[++i];
    }
    const bool on = !value || *value == "true" || *value == "1";
    if (arg == "template") {
      options.as_template = on;
    } else if (arg == "list-cipher-suites") {
      options.list_cipher_suites = on;
    } else if (arg == "setuid" || arg == "setgid") {
      char* end = nullptr;
      const long id = std::strtol(value->c_str(), &end, 10);
      if (value->empty() || *end != '\0' || id < 0) {
        return "invalid value \"" + *value + "\" for flag -" + arg + ": parse error";
      }
      (arg == "setuid" ? options.setuid : options.setgid) = id;
    } else if (arg == "hookd-max-commands") {
      char* end = nullptr;
      const long count = std::strtol(value->c_str(), &end, 10);
      if (value->empty() || *end != '\0' || count < 1 || count > 100000) {
        return "invalid value \"" + *value + "\" for flag -hookd-max-commands: a number from 1 to 100000";
      }
      options.max_commands = count;
    } else if (arg == "cipher-suites") {
      options.cipher_suites = *value;
    } else if (arg == "hooks") {
      options.hooks.push_back(*value);
    } else if (arg == "ip") {
      options.ip = *value;
    } else if (arg == "port") {
      try {
        options.port = std::stoi(*value);
      } catch (...) {
        return "invalid value \"" + *value + "\" for flag -port: parse error";
      }
      if (options.port < 0 || options.port > 65535) return "invalid value \"" + *value + "\" for flag -port";
    } else if (arg == "urlprefix") {
      options.url_prefix = *value;
    } else if (arg == "header") {
      const auto eq = value->find('=');
      if (eq == std::string::npos) {
        return "invalid value \"" + *value + "\" for flag -header: header flag must be in name=value format";
      }
      options.headers.push_back({value->substr(0, eq), value->substr(eq + 1)});
    } else if (arg == "http-methods") {
      options.http_methods = *value;
    } else if (arg == "verbose") {
      options.verbose = on;
    } else if (arg == "debug") {
      options.debug = on;
    } else if (arg == "logfile") {
      options.logfile = *value;
    } else if (arg == "nopanic") {
      options.nopanic = on;
    } else if (arg == "hotreload") {
      options.hotreload = on;
    } else if (arg == "x-request-id") {
      options.x_request_id = on;
    } else if (arg == "x-request-id-limit") {
      options.x_request_id_limit = std::atol(value->c_str());
    } else if (arg == "pidfile") {
      options.pidfile = *value;
    } else if (arg == "max-multipart-mem") {
      // accepted: hookd does not parse multipart bodies
    } else if (arg == "secure") {
      options.secure = on;
    } else if (arg == "cert") {
      options.cert = *value;
    } else if (arg == "key") {
      options.key = *value;
    } else if (arg == "tls-min-version") {
      options.tls_min_version = *value;
    } else if (arg == "version") {
      version = true;
    } else {
      return "flag provided but not defined: -" + arg;
    }
  }
  if (options.hooks.empty()) options.hooks.push_back("hooks.json");
  if (options.setuid.has_value() != options.setgid.has_value())
    return "setuid and setgid options must be used together";
  return "";
}

// The hooks of each file, kept as `webhook` keeps them. At start, a file that does not load is said and
// left out (and not watched); an id that an earlier file defined ends the process; one file may repeat an
// id (its first definition is served). A reload reads each file again: a file that does not load, or that
// now repeats an id, or defines one that another file has, keeps its previous hooks.
class LoadedHooks {
 public:
  // False when an id is defined in two files; `problem` says which.
  bool load(const std::vector<std::string>& files, bool as_template, std::string& problem) {
    for (const auto& file : files) {
      auto loaded = hooks::load_hooks_file(file, as_template);
      if (!loaded) {
        std::fprintf(stderr, "couldn't load hooks from file! %s\n", loaded.error().detail.c_str());
        continue;
      }
      for (const auto& hook : *loaded) {
        // By an earlier file, or by this one named twice, as `webhook` counts it.
        if (file_defining(hook.id)) {
          problem = "error: hook with the id " + hook.id +
                    " has already been loaded!\nplease check your hooks "
                    "file for duplicate hooks ids!";
          return false;
        }
      }
      log_line("found " + std::to_string(loaded->size()) + " hook(s) in " + file);
      by_file_.emplace_back(file, std::move(*loaded));
    }
    return true;
  }

  void reload(bool as_template) {
    for (auto& [file, current] : by_file_) {
      auto loaded = hooks::load_hooks_file(file, as_template);
      if (!loaded) {
        log_line("couldn't load hooks from file! " + loaded.error().detail);
        continue;
      }
      std::set<std::string> seen;
      const auto refused = std::find_if(loaded->begin(), loaded->end(), [&](const hooks::Hook& hook) {
        const std::string* defining = file_defining(hook.id);
        return (defining && *defining != file) || !seen.insert(hook.id).second;
      });
      if (refused != loaded->end()) {
        log_line("error: hook with the id " + refused->id + " has already been loaded! keeping the hooks of " + file +
                 " as they were");
        continue;
      }
      log_line("reloaded " + std::to_string(loaded->size()) + " hook(s) from " + file);
      current = std::move(*loaded);
    }
  }

  std::vector<hooks::Hook> all() const {
    std::vector<hooks::Hook> out;
    for (const auto& [file, hooks] : by_file_) out.insert(out.end(), hooks.begin(), hooks.end());
    return out;
  }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& entry : by_file_) out.push_back(entry.first);
    return out;
  }

 private:
  // The first loaded file that defines `id`, or null.
  const std::string* file_defining(const std::string& id) const {
    for (const auto& [file, defined] : by_file_) {
      if (std::any_of(defined.begin(), defined.end(), [&](const hooks::Hook& h) { return h.id == id; })) return &file;
    }
    return nullptr;
  }

  std::vector<std::pair<std::string, std::vector<hooks::Hook>>> by_file_;
};

std::map<std::string, std::filesystem::file_time_type> stamps(const std::vector<std::string>& files) {
  std::map<std::string, std::filesystem::file_time_type> out;
  for (const auto& file : files) {
    std::error_code error;
    out[file] = std::filesystem::last_write_time(file, error);
  }
  return out;
}

}  // namespace

int run_hooks(const std::vector<std::string>& args) {
  HooksOptions options;
  bool version = false;
  if (const std::string problem = parse_flags(args, options, version); !problem.empty()) {
    if (problem == "help") {
      std::fputs(kUsage, stderr);
      return kExitOk;
    }
    return usage_error(problem);
  }
  if (version) {
    std::printf("hookd hooks (compatible with webhook 2.8)\n");
    return kExitOk;
  }
  if (options.list_cipher_suites) {
    for (const auto& [name, openssl] : kCipherSuites) std::printf("%s\n", name);
    return kExitOk;
  }
  log_on = options.verbose || options.debug || !options.logfile.empty();
  if (!options.logfile.empty()) {
    log_target = std::fopen(options.logfile.c_str(), "a");
    if (!log_target) {
      std::fprintf(stderr, "cannot open log file %s\n", options.logfile.c_str());
      return kExitFailure;
    }
  }
  LoadedHooks loaded;
  if (std::string problem; !loaded.load(options.hooks, options.as_template, problem)) {
    std::fprintf(stderr, "%s\n", problem.c_str());
    return kExitFailure;
  }
  // As `webhook`: with no hook at all, it stops, unless -verbose or -nopanic.
  if (loaded.all().empty() && !log_on && !options.nopanic) {
    std::fprintf(stderr,
                 "couldn't load any hooks from file!\naborting webhook execution since the -verbose flag is set to "
                 "false.\nIf, for some reason, you want webhook to start without the hooks, either use -verbose "
                 "flag, or -nopanic\n");
    return kExitFailure;
  }

  hooks::HookServerOptions server_options;
  server_options.url_prefix = options.url_prefix;
  server_options.headers = options.headers;
  // As `webhook`: spaces removed, upper-cased, split on commas.
  std::string methods = options.http_methods;
  std::erase(methods, ' ');
  for (char& c : methods) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::string_view rest = methods; !rest.empty();) {
    const auto comma = rest.find(',');
    server_options.default_methods.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  server_options.use_request_id_header = options.x_request_id;
  server_options.request_id_limit = static_cast<std::size_t>(std::max(0L, options.x_request_id_limit));
  server_options.log = log_line;
  server_options.max_commands = static_cast<int>(options.max_commands);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  hooks::HookServer hooks(loaded.all(), server_options);
  net::ServerOptions http;
  // webhook takes "[::]" (it joins ip and port as Go's net.Listen wants them); the address is within.
  http.address = options.ip.size() > 2 && options.ip.front() == '[' && options.ip.back() == ']'
                     ? options.ip.substr(1, options.ip.size() - 2)
                     : options.ip;
  http.port = static_cast<std::uint16_t>(options.port);
  http.threads = 2;
  http.server_header = "";
  http.limits.max_body_bytes = 64 << 20;
  if (options.secure) {
    std::string unknown;
    const std::string ciphers = openssl_ciphers(options.cipher_suites, unknown);
    if (!unknown.empty()) {
      std::fprintf(stderr, "%s\n", unknown.c_str());
      return kExitUsage;
    }
    http.tls = net::ServerTls{options.cert, options.key, options.tls_min_version, ciphers};
  }
  std::string error;
  auto server = net::HttpServer::listen(
      http,
      [&hooks](net::HttpRequest&& request, net::Respond respond) {
        hooks.handle(std::move(request), std::move(respond));
      },
      error);
  if (!server) {
    std::fprintf(stderr, "cannot listen on %s:%d: %s\n", options.ip.c_str(), options.port, error.c_str());
    return kExitFailure;
  }
  if (options.setuid) {
    // The port is bound: from here on, the user and group asked for (as webhook means to, where Go can).
    if (::setgroups(0, nullptr) != 0 || ::setgid(static_cast<gid_t>(*options.setgid)) != 0 ||
        ::setuid(static_cast<uid_t>(*options.setuid)) != 0) {
      std::fprintf(stderr, "error dropping privileges: %s\n", std::strerror(errno));
      return kExitFailure;
    }
  }
  server->start();
  if (!options.pidfile.empty()) std::ofstream(options.pidfile) << ::getpid() << '\n';
  std::printf("serving hooks on %s://%s:%u/%s/{id}\n", options.secure ? "https" : "http", options.ip.c_str(),
              server->port(), options.url_prefix.c_str());
  std::fflush(stdout);

  // Reloads every hooks file that loaded at start; one that fails keeps its hooks (as in webhook).
  std::mutex reloading;
  auto reload = [&] {
    std::lock_guard lock(reloading);
    loaded.reload(options.as_template);
    hooks.replace(loaded.all());
  };
  std::atomic<bool> done{false};
  std::thread reloader;
  if (options.hotreload) {
    reloader = std::thread([&] {
      const auto watched = loaded.files();
      auto seen = stamps(watched);
      while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        auto now = stamps(watched);
        if (now == seen) continue;
        seen = now;
        reload();
      }
    });
  }
  int signal_number = 0;
  while (true) {
    sigwait(&signals, &signal_number);
    if (signal_number != SIGHUP && signal_number != SIGUSR1) break;
    reload();
  }
  done = true;
  if (reloader.joinable()) reloader.join();
  server->stop(std::chrono::seconds(5));
  hooks.stop(std::chrono::seconds(10));
  if (!options.pidfile.empty()) std::filesystem::remove(options.pidfile);
  return kExitOk;
}

}  // namespace hookd::cli
