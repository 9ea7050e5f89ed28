// `verdict sample-size` through the real binary: the paper's tables with their off rows
// marked, single queries, and bad usage (exit 2 with a message).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace verdict::cli {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int code = -1;
  std::string out;
};

// Runs `verdict sample-size args...`, stdout and stderr captured together.
Outcome sample_size(std::vector<std::string> args) {
  args.insert(args.begin(), {VERDICT_BIN, "sample-size"});
  const fs::path out = fs::temp_directory_path() / ("verdict_sample_size_" + std::to_string(::getpid()) + ".txt");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  Outcome r;
  const int rc = posix_spawn(&pid, VERDICT_BIN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return r;
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::stringstream ss;
  ss << std::ifstream(out).rdbuf();
  r.out = ss.str();
  std::error_code ec;
  fs::remove(out, ec);
  return r;
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
