// Every known-answer vector in tests/vectors/signatures.json (a copy of shared/vectors/signatures.json):
// hookd must produce each signature and accept it. A section this file does not know fails the test, so
// a vector added to the file cannot be skipped silently.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "core/encoding.h"
#include "hookd/sign/sign.h"

namespace hookd::sign {
namespace {

namespace json = boost::json;

json::object load_vectors() {
  std::ifstream file(HOOKD_VECTORS_FILE);
  std::stringstream text;
  text << file.rdbuf();
  return json::parse(text.str()).as_object();
}

std::string str(const json::object& o, const char* key) { return std::string(o.at(key).as_string()); }

VerifyOptions at(std::int64_t now) { return VerifyOptions{kDefaultTolerance, now}; }

void check_standard_v1(const json::object& v) {
  const auto secret = Secret::parse(str(v, "secret")).value();
  const auto timestamp = v.at("timestamp").to_number<std::int64_t>();
  EXPECT_EQ(sign_standard(secret, str(v, "id"), timestamp, str(v, "payload")).value(), str(v, "signature"));
  EXPECT_TRUE(verify_standard(std::vector<Secret>{secret}, str(v, "id"), std::to_string(timestamp), str(v, "signature"),
                              str(v, "payload"), at(timestamp)));
}

void check_standard_v1a(const json::object& v) {
  const std::string seed = v.contains("seed_base64") ? core::base64_decode(str(v, "seed_base64")).value()
                                                     : core::hex_decode(str(v, "seed_hex")).value();
  const auto secret = Secret::parse("whsk_" + core::base64_encode(seed)).value();
  const auto timestamp = v.at("timestamp").to_number<std::int64_t>();
  EXPECT_EQ(sign_standard(secret, str(v, "id"), timestamp, str(v, "payload")).value(), str(v, "signature"));
  EXPECT_TRUE(verify_standard(std::vector<Secret>{secret.public_key()}, str(v, "id"), std::to_string(timestamp),
                              str(v, "signature"), str(v, "payload"), at(timestamp)));
}

void check_github(const json::object& v) {
  EXPECT_EQ(sign_github(str(v, "secret"), str(v, "body")), str(v, "value"));
  EXPECT_TRUE(verify_github(str(v, "secret"), Headers{{str(v, "header"), str(v, "value")}}, str(v, "body")));
}

void check_stripe(const json::object& v) {
  const auto t = v.at("t").to_number<std::int64_t>();
  EXPECT_EQ(sign_stripe(str(v, "secret"), t, str(v, "body")), str(v, "value"));
  EXPECT_TRUE(verify_stripe(str(v, "secret"), Headers{{str(v, "header"), str(v, "value")}}, str(v, "body"), at(t)));
}

void check_shopify(const json::object& v) {
  EXPECT_EQ(sign_shopify(str(v, "secret"), str(v, "body")), str(v, "value"));
  EXPECT_TRUE(verify_shopify(str(v, "secret"), Headers{{str(v, "header"), str(v, "value")}}, str(v, "body")));
}

void check_slack(const json::object& v) {
  const auto timestamp = v.at("timestamp").to_number<std::int64_t>();
  EXPECT_EQ(sign_slack(str(v, "secret"), timestamp, str(v, "body")), str(v, "value"));
  const Headers headers{{str(v, "header"), str(v, "value")}, {"X-Slack-Request-Timestamp", std::to_string(timestamp)}};
  EXPECT_TRUE(verify_slack(str(v, "secret"), headers, str(v, "body"), at(timestamp)));
}

void check_twilio(const json::object& v) {
  const Headers headers{{str(v, "header"), str(v, "value")}};
  if (v.contains("params")) {
    FormParams params;
    std::string body;
    for (const auto& [name, value] : v.at("params").as_object()) {
      params.emplace_back(std::string(name), std::string(value.as_string()));
      // The form body a sender would post; '+' must be escaped, it means space.
      if (!body.empty()) body += '&';
      std::string escaped;
      for (char c : std::string(value.as_string())) escaped += c == '+' ? std::string("%2B") : std::string(1, c);
      body += std::string(name) + "=" + escaped;
    }
    EXPECT_EQ(sign_twilio(str(v, "auth_token"), str(v, "url"), params), str(v, "value"));
    EXPECT_TRUE(verify_twilio(str(v, "auth_token"), str(v, "url"), headers, body));
  } else {
    EXPECT_EQ(sign_twilio(str(v, "auth_token"), str(v, "url"), {}), str(v, "value"));
    EXPECT_TRUE(verify_twilio(str(v, "auth_token"), str(v, "url"), headers, str(v, "body")));
  }
}

TEST(KnownAnswerVectors, EveryVectorSignsAndVerifies) {
  const json::object vectors = load_vectors();
  int checked = 0;
  for (const auto& [section, entries] : vectors) {
    if (section == "_about") continue;
    for (const json::value& entry : entries.as_array()) {
      const json::object& v = entry.as_object();
      SCOPED_TRACE(std::string(section) + " #" + std::to_string(checked));
      if (section == "standard_webhooks_v1") {
        check_standard_v1(v);
      } else if (section == "standard_webhooks_v1a_ed25519") {
        check_standard_v1a(v);
      } else if (section == "github_sha256") {
        check_github(v);
      } else if (section == "stripe") {
        check_stripe(v);
      } else if (section == "shopify") {
        check_shopify(v);
      } else if (section == "slack") {
        check_slack(v);
      } else if (section == "twilio") {
        check_twilio(v);
      } else if (section == "gitlab") {
        // A note, not a vector: the token is compared as is (GitLab.ComparesTheToken).
        EXPECT_TRUE(v.contains("note"));
        continue;
      } else {
        ADD_FAILURE() << "unknown vector section " << section;
        continue;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 10);
}

}  // namespace
}  // namespace hookd::sign
