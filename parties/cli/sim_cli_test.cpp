// `verdict sim` through the real binary: a shipped scenario runs and writes every report
// file; the same seed gives byte-identical files with one thread or two; bad usage and bad
// scenario files exit 2 with a message naming the problem; --real-proofs proves and
// verifies real SNARKs of the shipped Fashion-MNIST model (an honest MP passes, an MP
// whose proofs are corrupted is slashed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parties/cli/binary_run.hpp"
#include "snark/nn/fashion_mnist.hpp"

namespace verdict::cli {
namespace {

namespace fs = std::filesystem;

using Outcome = testing::BinaryRun;

class SimCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("verdict_sim_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string f(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(f(name)) << text; }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream b;
    b << in.rdbuf();
    return b.str();
  }

  // Runs the binary with `args`, stdout and stderr captured together.
  Outcome run(std::vector<std::string> args) { return testing::run_binary(VERDICT_BIN, std::move(args), f("out.txt")); }

  fs::path dir_;
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
      {{"sim", "--scenario", kScenarios + "/serving.json", "--real-proofs"}, "accuracy protocol only"},
      {{"sim", "--scenario", kScenarios + "/throughput.json", "--real-proofs", "--runs", "3"}, "needs --model"},
      {{"sim", "--scenario", kScenarios + "/throughput.json", "--real-proofs", "--model", "m"}, "at most 100 runs"},
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

}  // namespace
}  // namespace verdict::cli
