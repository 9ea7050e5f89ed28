// `verdict sample-size` through the real binary: the paper's tables with their off rows
// marked, single queries, and bad usage (exit 2 with a message).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "escrow/testing.hpp"
#include "parties/cli/binary_run.hpp"

namespace verdict::cli {
namespace {

using Outcome = testing::BinaryRun;

// Runs `verdict sample-size args...`, stdout and stderr captured together.
Outcome sample_size(std::vector<std::string> args) {
  const escrow::testing::TempDir dir;
  args.insert(args.begin(), "sample-size");
  return testing::run_binary(VERDICT_BIN, std::move(args), dir.file("out.txt"));
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SampleSizeCli, TablesMarkThePapersOffRows) {
  auto r = sample_size({"--tables"});
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(count(r.out, "PAPER OFF"), 3u) << r.out;  // Table 3: 2.5%, 1%; Table 4: 2.5%
  EXPECT_NE(r.out.find("183 bounds the rate at 1.9956%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("366 bounds only 1.0028%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("delta 0.05004"), std::string::npos) << r.out;
  auto priced = sample_size({"--tables", "--cost-per-proof", "1"});
  ASSERT_EQ(priced.code, 0) << priced.out;
  EXPECT_NE(priced.out.find("14979.00"), std::string::npos) << priced.out;  // 14979 proofs at $1
}

TEST(SampleSizeCli, SingleQueries) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  for (const Case& c : {Case{{"--p", "0.05"}, "N = 72\n"}, Case{{"--p", "0.025"}, "N = 146\n"},
                        Case{{"--p", "0.01", "--one-sided"}, "N = 299\n"}, Case{{"--eps", "0.025"}, "N = 2397\n"},
                        Case{{"--eps", "0.05", "--method", "clopper-pearson"}, "N = 291\n"},
                        Case{{"--successes", "5", "--trials", "10"}, "[0.187086, 0.812914]"}}) {
    auto r = sample_size(c.args);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.expect << " in\n" << r.out;
  }
}

TEST(SampleSizeCli, BadUsageExits2WithAMessage) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  for (const Case& c : {Case{{"--eps", "1.5"}, "eps must be in (0, 1)"}, Case{{"--delta", "0", "--p", "0.1"}, "delta"},
                        Case{{}, "exactly one of"}, Case{{"--p", "0.1", "--eps", "0.1"}, "exactly one of"},
                        Case{{"--p", "0.1", "--method", "wald"}, "--method"},
                        Case{{"--successes", "11", "--trials", "10"}, "exceed trials"},
                        Case{{"--tables", "--delta", "0.1"}, "--tables"}}) {
    auto r = sample_size(c.args);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.expect << " in\n" << r.out;
  }
  auto help = sample_size({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage: verdict sample-size"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace verdict::cli
