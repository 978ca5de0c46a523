// A hook as the `webhook` tool's hooks file defines it (every field keeps its name there), plus hookd's
// extensions, which `webhook` ignores: a concurrency limit with a bounded queue, a command timeout, the
// exit code as the HTTP status, and the payload on stdin.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace re2 {
class RE2;
}

namespace hookd::hooks {

// Where a value comes from: header, url (the query), payload, request (method, remote-addr),
// raw-request-body, entire-payload, entire-query, entire-headers, or string (the name itself).
struct Argument {
  std::string source;
  std::string name;
  std::string envname;        // pass-environment-to-command / pass-file-to-command
  bool base64decode = false;  // pass-file-to-command
};

struct Rule {
  // A rule object names one of and, or, not, match; with several, `webhook` takes the first in that order,
  // and one that names none is never satisfied (none).
  enum class Kind { none, all, any, negate, match };
  Kind kind = Kind::match;
  std::vector<Rule> rules;  // and, or: several; not: one
  // match
  std::string type;  // value, regex, payload-hmac-sha1, payload-hmac-sha256, payload-hmac-sha512,
                     // ip-whitelist, scalr-signature (and hookd's signature schemes)
  std::string value;
  std::string regex;
  // `regex` compiled once, when the file is read (compile_regex), by RE2: Go's syntax, as `webhook`'s
  // regexp, in time linear in the value, whatever the pattern. Null when it does not compile; then
  // `regex_error` says why, and the rule fails at each request as `webhook`'s does (500).
  std::shared_ptr<const re2::RE2> compiled_regex;
  std::string regex_error;
  std::string secret;
  std::string ip_range;
  Argument parameter;
};

struct Header {
  std::string name;
  std::string value;
};

struct Hook {
  std::string id;
  std::string execute_command;
  std::string command_working_directory;
  std::string response_message;
  std::vector<Header> response_headers;
  bool include_command_output_in_response = false;
  bool include_command_output_in_response_on_error = false;
  std::vector<Argument> pass_arguments_to_command;
  std::vector<Argument> pass_environment_to_command;
  std::vector<Argument> pass_file_to_command;
  std::vector<Argument> parse_parameters_as_json;
  std::optional<Rule> trigger_rule;
  int trigger_rule_mismatch_http_response_code = 0;  // 0: 200
  bool trigger_signature_soft_failures = false;
  std::string incoming_payload_content_type;
  int success_http_response_code = 0;  // 0: 200
  std::vector<std::string> http_methods;

  // hookd's extensions.
  int max_concurrency = 0;                                   // commands running at once; 0: no limit
  int max_queue = 100;                                       // requests waiting for a slot beyond that: 503
  std::optional<std::chrono::milliseconds> command_timeout;  // then the command is killed
  bool exit_code_as_status = false;                          // the command's exit code n -> HTTP status (see docs)
  bool payload_on_stdin = false;                             // the raw body on the command's stdin
};

}  // namespace hookd::hooks
