// Hooks as the `webhook` tool reads them: Go-flavoured JSON, hooks files in JSON and YAML, the values a
// hook refers to, trigger rules, and running commands.
#include <gtest/gtest.h>

#include "hooks/command.h"
#include "hooks/go_json.h"
#include "hooks/go_yaml.h"
#include "hooks/hook_request.h"
#include "hooks/hooks_file.h"
#include "hooks/hooks_template.h"
#include "hooks/rules.h"
#include "hooks/xml_payload.h"

namespace hookd::hooks {
namespace {

TEST(GoJson, WritesAsGoDoes) {
  auto value = parse_go_json(R"({"z":1,"n":1.50,"big":10000000,"s":"é<>&","t":true,"arr":[{"k":"v"}],"nul":null})");
  ASSERT_TRUE(value);
  EXPECT_EQ(to_go_json(*value),
            R"({"arr":[{"k":"v"}],"big":10000000,"n":1.50,"nul":null,"s":"é\u003c\u003e\u0026","t":true,"z":1})");
  EXPECT_EQ(go_text(GoJson{GoNumber{"1.50"}}), "1.50");
  EXPECT_EQ(go_text(GoJson{}), "<nil>");
  EXPECT_FALSE(parse_go_json("{broken"));
  EXPECT_FALSE(parse_go_json("[1,]"));
  EXPECT_EQ(to_go_json(*parse_go_json(R"("\ud83d\ude00 \u2028")")), "\"\xf0\x9f\x98\x80 \\u2028\"");
  // Bytes that are not UTF-8: U+FFFD when read, \ufffd when written, as Go's encoding/json.
  EXPECT_EQ(*parse_go_json("\"x\xffy\"")->string(), "x\xef\xbf\xbdy");
  EXPECT_EQ(to_go_json(GoJson{std::string("a\xc0\xaf"
                                          "b\xed\xa0\x80")}),
            "\"a\\ufffd\\ufffdb\\ufffd\\ufffd\\ufffd\"");
}

TEST(HooksFile, ReadsJsonAndYaml) {
  const auto json = parse_hooks(R"([{"id":"a","execute-command":"/bin/true","response-message":"hi",
    "pass-arguments-to-command":[{"source":"payload","name":"x"}],
    "trigger-rule":{"and":[{"match":{"type":"value","value":"1","parameter":{"source":"url","name":"q"}}},
                           {"not":{"match":{"type":"ip-whitelist","ip-range":"10.0.0.0/8"}}}]},
    "unknown-field":true}])");
  ASSERT_TRUE(json) << json.error().detail;
  ASSERT_EQ(json->size(), 1u);
  EXPECT_EQ((*json)[0].response_message, "hi");
  EXPECT_EQ((*json)[0].trigger_rule->rules.size(), 2u);
  const auto yaml = parse_hooks(R"(
- id: b
  execute-command: /bin/echo
  include-command-output-in-response: true
  success-http-response-code: 201
  pass-arguments-to-command:
    - source: string
      name: hello
)");
  ASSERT_TRUE(yaml) << yaml.error().detail;
  EXPECT_TRUE((*yaml)[0].include_command_output_in_response);
  EXPECT_EQ((*yaml)[0].success_http_response_code, 201);
  EXPECT_EQ((*yaml)[0].pass_arguments_to_command[0].name, "hello");
  // As `webhook`: no id, a repeated id and a rule naming nothing load; a value of the wrong type does not.
  EXPECT_TRUE(parse_hooks(R"([{"execute-command":"/bin/true"}])"));
  EXPECT_EQ(parse_hooks(R"([{"id":"a"},{"id":"a"}])")->size(), 2u);
  EXPECT_EQ(parse_hooks(R"([{"id":"a","trigger-rule":{"xor":[]}}])")->front().trigger_rule->kind, Rule::Kind::none);
  EXPECT_FALSE(parse_hooks("{"));
  EXPECT_FALSE(parse_hooks(R"([{"id":"a","execute-command":["/bin/true"]}])"));
  EXPECT_FALSE(parse_hooks(R"([{"id":"a","include-command-output-in-response":"true"}])"));
  EXPECT_FALSE(parse_hooks(R"({"id":"a"})"));
  EXPECT_TRUE(parse_hooks("")->empty());
}

