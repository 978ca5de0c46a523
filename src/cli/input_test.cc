#include "cli/input.h"

#include <gtest/gtest.h>

namespace hookd::cli {
namespace {

TEST(HeaderArgument, SplitsAtTheFirstColonAndTrims) {
  auto header = parse_header_argument("Webhook-Signature:  v1,abc:def \t");
  ASSERT_TRUE(header);
  EXPECT_EQ(header->first, "Webhook-Signature");
  EXPECT_EQ(header->second, "v1,abc:def");
  auto empty_value = parse_header_argument("X-Empty:");
  ASSERT_TRUE(empty_value);
  EXPECT_EQ(empty_value->second, "");
}

TEST(HeaderArgument, RejectsWhatIsNotAHeader) {
  EXPECT_FALSE(parse_header_argument("no colon"));
  EXPECT_FALSE(parse_header_argument(": value"));
  EXPECT_FALSE(parse_header_argument("bad name: value"));
  EXPECT_FALSE(parse_header_argument("X-Line\nBreak: value"));
}

TEST(ReadAll, StopsAtTheLimit) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  std::fputs("0123456789", file);
  std::rewind(file);
  EXPECT_FALSE(read_all(file, 9));
  std::rewind(file);
  EXPECT_EQ(read_all(file, 10), "0123456789");
  std::fclose(file);
}

}  // namespace
}  // namespace hookd::cli
