// Multi-process end to end: `verdict demo` starts the escrow service (a real SQLite
// ledger behind ZeroMQ) and MP, MC and the verifier as separate processes on loopback;
// they run the accuracy protocol with real proofs of a tiny random model on random
// examples. Each test checks the terminal stage, that the ledger's balances are the
// ones the escrow rules give for it (accuracy::outcome_of), that money is conserved,
// and that every agent's transcript verifies.
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "base/rng.hpp"
#include "escrow/testing.hpp"
#include "protocols/accuracy/protocol.hpp"
#include "snark/nn/model_circuit_testing.hpp"

namespace verdict::agents {
namespace {

struct DemoRun {
  int rc = -1;
  std::string out;
};

class DemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::uint64_t seed = escrow::testing::test_seed(0xde70);
    ChaChaRng rng(seed);
    const nn::Model m = nn::testing_models::random_gemm_model(rng);
    const auto bytes = m.to_bytes();
    std::ofstream f(model_path(), std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  std::string model_path() const { return dir_.file("tiny.vnnm"); }

  DemoRun demo(const std::string& flags, int n1 = 2) {
    const std::string cmd = std::string(VERDICT_BIN) + " demo --model " + model_path() + " --workdir " +
                            dir_.file("work") + " --random-examples 7 --n1 " + std::to_string(n1) + " --n2 3 --max-run-s 80 " + flags + " 2>&1";
    DemoRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), p)) r.out += buf.data();
    const int st = ::pclose(p);
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }

  static void expect_settled(const DemoRun& r, const std::string& stage) {
    EXPECT_EQ(r.rc, 0) << r.out;
    EXPECT_NE(r.out.find("== outcome: " + stage + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("balances agree"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("money conserved (MP + MC + fees = 0): yes"), std::string::npos) << r.out;
    for (const char* who : {"mp", "mc", "verifier"}) {
      EXPECT_NE(r.out.find(std::string("transcript ") + who + ": "), std::string::npos) << r.out;
    }
  }
  // The nets the demo printed are the rules' (default terms of the flags above).
  static void expect_nets(const DemoRun& r, const std::string& stage) {
    accuracy::Terms t;
    t.params.n1 = 2;
    t.params.n2 = 3;
    t.params.e = 100;
    t.params.p = 1;
    t.params.z = 10;
    t.params.eps = 1;
    const accuracy::Outcome o = accuracy::outcome_of(t, stage);
    EXPECT_NE(r.out.find("net " + std::to_string(o.mp_net) + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("net " + std::to_string(o.mc_net) + "\n"), std::string::npos) << r.out;
  }

  escrow::testing::TempDir dir_;
};

TEST_F(DemoTest, HonestTargetMet) {
  const DemoRun r = demo("--target 0 --response-timeout-s 10");
  expect_settled(r, "settled_pass");
  expect_nets(r, "settled_pass");
  EXPECT_NE(r.out.find("hash chain verified"), std::string::npos);
  EXPECT_NE(r.out.find("[mp]"), std::string::npos);
  EXPECT_NE(r.out.find("verified 3 proofs"), std::string::npos) << r.out;
  // `verdict transcript` checks the chain and every signature; a flipped byte breaks it.
  const std::string t = dir_.file("work") + "/mc.transcript";
  const auto check = [&] {
    return ::system((std::string(VERDICT_BIN) + " transcript " + t + " > /dev/null 2>&1").c_str());
  };
  EXPECT_EQ(check(), 0);
  std::fstream f(t, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(40);
  char c = 0;
  f.read(&c, 1);
  c ^= 1;
  f.seekp(40);
  f.write(&c, 1);
  f.close();
  EXPECT_NE(check(), 0);
}

TEST_F(DemoTest, HonestTargetMissed) {
  const DemoRun r = demo("--target 1 --response-timeout-s 10");
  expect_settled(r, "settled_fail");
  expect_nets(r, "settled_fail");
}

TEST_F(DemoTest, McWithholdsTheSubset) {
  const DemoRun r = demo("--target 0 --response-timeout-s 5 --mc-withhold send_subset");
  expect_settled(r, "settled_mc_withheld");
  expect_nets(r, "settled_mc_withheld");
  EXPECT_NE(r.out.find("deviation: withholding send_subset"), std::string::npos) << r.out;
}

TEST_F(DemoTest, MpKilledWhileProvingTimesOut) {
  const DemoRun r = demo("--target 0 --response-timeout-s 5 --proving-timeout-s 5 --mp-exit-at proving");
  expect_settled(r, "settled_mp_slashed");
  expect_nets(r, "settled_mp_slashed");
  EXPECT_NE(r.out.find("MP 3,"), std::string::npos) << r.out;  // MP's process exited as if killed
}

TEST_F(DemoTest, MpAbortsAtStep4) {
  const DemoRun r = demo("--target 0 --response-timeout-s 5 --mp-flags --abort-after-inspection");
  expect_settled(r, "settled_mp_aborted");
  expect_nets(r, "settled_mp_aborted");
}

// The simple form of section 5.2: no inspection subset (N1 = 0), no stake; MP proves the
// N2 examples and is paid 2 N2 Z when the target is met.
TEST_F(DemoTest, SimpleFormWithoutASubset) {
  const DemoRun r = demo("--target 0", 0);
  expect_settled(r, "settled_pass");
  accuracy::Terms t;
  t.params.n1 = 0;
  t.params.n2 = 3;
  t.params.e = 100;
  t.params.p = 1;
  t.params.z = 10;
  t.params.eps = 1;
  const accuracy::Outcome o = accuracy::outcome_of(t, "settled_pass");
  EXPECT_EQ(o.mp_net, 2 * 3 * 10 - 1);
  EXPECT_NE(r.out.find("net " + std::to_string(o.mp_net) + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("net " + std::to_string(o.mc_net) + "\n"), std::string::npos) << r.out;
}

TEST_F(DemoTest, MpAbortsAfterStep5) {
  const DemoRun r = demo("--target 0 --response-timeout-s 5 --mp-flags --abort-while-proving");
  expect_settled(r, "settled_mp_slashed");
  expect_nets(r, "settled_mp_slashed");
}

TEST_F(DemoTest, InvalidSnarkSlashesMp) {
  const DemoRun r = demo("--target 0 --response-timeout-s 5 --mp-flags --corrupt-proofs");
  expect_settled(r, "settled_mp_slashed");
  expect_nets(r, "settled_mp_slashed");
  EXPECT_NE(r.out.find("3 invalid"), std::string::npos) << r.out;
}

TEST_F(DemoTest, BadSubsetKeyContestedSlashesMc) {
  const DemoRun r = demo("--target 0 --response-timeout-s 5 --mc-flags '--corrupt publish_subset_key'");
  expect_settled(r, "settled_mc_slashed");
  expect_nets(r, "settled_mc_slashed");
  EXPECT_NE(r.out.find("contest_subset_key"), std::string::npos) << r.out;
}

TEST_F(DemoTest, BadRestKeyContestedSlashesMc) {
  const DemoRun r = demo("--target 0 --response-timeout-s 5 --mc-flags '--corrupt publish_rest_key'");
  expect_settled(r, "settled_mc_slashed");
  expect_nets(r, "settled_mc_slashed");
  EXPECT_NE(r.out.find("contest_rest_key"), std::string::npos) << r.out;
}

TEST_F(DemoTest, VerifierSilentOnAContestRefunds) {
  const DemoRun r = demo("--target 0 --response-timeout-s 5 --mc-flags '--corrupt publish_subset_key' "
                         "--verifier-flags '--withhold uphold_contest' --verdict-timeout-s 5");
  expect_settled(r, "settled_refund");
  expect_nets(r, "settled_refund");
}

int run_cli(const std::string& args) {
  const int st = ::system((std::string(VERDICT_BIN) + " " + args + " > /dev/null 2>&1").c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(AgentCommands, HelpAndBadUsage) {
  for (const char* cmd : {"demo", "mp", "mc", "verifier", "transcript"}) {
    EXPECT_EQ(run_cli(std::string(cmd) + " --help"), 0) << cmd;
    EXPECT_EQ(run_cli(std::string(cmd) + " --no-such-flag"), 2) << cmd;
  }
  EXPECT_EQ(run_cli("demo --target 2"), 2);
  EXPECT_EQ(run_cli("demo --eps 0"), 2);
  EXPECT_EQ(run_cli("mp --key /nonexistent"), 2);  // required flags missing
  EXPECT_EQ(run_cli("transcript /nonexistent"), 1);
}

// A silence at every stage: one party never submits one transition (two for the verdict:
// MC's accept and the verifier's pass); the others time out and claim what the table gives.
struct Silence {
  const char* role;
  const char* transitions;
  const char* stage;
};
class DemoSilenceTest : public DemoTest, public ::testing::WithParamInterface<Silence> {};

TEST_P(DemoSilenceTest, EndsAsTheTableSays) {
  const Silence& c = GetParam();
  std::string flags = "--target 0 --funding-timeout-s 5 --response-timeout-s 5 --proving-timeout-s 5 "
                      "--verdict-timeout-s 5";
  std::string words = c.transitions;
  for (std::size_t at = 0; at < words.size();) {
    const std::size_t colon = words.find(':', at);
    const std::size_t space = words.find(' ', colon);
    const std::string role = words.substr(at, colon - at);
    const std::string t = words.substr(colon + 1, space == std::string::npos ? std::string::npos : space - colon - 1);
    flags += " --" + role + "-flags '--withhold " + t + "'";
    at = space == std::string::npos ? words.size() : space + 1;
  }
  const DemoRun r = demo(flags);
  expect_settled(r, c.stage);
  expect_nets(r, c.stage);
}

INSTANTIATE_TEST_SUITE_P(
    EveryStage, DemoSilenceTest,
    ::testing::Values(Silence{"mp", "mp:deposit", "unfunded"}, Silence{"mc", "mc:deposit", "unfunded"},
                      Silence{"mp", "mp:choose_subset", "settled_refund"},
                      Silence{"mp", "mp:ack_subset", "settled_mp_slashed"},
                      Silence{"mc", "mc:publish_subset_key", "settled_mc_slashed"},
                      Silence{"mp", "mp:proceed", "settled_mp_aborted"},
                      Silence{"mc", "mc:send_rest", "settled_mc_slashed"},
                      Silence{"mp", "mp:ack_rest", "settled_mp_slashed"},
                      Silence{"mc", "mc:publish_rest_key", "settled_mc_slashed"},
                      Silence{"mp", "mp:submit_proofs", "settled_mp_slashed"},
                      Silence{"verdict", "mc:accept verifier:pass", "settled_refund"}),
    [](const ::testing::TestParamInfo<Silence>& info) {
      std::string name = std::string(info.param.transitions);
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace verdict::agents