TEST(HooksFile, ConvertsYamlAsGoDoes) {
  const auto hooks = parse_hooks(R"(
# a comment
[{Id: a, "RESPONSE-MESSAGE": 1.0e+3, command-working-directory: 1e3, http-methods: [post, 0x1F, on, 2.50],
  trigger-rule: {match: {type: value, value: 0o17}, and: [], not: {}},
  include-command-output-in-response: yes, success-http-response-code: 2.01e+2,},]
)");
  ASSERT_TRUE(hooks) << hooks.error().detail;
  const Hook& hook = hooks->front();
  EXPECT_EQ(hook.id, "a");
  EXPECT_EQ(hook.response_message, "1000");
  EXPECT_EQ(hook.command_working_directory, "1e3");  // no sign in the exponent: text
  EXPECT_EQ(hook.http_methods, (std::vector<std::string>{"post", "31", "true", "2.5"}));
  EXPECT_EQ(hook.trigger_rule->kind, Rule::Kind::all);  // and before not before match
  EXPECT_TRUE(hook.include_command_output_in_response);
  EXPECT_EQ(hook.success_http_response_code, 201);
  EXPECT_EQ(go_float32_text(3.14159265358979), "3.1415927");
  EXPECT_EQ(go_float32_text(0.00001), "1e-05");
  EXPECT_EQ(go_float32_text(12345678.5), "1.2345678e+07");  // float32 rounds to even
  EXPECT_EQ(go_float32_text(100000), "100000");
  EXPECT_EQ(go_float32_text(1000000), "1e+06");
  EXPECT_EQ(go_float32_text(0.5), "0.5");
  EXPECT_EQ(go_float32_text(-0.0001), "-0.0001");
}

TEST(HooksTemplate, ExpandsGetenvAndGoEscapers) {
  ::setenv("HOOKD_TEMPLATE_TEST", "a\"b<c>&", 1);
  EXPECT_EQ(*expand_hooks_template(R"({"s": "{{ getenv "HOOKD_TEMPLATE_TEST" | js }}"})"),
            R"({"s": "a\"b\u003Cc\u003E\u0026"})");
  EXPECT_EQ(*expand_hooks_template("x {{- getenv \"HOOKD_TEMPLATE_UNSET\" -}}  y{{/* note */}}"), "xy");
  EXPECT_EQ(*expand_hooks_template("x \r\n{{-\r\"y\"}}"), "xy");  // any space after the marker, CR too
  EXPECT_EQ(*expand_hooks_template(R"({{ "a b" | urlquery }} {{ "<" | html }})"), "a+b &lt;");
  EXPECT_FALSE(expand_hooks_template("{{ range .Items }}"));
  EXPECT_FALSE(expand_hooks_template("{{ getenv"));
  EXPECT_EQ(*expand_hooks_template(R"({{ $a := "x" }}{{ if eq $a "y" }}y{{ else if $a }}{{ $a }}{{ end }})"), "x");
  EXPECT_EQ(*expand_hooks_template(R"({{ if 0 }}a{{ else }}{{ printf "%d-%s" 7 (print "p" 1) }}{{ end }})"), "7-p1");
  EXPECT_FALSE(expand_hooks_template("{{ if true }}no end"));
  EXPECT_FALSE(expand_hooks_template("{{ $undefined }}"));
  EXPECT_FALSE(expand_hooks_template(R"({{ eq 1 "1" }})"));  // incompatible types, as in Go
  EXPECT_FALSE(expand_hooks_template("{{ nope 1 }}"));
}

