#include "hooks/hook_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "hooks/command.h"
#include "hooks/hook_request.h"
#include "hooks/rules.h"

extern char** environ;

namespace hookd::hooks {

// Bounds the commands of one hook that run at once, with a bounded queue of those waiting.
struct HookServer::Slots {
  std::mutex mutex;
  std::condition_variable freed;
  int running = 0;
  int waiting = 0;
};

namespace {

constexpr std::string_view kNotFound = "Hook not found.";
constexpr std::string_view kRulesError = "Error occurred while evaluating hook rules.";
constexpr std::string_view kNotSatisfied = "Hook rules were not satisfied.";
constexpr std::string_view kCommandError =
    "Error occurred while executing the hook's command. Please check your logs for more details.";
constexpr std::string_view kBusy = "Too many requests for this hook.";
constexpr std::string_view kBadMultipart = "Error occurred while parsing multipart form.";

// A configured status code, as webhook's writeHttpResponseCode takes it: one Go knows (http.StatusText
// is not empty), else 200.
int status_or_ok(int code) {
  // 1xx are left out: Go sends one as an informational answer, then 200.
  static constexpr int kKnown[] = {200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304,
                                   305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411,
                                   412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429,
                                   431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511};
  return std::find(std::begin(kKnown), std::end(kKnown), code) != std::end(kKnown) ? code : 200;
}

// Go's strings.TrimSpace, for ASCII.
std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\n\r\v\f");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t\n\r\v\f") - first + 1));
}

// Go's Header.Set: replaces every header of the same (canonical) name.
void set_header(std::vector<Header>& headers, const Header& header) {
  std::erase_if(headers, [&](const Header& h) { return canonical_header(h.name) == canonical_header(header.name); });
  headers.push_back({canonical_header(header.name), header.value});
}

// As Go's http.ResponseWriter: a body gets a text content type unless a header set one.
net::HttpResponse text(int status, std::string body, const std::vector<Header>& headers) {
  net::HttpResponse response;
  response.status = status;
  for (const auto& header : headers) response.headers.add(header.name, header.value);
  if (!body.empty() && !response.headers.find("Content-Type")) {
    response.headers.add("Content-Type", "text/plain; charset=utf-8");
  }
  response.body = std::move(body);
  return response;
}

// The temporary files of pass-file-to-command, removed when the command is done.
struct PassedFiles {
  std::vector<std::string> paths;
  ~PassedFiles() {
    for (const auto& path : paths) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  }
};

// Go's base64.StdEncoding.DecodeString as `webhook` uses it for base64decode: the bytes decoded before an
// error (4 characters at a time; CR and LF skipped; a group cut short or holding a stray character gives
// nothing), so text that is not base64 becomes what Go made of it, not the text itself.
std::string go_base64_decode(std::string_view text) {
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  const auto skip_newlines = [&](std::size_t& at) {
    while (at < text.size() && (text[at] == '\n' || text[at] == '\r')) ++at;
  };
  std::string out;
  std::size_t at = 0;
  while (true) {
    int digits[4] = {0, 0, 0, 0};
    int count = 0;  // digits of this group
    bool padded = false;
    while (count < 4) {
      if (at == text.size()) {
        return out;  // the end: complete after a whole group; a group cut short gives nothing
      }
      const char c = text[at++];
      if (c == '\n' || c == '\r') continue;
      if (const int v = value(c); v >= 0) {
        digits[count++] = v;
        continue;
      }
      if (c != '=' || count < 2) return out;  // a stray character, or padding too early
      if (count == 2) {                       // "xx==": the second '=' must follow
        skip_newlines(at);
        if (at == text.size() || text[at] != '=') return out;
        ++at;
      }
      padded = true;
      break;
    }
    const unsigned bits = (static_cast<unsigned>(digits[0]) << 18) | (static_cast<unsigned>(digits[1]) << 12) |
                          (static_cast<unsigned>(digits[2]) << 6) | static_cast<unsigned>(digits[3]);
    const char bytes[3] = {static_cast<char>(bits >> 16), static_cast<char>((bits >> 8) & 0xff),
                           static_cast<char>(bits & 0xff)};
    out.append(bytes, static_cast<std::size_t>(count - 1));  // 3 bytes for 4 digits, 2 for 3, 1 for 2
    if (padded) return out;                                  // after padding, nothing more is decoded
  }
}

