// `verdict import`, `verdict run` and `verdict accuracy` through the real binary: --help,
// a model imported from the shipped ONNX file runs, a badly calibrated one is refused by
// --max-drop (exit 1), bad files and bad usage exit 2 with a message.
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

const std::string kOnnx = std::string(VERDICT_MODELS_DIR) + "/fashion_mnist/model.onnx";

using Outcome = testing::BinaryRun;

class NnCli : public ::testing::Test {
 protected:
  std::string f(const std::string& name) const { return dir_.file(name); }

  // Runs the binary with `args`, stdout and stderr captured together.
  Outcome run(std::vector<std::string> args) { return testing::run_binary(VERDICT_BIN, std::move(args), f("out.txt")); }

  void write(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(f(name), std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }

  escrow::testing::TempDir dir_;  // removed after each test
};

TEST_F(NnCli, EveryCommandAnswersHelp) {
  for (const char* cmd : {"import", "accuracy", "run", "setup", "prove", "verify", "commit", "inspect"}) {
    auto r = run({cmd, "--help"});
    EXPECT_EQ(r.code, 0) << cmd << ": " << r.out;
    EXPECT_NE(r.out.find(std::string("usage: verdict ") + cmd), std::string::npos) << r.out;
  }
  auto top = run({"--help"});
  EXPECT_NE(top.out.find("import"), std::string::npos);
}

TEST_F(NnCli, BadUsageExitsTwo) {
  EXPECT_EQ(run({"import", "--onnx", kOnnx}).code, 2);  // no --out
  EXPECT_EQ(run({"import", "--onnx", kOnnx, "--out", f("m"), "--shift", "40"}).code, 2);
  EXPECT_EQ(run({"import", "--onnx", kOnnx, "--out", f("m"), "--calibration", "5", "--calibration-random", "5"}).code, 2);
  EXPECT_EQ(run({"run", "--model", f("m")}).code, 2);  // neither --input nor --test-image
  EXPECT_EQ(run({"accuracy", "--frobnicate"}).code, 2);
}

TEST_F(NnCli, ImportRunAndBadFiles) {
  // Calibrate on three raw 28x28 inputs from a directory (no dataset needed).
  fs::create_directories(f("calib"));
  for (int i = 0; i < 3; ++i) {
    std::vector<std::uint8_t> img(784);
    for (std::size_t p = 0; p < img.size(); ++p) img[p] = std::uint8_t((p * (i + 3) + i * 50) % 256);
    write("calib/" + std::to_string(i) + ".raw", img);
  }
  auto imp = run({"import", "--onnx", kOnnx, "--out", f("fm.model"), "--calibration-dir", f("calib")});
  ASSERT_EQ(imp.code, 0) << imp.out;
  EXPECT_NE(imp.out.find("6 layers"), std::string::npos) << imp.out;
  EXPECT_NE(imp.out.find("calibrated on 3 inputs"), std::string::npos) << imp.out;
  ASSERT_TRUE(fs::exists(f("fm.model")));

  write("input.raw", std::vector<std::uint8_t>(784, 40));
  auto r = run({"run", "--model", f("fm.model"), "--input", f("input.raw"), "--onnx", kOnnx});
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("argmax: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("float argmax: "), std::string::npos) << r.out;

  write("short.raw", std::vector<std::uint8_t>(100, 1));
  auto s = run({"run", "--model", f("fm.model"), "--input", f("short.raw")});
  EXPECT_EQ(s.code, 2);
  EXPECT_NE(s.out.find("needs 784"), std::string::npos) << s.out;
  auto wrong = run({"run", "--model", kOnnx, "--input", f("input.raw")});  // an ONNX file is no verdict model
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.out.find("not a verdict model"), std::string::npos) << wrong.out;

  // A truncated ONNX file and a wrong calibration input size.
  std::ifstream in(kOnnx, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.resize(bytes.size() / 2);
  write("half.onnx", bytes);
  auto half = run({"import", "--onnx", f("half.onnx"), "--out", f("x"), "--calibration-random", "1"});
  EXPECT_EQ(half.code, 2);
  EXPECT_NE(half.out.find("not an ONNX model"), std::string::npos) << half.out;
  write("calib/bad.raw", std::vector<std::uint8_t>(10, 0));
  auto bad = run({"import", "--onnx", kOnnx, "--out", f("x"), "--calibration-dir", f("calib")});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("bad.raw has 10 bytes"), std::string::npos) << bad.out;
}

TEST_F(NnCli, AccuracyAndMaxDrop) {
  if (!nn::fashion_mnist_present(nn::fashion_mnist_dir(), nn::Split::kTest))
    GTEST_SKIP() << "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)";
  auto imp = run({"import", "--onnx", kOnnx, "--out", f("good.model"), "--calibration", "200"});
  ASSERT_EQ(imp.code, 0) << imp.out;
  auto acc = run({"accuracy", "--onnx", kOnnx, "--model", f("good.model"), "--limit", "300", "--max-drop", "3"});
  ASSERT_EQ(acc.code, 0) << acc.out;
  EXPECT_NE(acc.out.find("float accuracy"), std::string::npos) << acc.out;
  EXPECT_NE(acc.out.find("quantized accuracy"), std::string::npos) << acc.out;
  auto one = run({"run", "--model", f("good.model"), "--test-image", "0"});
  ASSERT_EQ(one.code, 0) << one.out;
  EXPECT_NE(one.out.find("label 9 (Ankle boot)"), std::string::npos) << one.out;
  // Ranges cut to the 49th..51st percentiles: almost every activation saturates.
  ASSERT_EQ(run({"import", "--onnx", kOnnx, "--out", f("bad.model"), "--calibration", "50", "--percentile", "51"}).code, 0);
  auto rejected = run({"accuracy", "--onnx", kOnnx, "--model", f("bad.model"), "--limit", "300", "--max-drop", "5"});
  EXPECT_EQ(rejected.code, 1) << rejected.out;
  EXPECT_NE(rejected.out.find("REJECTED"), std::string::npos) << rejected.out;
}


// setup -> prove (hidden input) -> verify -> commit, through the real binary, on the
// shipped Fashion-MNIST CNN; then every false claim and corrupted file is refused.
TEST_F(NnCli, SetupProveVerifyCommit) {
  fs::create_directories(f("calib"));
  for (int i = 0; i < 2; ++i) {
    std::vector<std::uint8_t> img(784);
    for (std::size_t p = 0; p < img.size(); ++p) img[p] = std::uint8_t((p * (i + 5) + i * 30) % 256);
    write("calib/" + std::to_string(i) + ".raw", img);
  }
  ASSERT_EQ(run({"import", "--onnx", kOnnx, "--out", f("fm.model"), "--calibration-dir", f("calib")}).code, 0);
  auto ins = run({"inspect", "--model", f("fm.model")});
  ASSERT_EQ(ins.code, 0) << ins.out;
  EXPECT_NE(ins.out.find("/conv2/Conv"), std::string::npos) << ins.out;
  const auto at = ins.out.find("domain 2^");
  ASSERT_NE(at, std::string::npos) << ins.out;
  const int k = std::stoi(ins.out.substr(at + 9));
  ASSERT_EQ(run({"srs", "dev", "--k", std::to_string(k + 1), "--seed", "7", "--out", f("dev.ptau")}).code, 0);
  auto su = run({"setup", "--model", f("fm.model"), "--srs", f("dev.ptau"), "--insecure-dev-srs", "--pk", f("pk"), "--vk", f("vk")});
  ASSERT_EQ(su.code, 0) << su.out;
  const auto mc = su.out.find("model commitment: ");
  ASSERT_NE(mc, std::string::npos);
  const std::string commitment = su.out.substr(mc + 18, 64);
  // Without --insecure-dev-srs the development SRS is refused.
  EXPECT_EQ(run({"setup", "--model", f("fm.model"), "--srs", f("dev.ptau"), "--pk", f("pk2"), "--vk", f("vk2")}).code, 2);

  std::vector<std::uint8_t> img(784);
  for (std::size_t p = 0; p < img.size(); ++p) img[p] = std::uint8_t(p % 251);
  write("img.raw", img);
  const std::string salt = "00000000000000000000000000000000000000000000000000000000000000a7";
  auto pr = run({"prove", "--model", f("fm.model"), "--pk", f("pk"), "--srs", f("dev.ptau"), "--insecure-dev-srs", "--input",
                 f("img.raw"), "--salt", salt, "--out", f("proof")});
  ASSERT_EQ(pr.code, 0) << pr.out;
  auto cm = run({"commit", "--input", f("img.raw"), "--salt", salt});
  ASSERT_EQ(cm.code, 0) << cm.out;
  const std::string input_commitment = cm.out.substr(0, 64);
  EXPECT_NE(pr.out.find(input_commitment), std::string::npos) << pr.out;
  auto ok = run({"verify", "--vk", f("vk"), "--proof", f("proof"), "--model-commitment", commitment, "--input-commitment",
                 input_commitment});
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("VALID"), std::string::npos) << ok.out;