TEST(HookRequest, FindsEachKindOfValue) {
  Hook hook;
  const auto request = make_request("POST", "127.0.0.1:5000", {{"Content-Type", "application/json"}, {"x-thing", "th"}},
                                    "q=a+b&q=2&e=%41", R"({"a":{"b":[10,{"c":"d"}]},"a.b":"flat"})", hook);
  auto value = [&](std::string source, std::string name) { return value_of({source, name, "", false}, request); };
  EXPECT_EQ(value("payload", "a.b"), "flat");   // the whole name as a key wins
  EXPECT_EQ(value("payload", "a.b.1.c"), "d");  // else the path is followed
  EXPECT_EQ(value("payload", "a.b.0"), "10");
  EXPECT_EQ(value("url", "q"), "a b");
  EXPECT_EQ(value("url", "e"), "A");
  EXPECT_EQ(value("header", "X-Thing"), "th");
  EXPECT_EQ(value("request", "remote-addr"), "127.0.0.1:5000");
  EXPECT_EQ(value("string", "lit"), "lit");
  EXPECT_EQ(value("entire-query", ""), R"({"e":"A","q":"a b"})");
  EXPECT_EQ(value("entire-headers", ""), R"({"Content-Type":"application/json","X-Thing":"th"})");
  EXPECT_EQ(value("payload", "missing"), std::nullopt);

  const auto nested =
      make_request("POST", "", {{"Content-Type", "application/json"}}, "", R"({"a":{"b":[10,{"c":"d"}]}})", hook);
  EXPECT_EQ(value_of({"payload", "a.b.1.c", "", false}, nested), "d");
  EXPECT_EQ(value_of({"payload", "a.b", "", false}, nested), R"([10,{"c":"d"}])");

  const auto form = make_request("POST", "", {{"Content-Type", "application/x-www-form-urlencoded"}}, "",
                                 "payload=%7B%22k%22%3A1%7D&x=1", [] {
                                   Hook h;
                                   h.parse_parameters_as_json = {{"payload", "payload", "", false}};
                                   return h;
                                 }());
  EXPECT_EQ(value_of({"payload", "payload.k", "", false}, form), "1");
}

TEST(Rules, MatchValuesRegexesSignaturesAndAddresses) {
  Hook hook;
  const std::string body = R"({"ref":"refs/heads/main"})";
  // HMAC-SHA256 of the body with the key "s", as openssl dgst -sha256 -hmac s prints it.
  const std::string signature = "sha256=d363ec133bb31bf3ebbb00426493d1ff3b2f0cff8ccacd7766453aca35ecd7b4";
  const auto request = make_request("POST", "10.1.2.3:999",
                                    {{"Content-Type", "application/json"}, {"X-Sig", signature}}, "", body, hook);
  auto rule = [](std::string type) {
    Rule r;
    r.type = std::move(type);
    return r;
  };
  Rule hmac = rule("payload-hmac-sha256");
  hmac.secret = "s";
  hmac.parameter = {"header", "X-Sig", "", false};
  EXPECT_TRUE(evaluate(hmac, request, false).satisfied);
  hmac.secret = "wrong";
  const auto bad = evaluate(hmac, request, false);
  EXPECT_TRUE(bad.error && bad.signature_error);

  Rule regex = rule("regex");
  regex.regex = "^refs/heads/ma";
  compile_regex(regex);
  regex.parameter = {"payload", "ref", "", false};
  EXPECT_TRUE(evaluate(regex, request, false).satisfied);
  // A pattern that does not compile fails the rule (500), as webhook's regexp does.
  Rule broken = regex;
  broken.regex = "refs/(heads";
  compile_regex(broken);
  EXPECT_FALSE(broken.compiled_regex);
  const auto failed = evaluate(broken, request, false);
  EXPECT_TRUE(failed.error);
  EXPECT_NE(failed.error->find("missing )"), std::string::npos) << *failed.error;

  Rule ip = rule("ip-whitelist");
  ip.ip_range = "192.168.0.0/16 10.0.0.0/8";
  EXPECT_TRUE(evaluate(ip, request, false).satisfied);
  ip.ip_range = "10.2.0.0/16";
  EXPECT_FALSE(evaluate(ip, request, false).satisfied);

  // or: a bad signature is an error, unless soft failures are on.
  Rule value = rule("value");
  value.value = "refs/heads/main";
  value.parameter = {"payload", "ref", "", false};
  Rule any;
  any.kind = Rule::Kind::any;
  any.rules = {hmac, value};
  EXPECT_TRUE(evaluate(any, request, false).error);
  EXPECT_TRUE(evaluate(any, request, true).satisfied);
  Rule all;
  all.kind = Rule::Kind::all;
  all.rules = {value, hmac};
  EXPECT_TRUE(evaluate(all, request, true).error);  // soft failures only soften "or"
  Rule negate;
  negate.kind = Rule::Kind::negate;
  negate.rules = {ip};
  EXPECT_TRUE(evaluate(negate, request, false).satisfied);
}

