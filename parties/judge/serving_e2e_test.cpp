// Verified prediction serving end to end: `verdict serving demo` runs the escrow service,
// MP, MC and the verifier as processes with real SNARKs (a tiny random model, random
// inputs) for R rounds of K; every run must end with the balances the rules give and
// money conserved (the demo's exit code). An honest MP has every round proven (it gains
// 2 K1 Z - eps per round) and the offline judge finds every round clean; a lazy MP is
// slashed every round; an MP wrong on B of K items is caught in a number of rounds
// inside the 99.9% binomial interval of the rate 1 - C(K-B,K1)/C(K,K1), and the judge
// names the wrong prediction in exactly the rounds where it was caught; an MP whose
// SNARKs do not verify is slashed and named. Malformed transcripts are findings, never
// a crash. (Each test runs its own demo: ctest runs every test in its own process.)
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

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

class ServingE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new escrow::testing::TempDir;
    ChaChaRng rng(escrow::testing::test_seed(0x5e7e));
    const auto bytes = nn::testing_models::random_gemm_model(rng).to_bytes();
    std::ofstream(dir_->file("tiny.vnnm"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // K = 4, Z = 10, beta = 2, eps = 1; random inputs.
  static DemoRun demo(const std::string& name, int rounds, int k1, const std::string& flags) {
    const std::string cmd = std::string(VERDICT_BIN) + " serving demo --model " + dir_->file("tiny.vnnm") +
                            " --random-inputs 7 --rounds " + std::to_string(rounds) + " --k 4 --k1 " +
                            std::to_string(k1) + " --snark-cost 10 --beta 2 --fee 1 --response-timeout-s 20 --workdir " +
                            dir_->file(name) + " " + flags + " 2>&1";
    DemoRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), p)) r.out += buf.data();
    const int st = ::pclose(p);
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }
  static std::string w(const std::string& name, const std::string& file) { return dir_->file(name) + "/" + file; }
  static std::vector<std::string> round_files(const std::string& name, int round) {
    std::vector<std::string> out;
    for (const char* r : {"mp", "mc", "verifier"})
      out.push_back(w(name, std::string(r) + ".transcript.r" + std::to_string(round)));
    return out;
  }
  static AuditOptions options(const std::string& name) {
    AuditOptions o;
    for (const char* r : {"mp", "mc", "verifier"}) o.parties.push_back(*wire::read_public_key(w(name, std::string(r) + ".pub")));
    o.escrow = *wire::read_public_key(w(name, "escrow.pub"));
    std::ifstream b(w(name, "model.vk"), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
    vk_.emplace(std::move(*nn::ModelVerifyingKey::from_bytes(bytes)));
    o.vk = &*vk_;
    return o;
  }
  // The stage of each round as the demo printed it.
  static std::vector<std::string> stages(const std::string& out) {
    std::vector<std::string> s;
    const std::regex re("== round [0-9]+: ([a-z_]+)");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator(); ++it)
      s.push_back((*it)[1]);
    return s;
  }
  static void expect_balanced(const DemoRun& r) {
    EXPECT_EQ(r.rc, 0) << r.out;
    EXPECT_NE(r.out.find("balances agree"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("money conserved (MP + MC + fees = 0): yes"), std::string::npos) << r.out;
  }
  static bool has(const Verdict& v, const std::string& rule, const std::string& party) {
    for (const auto& f : v.findings) {
      if (f.rule == rule && f.party == party) return true;
    }
    return false;
  }
  static std::string show(const Verdict& v) { return format_verdict(v); }

  static escrow::testing::TempDir* dir_;
  static std::optional<nn::ModelVerifyingKey> vk_;
};
escrow::testing::TempDir* ServingE2eTest::dir_ = nullptr;
std::optional<nn::ModelVerifyingKey> ServingE2eTest::vk_;

// log P(X = i) for X ~ Binomial(n, p).
double log_pmf(int n, int i, double p) {
  return std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) + i * std::log(p) +
         (n - i) * std::log1p(-p);
}

TEST_F(ServingE2eTest, HonestRoundsAreProvenAndJudgedClean) {
  const DemoRun r = demo("honest", 2, 2, "");
  expect_balanced(r);
  EXPECT_EQ(stages(r.out), (std::vector<std::string>{"settled_proven", "settled_proven"})) << r.out;
  // Per round MP gains 2 K1 Z = 40 and pays eps = 1.
  EXPECT_NE(r.out.find("(net 78)"), std::string::npos) << r.out;
  const AuditOptions o = options("honest");
  for (int round = 1; round <= 2; ++round) {
    const Verdict v = audit(round_files("honest", round), o);
    EXPECT_TRUE(v.clean()) << show(v);
    EXPECT_EQ(v.protocol, "serving");
    EXPECT_EQ(v.terminal, "settled_proven");
    // Each transcript alone is clean too.
    for (const auto& f : round_files("honest", round)) EXPECT_TRUE(audit({f}, o).clean()) << f;
  }
  // Without the verifying key the SNARKs cannot be checked: a finding, not a pass.
  AuditOptions no_vk = o;
  no_vk.vk = nullptr;
  EXPECT_TRUE(has(audit(round_files("honest", 1), no_vk), "input", "transcript"));

  // Malformed transcripts are findings, never a crash.
  std::ifstream in(w("honest", "mc.transcript.r1"), std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 200u);
  auto write = [&](const std::string& name, const std::vector<char>& b) {
    const std::string p = dir_->file(name);
    std::ofstream(p, std::ios::binary | std::ios::trunc).write(b.data(), std::streamsize(b.size()));
    return p;
  };
  std::vector<std::vector<char>> bad;
  bad.emplace_back(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));  // truncated
  bad.emplace_back(bytes);
  bad.back()[bytes.size() / 2] ^= 0x40;  // a flipped bit
  bad.emplace_back(std::vector<char>(300, 'x'));  // garbage
  bad.emplace_back();                             // empty
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const std::string p = write("bad" + std::to_string(i) + ".transcript", bad[i]);
    const Verdict v = audit({w("honest", "mp.transcript.r1"), p}, o);
    EXPECT_FALSE(v.clean()) << "case " << i;
  }
  // Transcripts of two different rounds are two runs: never one clean verdict.
  const Verdict mixed = audit({w("honest", "mp.transcript.r1"), w("honest", "mc.transcript.r2")}, o);
  EXPECT_FALSE(mixed.clean()) << show(mixed);
}