// A new file for pass-file-to-command, as Go's ioutil.TempFile makes it: `name` and random digits, created
// exclusively (never an existing file or a link planted there), 0600; its path, or nullopt.
std::optional<std::string> create_passed_file(const std::filesystem::path& directory, const std::string& name,
                                              const std::string& content) {
  static thread_local std::mt19937 random{std::random_device{}()};
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string path = (directory / (name + std::to_string(random()))).string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return std::nullopt;
    bool written = true;
    for (std::size_t at = 0; at < content.size() && written;) {
      const ssize_t n = ::write(fd, content.data() + at, content.size() - at);
      if (n < 0 && errno == EINTR) continue;
      written = n > 0;
      if (written) at += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (!written) {
      ::unlink(path.c_str());
      return std::nullopt;
    }
    return path;
  }
  return std::nullopt;
}

CommandSpec command_for(const Hook& hook, const HookRequest& request, PassedFiles& files,
                        std::vector<std::string>& problems) {
  CommandSpec spec;
  spec.program = hook.execute_command;
  spec.working_directory = hook.command_working_directory;
  spec.timeout = hook.command_timeout;
  if (hook.payload_on_stdin) spec.input = request.body;
  for (const Argument& argument : hook.pass_arguments_to_command) {
    auto value = value_of(argument, request);
    if (!value) problems.push_back("couldn't retrieve argument for " + argument.source + " " + argument.name);
    spec.arguments.push_back(value.value_or(""));
  }
  for (const Argument& argument : hook.pass_environment_to_command) {
    auto value = value_of(argument, request);
    if (!value) {
      problems.push_back("couldn't retrieve environment variable for " + argument.source + " " + argument.name);
      continue;
    }
    spec.environment.push_back((argument.envname.empty() ? "HOOK_" + argument.name : argument.envname) + "=" + *value);
  }
  for (const Argument& argument : hook.pass_file_to_command) {
    auto value = value_of(argument, request);
    if (!value) {
      problems.push_back("couldn't retrieve file for " + argument.source + " " + argument.name);
      continue;
    }
    std::string content = *value;
    if (argument.base64decode) content = go_base64_decode(content);
    // Go's os.TempDir: $TMPDIR, else /tmp, whether or not it exists (a file that cannot be made there is
    // said in the log and left out, as in `webhook`).
    const char* temporary = std::getenv("TMPDIR");
    const std::filesystem::path directory = !hook.command_working_directory.empty() ? hook.command_working_directory
                                            : temporary && *temporary               ? temporary
                                                                                    : "/tmp";
    std::string name = argument.envname;
    if (name.empty()) {
      name = "HOOK_" + argument.name;
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    auto path = create_passed_file(directory, name, content);
    if (!path) {
      problems.push_back("error creating temp file for " + name + " in " + directory.string());
      continue;
    }
    files.paths.push_back(*path);
    spec.environment.push_back(name + "=" + *path);
  }
  return spec;
}

}  // namespace

bool HookServer::method_allowed(const Hook& hook, const std::string& method) const {
  // As `webhook`: a hook's http-methods are trimmed and upper-cased, and the request's method is compared
  // as sent ("post" is not POST).
  if (!hook.http_methods.empty()) {
    return std::any_of(hook.http_methods.begin(), hook.http_methods.end(), [&](const std::string& listed) {
      std::string allowed = trim(listed);
      for (char& c : allowed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return allowed == method;
    });
  }
  if (options_.default_methods.empty()) return true;
  return std::find(options_.default_methods.begin(), options_.default_methods.end(), method) !=
         options_.default_methods.end();
}

HookServer::HookServer(std::vector<Hook> hooks, HookServerOptions options) : options_(std::move(options)) {
  running_->log = options_.log;
  running_->metrics = options_.metrics;
  std::vector<Header> headers;
  for (const Header& header : options_.headers) set_header(headers, header);
  options_.headers = std::move(headers);
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view variable(*entry);
    const auto equals = variable.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = variable.substr(0, equals);
    const std::string_view value = variable.substr(equals + 1);
    const bool secret = std::any_of(options_.secrets.begin(), options_.secrets.end(),
                                    [&](const std::string& s) { return !s.empty() && s == value; });
    if (secret || name.starts_with("HOOKD_")) hidden_environment_.emplace_back(name);
  }
  replace(std::move(hooks));
}

