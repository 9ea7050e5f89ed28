// `verdict sim` through the real binary: a shipped scenario runs and writes every report
// file; the same seed gives byte-identical files with one thread or two; bad usage and bad
// scenario files exit 2 with a message naming the problem; --real-proofs proves and
// verifies real SNARKs of the shipped Fashion-MNIST model (an honest MP passes, an MP
// whose proofs are corrupted is slashed).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "escrow/testing.hpp"
#include "parties/cli/binary_run.hpp"
#include "snark/nn/fashion_mnist.hpp"

namespace verdict::cli {
namespace {

namespace fs = std::filesystem;

using Outcome = testing::BinaryRun;

class SimCli : public ::testing::Test {
 protected:
  std::string f(const std::string& name) const { return dir_.file(name); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(f(name)) << text; }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream b;
    b << in.rdbuf();
    return b.str();
  }

  // Runs the binary with `args`, stdout and stderr captured together.
  Outcome run(std::vector<std::string> args) { return testing::run_binary(VERDICT_BIN, std::move(args), f("out.txt")); }

  escrow::testing::TempDir dir_;  // removed after each test
};

const std::string kScenarios = VERDICT_SCENARIO_DIR;

TEST_F(SimCli, RunsAScenarioAndWritesByteIdenticalReports) {
  const std::string scenario = kScenarios + "/retrieval.json";
  Outcome a = run({"sim", "--scenario", scenario, "--runs", "60", "--threads", "1", "--out", f("a")});
  ASSERT_EQ(a.code, 0) << a.out;
  Outcome b = run({"sim", "--scenario", scenario, "--runs", "60", "--threads", "2", "--out", f("b")});
  ASSERT_EQ(b.code, 0) << b.out;
  EXPECT_NE(a.out.find("verdict sim: scenario 'retrieval' (retrieval)"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("runs/s"), std::string::npos);
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(f("a"))) {
    if (!e.is_regular_file()) continue;
    EXPECT_EQ(read(e.path()), read(fs::path(f("b")) / fs::relative(e.path(), f("a")))) << e.path();
    ++files;
  }
  EXPECT_EQ(files, 6u + 3u);  // five reports, sweep.csv, a plot per role
  EXPECT_TRUE(fs::exists(fs::path(f("a")) / "plots" / "ev_responder_vs_audit_sample.svg"));
}

TEST_F(SimCli, BadUsageAndBadScenariosExitTwo) {
  write("bad.json", R"({"name": "x", "protocol": "accuracy", "cases": [{"name": "a", "parties": {"mp": {"accuracy": 2}}}]})");
  write("broken.json", "{\"name\": ");
  // With --real-proofs the cases are checked once they carry their proofs: sizing the
  // dataset must read a bad parameter without failing (a string where N1 belongs).
  write("bad_n1.json", R"({"name": "x", "protocol": "accuracy", "runs": 1, "params": {"n1": "ten"}, "cases": [{"name": "a"}]})");
  struct Bad {
    std::vector<std::string> args;
    std::string message;
  };
  const Bad bad[] = {
      {{"sim"}, "--scenario is required"},
      {{"sim", "--scenario", f("missing.json")}, "cannot read scenario file"},
      {{"sim", "--scenario", f("broken.json")}, "not valid JSON"},
      {{"sim", "--scenario", f("bad.json")}, "mp.accuracy: 2 is outside [0.0, 1.0]"},
      {{"sim", "--scenario", kScenarios + "/throughput.json", "--runs", "0"}, "--runs: 1 to"},
      {{"sim", "--scenario", kScenarios + "/throughput.json", "--threads", "0"}, "--threads: 1 to 256"},
      {{"sim", "--scenario", kScenarios + "/throughput.json", "--sweep", "n1"}, "expected PARAM=V1,V2"},
      {{"sim", "--scenario", kScenarios + "/throughput.json", "--sweep", "n2=0"}, "sweep n2 = 0"},
      {{"sim", "--scenario", kScenarios + "/serving.json", "--real-proofs", "--model", "m", "--runs", "3"}, "no sweep"},
      {{"sim", "--scenario", kScenarios + "/throughput.json", "--real-proofs", "--runs", "3"}, "needs --model"},
      {{"sim", "--scenario", kScenarios + "/throughput.json", "--real-proofs", "--model", "m"}, "at most 100 runs"},
      {{"sim", "--scenario", f("bad_n1.json"), "--real-proofs", "--model", f("missing.vnnm")}, "--real-proofs: "},
      {{"sim", "--bogus"}, "bogus"},
  };
  for (const Bad& b : bad) {
    Outcome o = run(b.args);
    EXPECT_EQ(o.code, 2) << b.args.back() << ": " << o.out;
    EXPECT_NE(o.out.find(b.message), std::string::npos) << b.args.back() << ": " << o.out;
  }
}

TEST_F(SimCli, RealProofsOfTheShippedModel) {
  if (!nn::fashion_mnist_present(nn::fashion_mnist_dir(), nn::Split::kTest) ||
      !nn::fashion_mnist_present(nn::fashion_mnist_dir(), nn::Split::kTrain))
    GTEST_SKIP() << "Fashion-MNIST is not installed (Debian: dataset-fashion-mnist)";
  Outcome imported = run({"import", "--onnx", std::string(VERDICT_MODELS_DIR) + "/fashion_mnist/model.onnx", "--out",
                          f("fm.vnnm")});
  ASSERT_EQ(imported.code, 0) << imported.out;
  // N1 = 2, N2 = 2 (the first four test images, all classified right by the shipped
  // model), a = 1/2: an honest MP passes; an MP with corrupted proofs is slashed.
  write("real.json", R"({"name": "real", "protocol": "accuracy", "runs": 1, "seed": 4,
    "params": {"n1": 2, "n2": 2, "e": 400000, "p": 20000, "z": "cost", "eps": 100, "target_num": 1, "target_den": 2},
    "cases": [{"name": "honest"}, {"name": "invalid", "parties": {"mp": {"strategy": "invalid_proofs"}}}]})");
  Outcome o = run({"sim", "--scenario", f("real.json"), "--real-proofs", "--model", f("fm.vnnm")});
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("terminal stages: settled_pass 1 (100.00%)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("terminal stages: settled_mp_slashed 1 (100.00%)"), std::string::npos) << o.out;
  // 2 + 2 proofs made; the honest ones verify (MC, and the verifier when asked), every
  // corrupted one fails.
  EXPECT_NE(o.out.find("real proofs: 4 made"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("real proofs: 4 made (0.00"), std::string::npos) << o.out;
  // A model the dataset cannot feed is refused before anything runs.
  Outcome bad = run({"sim", "--scenario", f("real.json"), "--real-proofs", "--model", f("real.json")});
  EXPECT_EQ(bad.code, 2) << bad.out;
}

// Serving with real proofs: MC's inputs are the first K test images, MP's outputs the
// model's output tensors. A contested honest MP proves its item with nn::prove and is
// paid; a malicious MP that posted wrong tensors forges proofs of them (flipped bytes)
// and nn::verify refuses them: it is slashed.
TEST_F(SimCli, RealProofsServing) {
  if (!nn::fashion_mnist_present(nn::fashion_mnist_dir(), nn::Split::kTest))
    GTEST_SKIP() << "Fashion-MNIST is not installed (Debian: dataset-fashion-mnist)";
  Outcome imported = run({"import", "--onnx", std::string(VERDICT_MODELS_DIR) + "/fashion_mnist/model.onnx", "--out",
                          f("fm.vnnm")});
  ASSERT_EQ(imported.code, 0) << imported.out;
  write("serving.json", R"({"name": "real-serving", "protocol": "serving", "runs": 1, "seed": 4,
    "params": {"k": 2, "k1": 1, "beta": 2, "eps": 100},
    "cases": [{"name": "honest"},
              {"name": "malicious", "parties": {"mp": {"strategy": "malicious", "wrong": 2, "invalid_proofs": true}}}]})");
  Outcome o = run({"sim", "--scenario", f("serving.json"), "--real-proofs", "--model", f("fm.vnnm")});
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("terminal stages: settled_proven 1 (100.00%)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("terminal stages: settled_mp_slashed 1 (100.00%)"), std::string::npos) << o.out;
  // One contested item per case proved; MC and the verifier each check the bundle: the
  // honest proof verifies twice, the forged one fails its first check (MC disputes).
  EXPECT_NE(o.out.find("real proofs: 2 made"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("real proofs: 2 made (0.00"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find(", 0 invalid"), std::string::npos) << o.out;
  // 'classes' is the modelled model's: refused with real proofs, naming the field.
  write("classes.json", R"({"name": "c", "protocol": "serving", "runs": 1, "params": {"k": 2, "classes": 4},
    "cases": [{"name": "honest"}]})");
  Outcome bad = run({"sim", "--scenario", f("classes.json"), "--real-proofs", "--model", f("fm.vnnm")});
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("params.classes"), std::string::npos) << bad.out;
}

// The retrieval adapter with real proofs: the corpus is the first test images, positive
// iff the model calls them class 1 (Trouser; the model's answers on images 0-4 are Ankle
// boot, Pullover, Trouser, Trouser, Shirt). An honest responder is paid; one that fakes two
// of three proofs is caught by the requester's nn::verify and slashed by the judge's; one
// that replaces a positive by an unattested negative image (image 4) is caught by the
// sample of every document and slashed.
TEST_F(SimCli, RealProofsRetrieval) {
  if (!nn::fashion_mnist_present(nn::fashion_mnist_dir(), nn::Split::kTest) ||
      !nn::fashion_mnist_present(nn::fashion_mnist_dir(), nn::Split::kTrain))
    GTEST_SKIP() << "Fashion-MNIST is not installed (Debian: dataset-fashion-mnist)";
  Outcome imported =
      run({"import", "--onnx", std::string(VERDICT_MODELS_DIR) + "/fashion_mnist/model.onnx", "--out", f("fm.vnnm")});
  ASSERT_EQ(imported.code, 0) << imported.out;
  write("real.json", R"({"name": "real", "protocol": "retrieval", "runs": 1, "seed": 4,
    "params": {"corpus_size": 3, "audit_sample": 2, "positive_class": 1, "z": 100000, "eps": 25000},
    "cases": [{"name": "honest"},
              {"name": "invalid", "parties": {"responder": {"strategy": "invalid_proofs", "invalid": 2}}},
              {"name": "withhold", "params": {"corpus_size": 4, "audit_sample": 4},
               "parties": {"responder": {"strategy": "withhold", "disguise": "junk"}}}]})");
  Outcome o = run({"sim", "--scenario", f("real.json"), "--real-proofs", "--model", f("fm.vnnm")});
  ASSERT_EQ(o.code, 0) << o.out;
  auto terminal = [&](const std::string& name) {
    const auto at = o.out.find("case '" + name + "'");
    const auto stages = o.out.find("terminal stages: ", at);
    if (at == std::string::npos || stages == std::string::npos) return std::string("(missing)");
    return o.out.substr(stages, o.out.find('\n', stages) - stages);
  };
  EXPECT_EQ(terminal("honest"), "terminal stages: settled_paid 1 (100.00%)") << o.out;
  EXPECT_EQ(terminal("invalid"), "terminal stages: settled_responder_slashed 1 (100.00%)") << o.out;
  EXPECT_EQ(terminal("withhold"), "terminal stages: settled_responder_slashed 1 (100.00%)") << o.out;
  // 3 + 1 + 4 proofs made (the faked ones are not); verified: 3, 3 + 3 (the requester's
  // and the judge's audit), 4 + 4; the two faked proofs fail both times.
  EXPECT_NE(o.out.find("real proofs: 8 made"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("real proofs: 8 made (0.00"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("17 verified"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("4 invalid"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace verdict::cli