TEST(Command, RunsWithArgumentsEnvironmentInputAndALimit) {
  CommandSpec spec;
  spec.program = "sh";
  spec.arguments = {"-c", "echo \"$1 $HOOK_X\"; cat; echo oops >&2; exit 3", "sh", "arg"};
  spec.environment = {"HOOK_X=env"};
  spec.input = "from stdin\n";
  const auto result = run_command(spec);
  EXPECT_TRUE(result.started);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output, "arg env\nfrom stdin\noops\n");
  EXPECT_EQ(result.error, "exit status 3");

  spec = {};
  spec.program = "sleep";
  spec.arguments = {"5"};
  spec.timeout = std::chrono::milliseconds(100);
  const auto slow = run_command(spec);
  EXPECT_TRUE(slow.timed_out);
  EXPECT_FALSE(slow.succeeded());

  // A command that closes its output and lingers is held to the deadline too.
  spec.program = "sh";
  spec.arguments = {"-c", "exec >/dev/null 2>&1; sleep 5"};
  const auto started = std::chrono::steady_clock::now();
  const auto lingering = run_command(spec);
  EXPECT_TRUE(lingering.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));

  // Variables named in hidden_environment are not passed; the rest are.
  ::setenv("HOOKD_TEST_HIDDEN", "secret-value", 1);
  ::setenv("HOOKD_TEST_SHOWN", "shown-value", 1);
  spec = {};
  spec.program = "env";
  spec.hidden_environment = {"HOOKD_TEST_HIDDEN"};
  const auto environment = run_command(spec);
  EXPECT_EQ(environment.output.find("secret-value"), std::string::npos);
  EXPECT_NE(environment.output.find("HOOKD_TEST_SHOWN=shown-value"), std::string::npos);

  spec = {};
  spec.program = "/nonexistent/command";
  EXPECT_FALSE(run_command(spec).started);
}

TEST(XmlPayload, ReadsBodiesAsWebhookDoes) {
  const auto json = [](std::string_view body) {
    auto payload = parse_xml_payload(body);
    return payload ? to_go_json(*payload) : std::string("null");
  };
  EXPECT_EQ(json(R"(<app id="7"><name> hookd </name><v>1</v><v>2</v><e/><t a="1">x</t></app>)"),
            R"({"app":{"-id":"7","e":"","name":"hookd","t":{"#text":"x","-a":"1"},"v":["1","2"]}})");
  EXPECT_EQ(json("<ns:a xmlns:ns=\"u\"><m>a<i>x</i>b</m><k><i>x</i>b</k></ns:a><after>"),
            R"({"a":{"-ns":"u","k":{"#text":"b","i":"x"},"m":"a"}})");
  EXPECT_EQ(json("<a>&lt;&#65;&#x42;</a>"), R"({"a":"\u003cAB"})");
  EXPECT_EQ(json("<a>x<![CDATA[&amp;]]></a>"),
            R"({"a":"\u0026amp;"})");  // a CDATA section is a new text: the last wins
  EXPECT_EQ(json("<a>\r\n</a>"), R"({"a":""})");
  EXPECT_EQ(json("<a>x</b>"), "null");
  EXPECT_EQ(json("<a>&nbsp;</a>"), "null");  // strict: only XML's own entities
  EXPECT_EQ(json("<a b=1/>"), "null");
  EXPECT_EQ(json("text only"), "null");
  EXPECT_EQ(json("<a>\xff</a>"), "null");
  std::string deep;
  for (int i = 0; i < 300; ++i) deep = "<a>" + deep + "</a>";
  EXPECT_EQ(json(deep), "null");  // well-formed, but deeper than the bound: null, not a crash
  std::string comments;
  for (int i = 0; i < 200000; ++i) comments += "<!---->";
  EXPECT_EQ(json(comments + "<a>x</a>"), R"({"a":"x"})");  // skipped in a loop, not a recursion
}

TEST(HookRules, ARegexOverAMegabyteTakesLinearTime) {
  // std::regex recursed once per character here, and crashed at about 1 MB; backtracking patterns took
  // minutes. RE2 does neither.
  const auto request = make_request("POST", "", {{"Content-Type", "application/json"}}, "",
                                    "{\"ref\":\"" + std::string(1 << 20, 'a') + "\"}", Hook{});
  Rule regex;
  regex.kind = Rule::Kind::match;
  regex.type = "regex";
  regex.parameter = {"payload", "ref", "", false};
  for (const char* pattern : {"^(a|b)*c$", "(a*)*b", "^(a+)+$"}) {
    regex.regex = pattern;
    compile_regex(regex);
    ASSERT_TRUE(regex.compiled_regex) << regex.regex_error;
    EXPECT_EQ(evaluate(regex, request, false).satisfied, std::string(pattern) == "^(a+)+$") << pattern;
  }
}

}  // namespace
}  // namespace hookd::hooks
