#include "api/raw_json.h"

#include <gtest/gtest.h>

namespace hookd::api {
namespace {

TEST(RawJson, FindsTheExactTextOfAMember) {
  const std::string text = R"( { "eventType" : "a.b", "payload" :  {"z": [1, {"q": "}"}], "a" : 1.50 } , "x": null })";
  EXPECT_EQ(raw_member(text, "payload"), R"({"z": [1, {"q": "}"}], "a" : 1.50 })");
  EXPECT_EQ(raw_member(text, "eventType"), "\"a.b\"");
  EXPECT_EQ(raw_member(text, "x"), "null");
  EXPECT_FALSE(raw_member(text, "missing"));
}

TEST(RawJson, MatchesEscapedKeysAndKeepsTheLastRepeat) {
  EXPECT_EQ(raw_member(R"({"pay\u006coad": {"n":1}})", "payload"), R"({"n":1})");
  EXPECT_EQ(raw_member(R"({"payload": {"n":1}, "payload": {"n":2}})", "payload"), R"({"n":2})");
  EXPECT_EQ(raw_member(R"({"k\"ey": "v\"al\\", "data": {}})", "data"), "{}");
  EXPECT_EQ(raw_member(R"({"\ud83d\ude00": 1})", "\xf0\x9f\x98\x80"), "1");
  EXPECT_EQ(raw_member("{}", "payload"), std::nullopt);
}

TEST(RawJson, AppendsRawMembers) {
  EXPECT_EQ(with_raw_member("{}", "payload", "{ \"a\" : 1 }"), "{\"payload\":{ \"a\" : 1 }}");
  EXPECT_EQ(with_raw_member("{\"id\":\"msg_1\"}", "payload", "{}"), "{\"id\":\"msg_1\",\"payload\":{}}");
}

}  // namespace
}  // namespace hookd::api