HookServer::~HookServer() { stop(std::chrono::seconds(10)); }

// Calls `visit` for each rule of `rule`'s tree.
template <class Visit>
void for_each_rule(const Rule& rule, Visit&& visit) {
  visit(rule);
  for (const Rule& child : rule.rules) for_each_rule(child, visit);
}

void HookServer::replace(std::vector<Hook> hooks) {
  // A pattern that does not compile is said now; its rule fails each request, as `webhook`'s does.
  for (const Hook& hook : hooks) {
    if (!hook.trigger_rule || !options_.log) continue;
    for_each_rule(*hook.trigger_rule, [&](const Rule& rule) {
      if (rule.type == "regex" && !rule.compiled_regex) {
        options_.log("hook " + hook.id + ": the regex " + rule.regex + " does not compile (" + rule.regex_error +
                     "); requests it applies to will be answered 500");
      }
    });
  }
  std::lock_guard lock(mutex_);
  hooks_.clear();
  for (auto& hook : hooks) {
    const std::string id = hook.id;
    hooks_.emplace(id, std::make_shared<const Hook>(std::move(hook)));
    if (!slots_.contains(id)) slots_[id] = std::make_shared<Slots>();
  }
}

std::shared_ptr<const Hook> HookServer::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = hooks_.find(id);
  return it == hooks_.end() ? nullptr : it->second;
}

void HookServer::log(const std::string& request_id, const std::string& line) const {
  if (options_.log) options_.log("[" + request_id + "] " + line);
}