  // Another model commitment or input commitment: rejected (exit 1).
  std::string other = commitment;
  other[0] = other[0] == '0' ? '1' : '0';
  EXPECT_EQ(run({"verify", "--vk", f("vk"), "--proof", f("proof"), "--model-commitment", other}).code, 1);
  auto cm2 = run({"commit", "--input", f("img.raw"), "--salt", std::string(63, '0') + "1"});
  EXPECT_EQ(run({"verify", "--vk", f("vk"), "--proof", f("proof"), "--input-commitment", cm2.out.substr(0, 64)}).code, 1);
  // A proof whose claimed output byte is changed: rejected (the output sits after the
  // header, model commitment, visibility, input commitment and the output's length).
  std::ifstream in(f("proof"), std::ios::binary);
  std::vector<std::uint8_t> proof((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto changed = proof;
  changed[4 + 2 + 32 + 1 + 32 + 4] ^= 1;
  write("changed", changed);
  auto bad = run({"verify", "--vk", f("vk"), "--proof", f("changed")});
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("REJECTED"), std::string::npos) << bad.out;
  // Corrupted files: a clear error, exit 2.
  auto trunc = proof;
  trunc.resize(trunc.size() - 7);
  write("trunc", trunc);
  auto t = run({"verify", "--vk", f("vk"), "--proof", f("trunc")});
  EXPECT_EQ(t.code, 2) << t.out;
  EXPECT_NE(t.out.find("trunc"), std::string::npos) << t.out;
  auto w = run({"verify", "--vk", f("proof"), "--proof", f("proof")});
  EXPECT_EQ(w.code, 2) << w.out;
  EXPECT_NE(w.out.find("bad magic"), std::string::npos) << w.out;
  auto badsalt = run({"commit", "--input", f("img.raw"), "--salt", "xyz"});
  EXPECT_EQ(badsalt.code, 2);
  auto wrong_input = run({"prove", "--model", f("fm.model"), "--pk", f("pk"), "--srs", f("dev.ptau"), "--insecure-dev-srs",
                          "--input", f("calib/0.raw"), "--input-json", f("x.json"), "--out", f("p2")});
  EXPECT_EQ(wrong_input.code, 2);
  write("x.json", std::vector<std::uint8_t>{'[', '1', ',', '2', ']'});
  auto short_json = run({"prove", "--model", f("fm.model"), "--pk", f("pk"), "--srs", f("dev.ptau"), "--insecure-dev-srs",
                         "--input-json", f("x.json"), "--out", f("p2")});
  EXPECT_EQ(short_json.code, 2);
  EXPECT_NE(short_json.out.find("needs 784"), std::string::npos) << short_json.out;
  EXPECT_FALSE(fs::exists(f("p2")));
}

}  // namespace
}  // namespace verdict::cli
