// MobileNet v2 as models/mobilenet_v2/export.py writes it (not committed: megabytes; the
// test skips when no export is present, as in CI, which has no PyTorch). For every
// models/mobilenet_v2/*.onnx with its .sample.json: our float interpreter reproduces
// PyTorch's logits for the sample image, and the model quantizes (random calibration
// images), validates, runs in the integer reference and stays within the per-layer
// quantization bound. Set VERDICT_MOBILENET_DIR to look elsewhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/rng.hpp"
#include "snark/nn/onnx_import.hpp"
#include "snark/nn/quantize.hpp"
#include "snark/nn/quantize_test_support.hpp"

namespace verdict::nn {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> exported_models() {
  const char* env = std::getenv("VERDICT_MOBILENET_DIR");
  const fs::path dir = env && *env ? fs::path(env) : fs::path(VERDICT_MODELS_DIR) / "mobilenet_v2";
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".onnx" && fs::exists(fs::path(e.path()).replace_extension(".sample.json")))
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(std::uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

TEST(MobileNetV2, ExportedModelsImportMatchPyTorchAndQuantize) {
  const auto models = exported_models();
  if (models.empty())
    GTEST_SKIP() << "no MobileNet export in models/mobilenet_v2 (run /usr/bin/python3 models/mobilenet_v2/export.py)";
  for (const fs::path& path : models) {
    SCOPED_TRACE(path.string());
    auto fm = import_onnx(path);
    ASSERT_TRUE(fm.ok()) << fm.error().message;
    std::ifstream f(fs::path(path).replace_extension(".sample.json"));
    const auto sample = nlohmann::json::parse(f);
    const auto pixels = from_hex(sample["pixels_hex"].get<std::string>());
    const auto want = sample["logits"].get<std::vector<double>>();
    auto y = fm->run(pixels_to_float(pixels));
    ASSERT_TRUE(y.ok()) << y.error().message;
    ASSERT_EQ(y->size(), want.size());
    double scale = 0, worst = 0;
    for (double v : want) scale = std::max(scale, std::abs(v));
    for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs((*y)[i] - want[i]));
    std::cout << path.filename().string() << ": " << fm->layers.size() << " layers, " << fm->num_parameters()
              << " parameters, " << fm->macs() << " MACs; largest logit difference to PyTorch " << worst
              << " (largest logit " << scale << ")\n";
    EXPECT_LE(worst, 1e-4 * scale + 1e-6);

    ChaChaRng rng(0x30b11e);
    std::vector<std::vector<std::uint8_t>> calib(4, std::vector<std::uint8_t>(pixels.size()));
    for (auto& img : calib) rng.fill(img);
    auto q = quantize(*fm, calib);
    ASSERT_TRUE(q.ok()) << q.error().message;
    ASSERT_TRUE(q->validate().ok());
    testing::BoundReport bound;
    testing::check_layer_bounds(*fm, *q, pixels, bound);
    std::cout << "  quantized: shift " << q->shift << ", per-layer error / bound: worst (a) " << bound.worst_a
              << ", (b) " << bound.worst_b << "\n";
  }
}

}  // namespace
}  // namespace verdict::nn
