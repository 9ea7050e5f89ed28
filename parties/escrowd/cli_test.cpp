// The `verdict keygen` and `verdict escrow` commands, through the real binary: every
// command answers --help, keys are written 0600, a service started from the command line
// takes signed requests from the command-line client, a retry with the same --op-id is
// answered with the first result, refusals exit 1, bad usage exits 2, and verify-log
// checks the file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "escrow/testing.hpp"
#include "parties/cli/binary_run.hpp"

extern char** environ;

namespace verdict::escrowd {
namespace {

using Outcome = cli::testing::BinaryRun;

class Cli : public ::testing::Test {
 protected:
  // Runs the binary with `args`, stdout and stderr captured.
  Outcome run(std::vector<std::string> args) {
    return cli::testing::run_binary(VERDICT_BIN, std::move(args), dir_.file("out.txt"));
  }
  std::string f(const std::string& name) { return dir_.file(name); }
  escrow::testing::TempDir dir_;
};

TEST_F(Cli, EveryCommandAnswersHelp) {
  for (std::vector<std::string> cmd : {std::vector<std::string>{"keygen"},
                                       {"escrow"},
                                       {"escrow", "serve"},
                                       {"escrow", "verify-log"},
                                       {"escrow", "fund"},
                                       {"escrow", "transfer"},
                                       {"escrow", "withdraw"},
                                       {"escrow", "stake"},
                                       {"escrow", "unstake"},
                                       {"escrow", "collect-fees"},
                                       {"escrow", "open-accuracy"},
                                       {"escrow", "act"},
                                       {"escrow", "balance"},
                                       {"escrow", "show-instance"}}) {
    cmd.push_back("--help");
    Outcome r = run(cmd);
    EXPECT_EQ(r.code, 0) << cmd[cmd.size() - 2] << ": " << r.out;
    EXPECT_NE(r.out.find("usage"), std::string::npos) << r.out;
  }
  EXPECT_EQ(run({"escrow", "transfer", "--amount", "x"}).code, 2);
  EXPECT_EQ(run({"escrow", "serve"}).code, 2);  // --db and --bind are required
}

TEST_F(Cli, KeygenServeFundTransferRetryVerify) {
  ASSERT_EQ(run({"keygen", "--out", f("op.sec"), "--pub", f("op.pub")}).code, 0);
  ASSERT_EQ(run({"keygen", "--out", f("alice.sec")}).code, 0);
  Outcome bob = run({"keygen", "--out", f("bob.sec"), "--pub", f("bob.pub")});
  ASSERT_EQ(bob.code, 0);
  EXPECT_EQ(bob.out.size(), 65u);  // the public key in hex and a newline
  struct stat st {};
  ASSERT_EQ(::stat(f("alice.sec").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(run({"keygen", "--out", f("alice.sec")}).code, 2);  // never overwritten
  EXPECT_EQ(run({"keygen", "--from", f("bob.sec"), "--pub", "-"}).out, bob.out);

  // The service, from the command line, on an ipc endpoint in the temporary directory.
  const std::string ep = "ipc://" + f("escrow.sock");
  std::vector<std::string> serve{VERDICT_BIN, "escrow", "serve",      "--db",     f("e.db"),
                                 "--bind",    ep,       "--operator", f("op.pub")};
  std::vector<char*> argv;
  for (auto& a : serve) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, f("serve.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t server = -1;
  ASSERT_EQ(posix_spawn(&server, VERDICT_BIN, &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  for (int i = 0; i < 100 && ::access(f("e.db.key").c_str(), F_OK) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::vector<std::string> conn{"--connect", ep, "--server-pub", f("e.db.key")};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), conn.begin(), conn.end());
    return run(a);
  };
  Outcome fund = with({"escrow", "fund", "--key", f("op.sec"), "--to", f("alice.sec"), "--amount", "5000"});
  ASSERT_EQ(fund.code, 0) << fund.out;
  EXPECT_NE(fund.out.find("applied"), std::string::npos);
  const std::vector<std::string> pay{
      "escrow",     "transfer", "--key", f("alice.sec"), "--to",
      f("bob.pub"), "--amount", "1200",  "--op-id",      "00112233445566778899aabbccddeeff"};
  Outcome first = with(pay), again = with(pay);
  ASSERT_EQ(first.code, 0) << first.out;
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_NE(first.out.find("applied: audit row 2"), std::string::npos) << first.out;
  EXPECT_NE(again.out.find("duplicate: audit row 2"), std::string::npos) << again.out;
  Outcome over = with({"escrow", "transfer", "--key", f("alice.sec"), "--to", f("bob.pub"), "--amount", "999999"});
  EXPECT_EQ(over.code, 1);
  EXPECT_NE(over.out.find("insufficient_funds"), std::string::npos) << over.out;
  Outcome mint = with({"escrow", "fund", "--key", f("alice.sec"), "--to", f("alice.sec"), "--amount", "1"});
  EXPECT_EQ(mint.code, 1);
  EXPECT_NE(mint.out.find("unauthorized"), std::string::npos) << mint.out;
  Outcome online = with({"escrow", "balance", "--key", f("bob.sec"), "--of", f("bob.pub")});
  EXPECT_NE(online.out.find("available 1200"), std::string::npos) << online.out;

  ASSERT_EQ(::kill(server, SIGTERM), 0);
  int status = 0;
  ::waitpid(server, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  Outcome offline = run({"escrow", "balance", "--db", f("e.db"), "--of", f("alice.sec")});
  EXPECT_NE(offline.out.find("available 3800"), std::string::npos) << offline.out;
  Outcome verify = run({"escrow", "verify-log", "--db", f("e.db")});
  EXPECT_EQ(verify.code, 0) << verify.out;
  EXPECT_NE(verify.out.find("audit rows      2"), std::string::npos) << verify.out;
  EXPECT_EQ(run({"escrow", "verify-log", "--db", f("missing.db")}).code, 2);
}

}  // namespace
}  // namespace verdict::escrowd