TEST_F(ServingE2eTest, InvalidProofsAreSlashedAndNamed) {
  const DemoRun r = demo("corrupt", 1, 2, "--mp-flags=--corrupt-proofs");
  expect_balanced(r);
  EXPECT_EQ(stages(r.out), (std::vector<std::string>{"settled_mp_slashed"})) << r.out;
  const Verdict v = audit(round_files("corrupt", 1), options("corrupt"));
  EXPECT_TRUE(has(v, "proof", "mp")) << show(v);
  EXPECT_FALSE(has(v, "ruling", "verifier")) << show(v);
}

TEST_F(ServingE2eTest, LazyMpIsSlashedEveryRound) {
  const DemoRun r = demo("lazy", 2, 1, "--mp-flags=--lazy");
  expect_balanced(r);
  EXPECT_EQ(stages(r.out), (std::vector<std::string>{"settled_mp_slashed", "settled_mp_slashed"})) << r.out;
  const AuditOptions o = options("lazy");
  for (int round = 1; round <= 2; ++round) {
    const Verdict v = audit(round_files("lazy", round), o);
    EXPECT_TRUE(has(v, "prediction", "mp")) << show(v);
    EXPECT_FALSE(has(v, "ruling", "verifier")) << show(v);
  }
}

// K = 4, B = 2, K1 = 1: a round catches the MP with probability 1 - C(2,1)/C(4,1) = 1/2;
// over 16 rounds the 99.9% interval is 2..14 (it excludes "always" and "never").
TEST_F(ServingE2eTest, MaliciousMpIsCaughtAtThePredictedRate) {
  constexpr int kRounds = 16;
  const double p = 0.5;
  const DemoRun r = demo("malicious", kRounds, 1, "--mp-flags='--malicious 2'");
  expect_balanced(r);
  const auto s = stages(r.out);
  ASSERT_EQ(s.size(), std::size_t{kRounds}) << r.out;
  int caught = 0;
  for (const auto& st : s) {
    EXPECT_TRUE(st == "settled_mp_slashed" || st == "settled_proven") << st;
    caught += st == "settled_mp_slashed" ? 1 : 0;
  }
  // The central 99.9% of Binomial(R, p).
  double lo_mass = 0, hi_mass = 0;
  int lo = 0, hi = kRounds;
  while (lo_mass + std::exp(log_pmf(kRounds, lo, p)) < 0.0005) lo_mass += std::exp(log_pmf(kRounds, lo++, p));
  while (hi_mass + std::exp(log_pmf(kRounds, hi, p)) < 0.0005) hi_mass += std::exp(log_pmf(kRounds, hi--, p));
  EXPECT_GE(caught, lo) << r.out;
  EXPECT_LE(caught, hi) << r.out;
  EXPECT_NE(r.out.find("caught in " + std::to_string(caught) + " of " + std::to_string(kRounds) + " rounds"),
            std::string::npos)
      << r.out;
  // The judge names the wrong prediction exactly where the contest caught it.
  const AuditOptions o = options("malicious");
  for (int round = 1; round <= kRounds; ++round) {
    const Verdict v = audit(round_files("malicious", round), o);
    if (s[round - 1] == "settled_mp_slashed") {
      EXPECT_TRUE(has(v, "prediction", "mp")) << show(v);
      bool names_item = false;
      for (const auto& f : v.findings) names_item |= f.detail.find("contested item") != std::string::npos;
      EXPECT_TRUE(names_item) << show(v);
    } else {
      EXPECT_TRUE(v.clean()) << show(v);
    }
  }
}

TEST_F(ServingE2eTest, BadFlagsAreUsageErrors) {
  for (const char* flags : {"--k 0", "--k 4 --k1 5", "--beta 1", "--rounds 0", "--snark-cost -3"}) {
    const DemoRun r = [&] {
      DemoRun out;
      FILE* p = ::popen((std::string(VERDICT_BIN) + " serving demo " + std::string(flags) + " 2>&1").c_str(), "r");
      std::array<char, 4096> buf{};
      while (p && std::fgets(buf.data(), buf.size(), p)) out.out += buf.data();
      const int st = p ? ::pclose(p) : -1;
      out.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      return out;
    }();
    EXPECT_EQ(r.rc, 2) << flags << ": " << r.out;
  }
}

}  // namespace
}  // namespace verdict::judge