void HookServer::stop(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (running_->count > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void HookServer::handle(net::HttpRequest http, net::Respond respond) {
  std::string request_id;
  if (options_.use_request_id_header) {
    if (auto given = http.headers.find("X-Request-Id")) {
      request_id = std::string(*given);
      if (options_.request_id_limit > 0 && request_id.size() > options_.request_id_limit) {
        request_id.resize(options_.request_id_limit);
      }
    }
  }
  if (request_id.empty()) {
    // As `webhook`: six random hex digits (the start of a UUIDv4).
    static thread_local std::mt19937 random{std::random_device{}()};
    char digits[8];
    std::snprintf(digits, sizeof digits, "%06x", static_cast<unsigned>(random() & 0xffffff));
    request_id = digits;
  }
  // As gorilla/mux: the hook id is matched in the decoded path ("/hooks/my%20hook" is "my hook").
  const std::string path = percent_decode(http.path(), false).value_or(std::string(http.path()));
  if (path == "/") return respond(text(200, "OK", {}));
  const std::string prefix = options_.url_prefix.empty() ? "/" : "/" + options_.url_prefix + "/";
  if (!path.starts_with(prefix)) {
    return respond(text(404, "404 page not found\n", {{"X-Content-Type-Options", "nosniff"}}));
  }
  const std::string id = path.substr(prefix.size());  // may hold '/', as {id:.*} does
  log(request_id, "incoming HTTP " + http.method + " request from " + http.remote_address);
  auto hook = find(id);
  if (!hook) return respond(text(404, std::string(kNotFound), {}));
  if (!method_allowed(*hook, http.method)) return respond(text(405, "", {}));
  log(request_id, id + " got matched");

  std::vector<std::pair<std::string, std::string>> headers = http.headers.entries();
  // Go's RemoteAddr: an IPv4 client of an IPv6 socket is its IPv4 address, not ::ffff:a.b.c.d.
  std::string address = http.remote_address;
  if (address.starts_with("::ffff:") && address.find('.') != std::string::npos) address = address.substr(7);
  const std::string remote =
      (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" + std::to_string(http.remote_port);
  auto request = std::make_shared<HookRequest>(
      make_request(http.method, remote, std::move(headers), http.query(), std::move(http.body), *hook));
  if (request->payload_error) log(request_id, "error parsing the payload: " + *request->payload_error);
  if (request->bad_multipart) return respond(text(500, std::string(kBadMultipart), options_.headers));

  if (hook->trigger_rule) {
    const RuleOutcome outcome = evaluate(*hook->trigger_rule, *request, hook->trigger_signature_soft_failures);
    if (outcome.error && !outcome.parameter_missing) {
      log(request_id, "error evaluating hook: " + *outcome.error);
      return respond(text(500, std::string(kRulesError), options_.headers));
    }
    if (outcome.error) log(request_id, *outcome.error);
    if (!outcome.satisfied) {
      log(request_id, id + " hook triggered, but the rules were not satisfied");
      if (options_.metrics) options_.metrics->hook_run(metrics::HookOutcome::rules_unmet, {});
      const int status = status_or_ok(hook->trigger_rule_mismatch_http_response_code);
      return respond(text(status, std::string(kNotSatisfied), options_.headers));
    }
  }
  log(request_id, id + " hook triggered successfully");

  // The hook's response-headers replace the server's -header of the same name, as Go's Header.Set does.
  std::vector<Header> headers_out = options_.headers;
  for (const Header& header : hook->response_headers) set_header(headers_out, header);
  const int success = status_or_ok(hook->success_http_response_code);

  std::shared_ptr<Slots> slots;
  {
    std::lock_guard lock(mutex_);
    slots = slots_[id];
  }
  if (running_->count >= options_.max_commands) {
    log(request_id, id + ": " + std::to_string(running_->count.load()) +
                        " commands are running, the most hookd runs at once; refused");
    return respond(text(503, std::string(kBusy), headers_out));
  }
  if (hook->max_concurrency > 0) {
    std::lock_guard lock(slots->mutex);
    if (slots->running >= hook->max_concurrency && slots->waiting >= hook->max_queue) {
      log(request_id, id + ": " + std::to_string(slots->running) + " running and " + std::to_string(slots->waiting) +
                          " waiting; refused");
      return respond(text(503, std::string(kBusy), headers_out));
    }
    ++slots->waiting;
  }
  const bool answer_after = hook->include_command_output_in_response || hook->exit_code_as_status;
  std::shared_ptr<net::Respond> pending;
  if (answer_after) {
    pending = std::make_shared<net::Respond>(std::move(respond));
  } else {
    // The command runs in the background; the sender gets the response message at once.
    respond(text(success, hook->response_message, headers_out));
  }
  ++running_->count;
  std::thread([running = running_, hook, request, slots, pending, headers_out, success, request_id,
               hidden = hidden_environment_] {
    auto note = [&](const std::string& rid, const std::string& line) {
      if (running->log) running->log("[" + rid + "] " + line);
    };
    if (hook->max_concurrency > 0) {
      std::unique_lock lock(slots->mutex);
      slots->freed.wait(lock, [&] { return slots->running < hook->max_concurrency; });
      --slots->waiting;
      ++slots->running;
    }
    // Nothing that goes wrong here may end the process: whatever throws fails this command only.
    CommandResult result;
    const auto started = std::chrono::steady_clock::now();
    try {
      PassedFiles files;
      std::vector<std::string> problems;
      CommandSpec spec = command_for(*hook, *request, files, problems);
      spec.hidden_environment = hidden;
      for (const auto& problem : problems) note(request_id, "error extracting command arguments: " + problem);
      note(request_id, "executing " + spec.program);
      result = run_command(spec);
    } catch (const std::exception& error) {
      result.error = std::string("cannot run the command: ") + error.what();
    }
    if (!result.succeeded()) note(request_id, "command failed: " + result.error);
    if (running->metrics) {
      const auto outcome = result.succeeded() ? metrics::HookOutcome::success
                           : result.started   ? metrics::HookOutcome::command_failed
                                              : metrics::HookOutcome::not_started;
      running->metrics->hook_run(outcome, std::chrono::steady_clock::now() - started);
    }
    note(request_id, "finished handling " + hook->id);
    if (hook->max_concurrency > 0) {
      std::lock_guard lock(slots->mutex);
      --slots->running;
      slots->freed.notify_one();
    }
    if (pending) {
      if (result.succeeded()) {
        const std::string body = hook->include_command_output_in_response ? result.output : hook->response_message;
        (*pending)(text(success, body, headers_out));
      } else if (hook->exit_code_as_status && result.exit_code > 0) {
        const int status = result.exit_code < 100 ? 400 + result.exit_code : 500;
        const std::string body = hook->include_command_output_in_response ? result.output : "";
        (*pending)(text(status, body, headers_out));
      } else {
        const std::string body =
            hook->include_command_output_in_response_on_error ? result.output : std::string(kCommandError);
        (*pending)(text(500, body, headers_out));
      }
    }
    --running->count;
  }).detach();
}

}  // namespace hookd::hooks
