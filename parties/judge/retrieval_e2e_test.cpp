// Trustless retrieval end to end: `verdict retrieval-demo` runs the escrow service, the
// requester, the responder and the live judge as processes with real SNARKs (a tiny
// random model, a corpus of random source-attested documents); every run must end with
// the balances the rules give and money conserved (the demo's exit code), and the offline
// judge must accept the honest transcripts and name the responder's violation in the
// others: a withheld positive document, a returned document that does not match its
// commitment, and a corpus with junk (documents without the source's attestation) that
// the audit sample catches.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <fstream>

#include "escrow/testing.hpp"
#include "parties/judge/judge.hpp"
#include "parties/wire/keys.hpp"
#include "snark/nn/model_circuit_testing.hpp"

namespace verdict::judge {
namespace {

struct DemoRun {
  int rc = -1;
  std::string out;
};

class RetrievalE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new escrow::testing::TempDir;
    ChaChaRng rng(escrow::testing::test_seed(0x7e71));
    const auto bytes = nn::testing_models::random_gemm_model(rng).to_bytes();
    std::ofstream(dir_->file("tiny.vnnm"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // M = 8 random documents, positive class = the model's class of document 0 (so at
  // least one positive), the sample as given.
  DemoRun demo(const std::string& name, const std::string& flags, int sample = 3) {
    const std::string cmd = std::string(VERDICT_BIN) + " retrieval-demo --model " + dir_->file("tiny.vnnm") +
                            " --random-corpus 11 --corpus-size 8 --sample " + std::to_string(sample) +
                            " --positive-class first --response-timeout-s 20 --workdir " + dir_->file(name) + " " +
                            flags + " 2>&1";
    DemoRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), p)) r.out += buf.data();
    const int st = ::pclose(p);
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }
  static Verdict judge(const std::string& name) {
    const std::string w = dir_->file(name) + "/";
    AuditOptions o;
    for (const char* r : {"requester", "responder", "judge"}) o.parties.push_back(*wire::read_public_key(w + r + ".pub"));
    o.escrow = *wire::read_public_key(w + "escrow.pub");
    return audit({w + "requester.transcript", w + "responder.transcript", w + "judge.transcript"}, o);
  }
  static void expect_settled(const DemoRun& r, const std::string& stage) {
    EXPECT_EQ(r.rc, 0) << r.out;
    EXPECT_NE(r.out.find("== outcome: " + stage + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("balances agree"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("money conserved (requester + responder + fees = 0): yes"), std::string::npos) << r.out;
  }
  static bool has(const Verdict& v, const std::string& rule) {
    for (const auto& f : v.findings) {
      if (f.rule == rule && f.party == "responder") return true;
    }
    return false;
  }
  static escrow::testing::TempDir* dir_;
};
escrow::testing::TempDir* RetrievalE2eTest::dir_ = nullptr;

TEST_F(RetrievalE2eTest, HonestResponderIsPaidAndTheJudgeFindsNothing) {
  const DemoRun r = demo("honest", "");
  expect_settled(r, "settled_paid");
  // Every positive document came back (the demo runs the model on the corpus itself).
  const auto at = r.out.find("   retrieved ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string line = r.out.substr(at + 3, r.out.find('\n', at) - at - 3);
  const std::size_t got = std::stoul(line.substr(10));
  const std::size_t want = std::stoul(line.substr(line.find("calls ") + 6));
  EXPECT_EQ(got, want) << line;
  EXPECT_GE(got, 1u);
  const Verdict v = judge("honest");
  EXPECT_TRUE(v.clean()) << format_verdict(v);
  EXPECT_EQ(v.protocol, "retrieval");
  EXPECT_EQ(v.terminal, "settled_paid");
  EXPECT_NE(format_verdict(v).find("SNARKs verify"), std::string::npos) << format_verdict(v);
}

TEST_F(RetrievalE2eTest, AWithheldPositiveDocumentIsCaught) {
  const DemoRun r = demo("withheld", "--responder-flags=--withhold-positive");
  expect_settled(r, "settled_responder_slashed");
  EXPECT_NE(r.out.find("ruling: uphold"), std::string::npos) << r.out;
  const Verdict v = judge("withheld");
  EXPECT_TRUE(has(v, "withheld_positive")) << format_verdict(v);
  EXPECT_EQ(v.findings.size(), 1u) << format_verdict(v);  // nobody else broke a rule
}

TEST_F(RetrievalE2eTest, ADocumentThatDoesNotMatchItsCommitmentIsCaught) {
  const DemoRun r = demo("mismatch", "--responder-flags=--mismatch-opening");
  expect_settled(r, "settled_responder_slashed");
  const Verdict v = judge("mismatch");
  EXPECT_TRUE(has(v, "opening_mismatch")) << format_verdict(v);
}

TEST_F(RetrievalE2eTest, JunkCommitmentsAreCaughtByTheAudit) {
  // 3 of 8 documents junk, all 8 audited: the sample cannot miss them.
  const DemoRun r = demo("junk", "--responder-flags='--junk 3'", 8);
  expect_settled(r, "settled_responder_slashed");
  const Verdict v = judge("junk");
  EXPECT_TRUE(has(v, "junk")) << format_verdict(v);
}

TEST_F(RetrievalE2eTest, SilentResponderIsSlashedByTimeout) {
  const DemoRun r = demo("silent", "--responder-flags='--withhold respond' --proving-timeout-s 4");
  expect_settled(r, "settled_responder_slashed");
  const Verdict v = judge("silent");
  EXPECT_TRUE(v.clean()) << format_verdict(v);  // a timeout breaks no message rule: the escrow settled it
}

TEST_F(RetrievalE2eTest, BadFlagsAreRefusedByName) {
  const DemoRun r = demo("bad", "--corpus-size 0");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("corpus-size"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace verdict::judge
