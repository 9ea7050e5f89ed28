// The Fashion-MNIST loader (synthetic IDX files, plain and gzip, and broken ones; the
// Debian dataset when installed) and the shipped model models/fashion_mnist/model.onnx:
// our float interpreter against PyTorch's logits (accuracy.json), the per-layer
// quantization bound on test images, and the accuracy on the 10,000 test images.
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/parallel.hpp"
#include "base/rng.hpp"
#include "snark/nn/fashion_mnist.hpp"
#include "snark/nn/onnx_import.hpp"
#include "snark/nn/quantize.hpp"
#include "snark/nn/quantize_test_support.hpp"

namespace verdict::nn {
namespace {

namespace fs = std::filesystem;

const std::string kModelDir = std::string(VERDICT_MODELS_DIR) + "/fashion_mnist";
constexpr std::size_t kCalibrationImages = 1000;  // the first training images, as `verdict import` does

// A fresh directory under the system temp dir, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    ChaChaRng rng(std::uint64_t(::testing::UnitTest::GetInstance()->random_seed()) + 77);
    path = fs::temp_directory_path() / ("verdict_fmnist_" + std::to_string(rng.next_u64()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<std::uint8_t> be32(std::uint32_t v) {
  return {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
}

void write(const fs::path& p, const std::vector<std::uint8_t>& bytes, bool gz) {
  if (gz) {
    gzFile f = gzopen(p.string().c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
}

std::vector<std::uint8_t> idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols) {
  std::vector<std::uint8_t> b = be32(0x803);
  for (std::uint32_t v : {n, rows, cols})
    for (auto x : be32(v)) b.push_back(x);
  for (std::uint32_t i = 0; i < n * rows * cols; ++i) b.push_back(std::uint8_t(i * 7));
  return b;
}

std::vector<std::uint8_t> idx_labels(std::uint32_t n) {
  std::vector<std::uint8_t> b = be32(0x801);
  for (auto x : be32(n)) b.push_back(x);
  for (std::uint32_t i = 0; i < n; ++i) b.push_back(std::uint8_t(i % 10));
  return b;
}

TEST(FashionMnistLoader, SyntheticPlainAndGzip) {
  for (bool gz : {false, true}) {
    TempDir dir;
    const std::string ext = gz ? ".gz" : "";
    write(dir.path / ("t10k-images-idx3-ubyte" + ext), idx_images(12, 3, 2), gz);
    write(dir.path / ("t10k-labels-idx1-ubyte" + ext), idx_labels(12), gz);
    ASSERT_TRUE(fashion_mnist_present(dir.path, Split::kTest));
    EXPECT_FALSE(fashion_mnist_present(dir.path, Split::kTrain));
    auto set = load_fashion_mnist(dir.path, Split::kTest);
    ASSERT_TRUE(set.ok()) << set.error().message;
    EXPECT_EQ(set->size(), 12u);
    EXPECT_EQ(set->rows, 3u);
    EXPECT_EQ(set->cols, 2u);
    EXPECT_EQ(set->image(2)[1], std::uint8_t(13 * 7));
    EXPECT_EQ(set->labels[11], 1);
    auto few = load_fashion_mnist(dir.path, Split::kTest, 5);
    ASSERT_TRUE(few.ok());
    EXPECT_EQ(few->size(), 5u);
    EXPECT_EQ(few->pixels.size(), 30u);
  }
}

TEST(FashionMnistLoader, BrokenFilesAreErrors) {
  TempDir dir;
  const fs::path img = dir.path / "i", lab = dir.path / "l";
  auto expect_error = [&](const std::vector<std::uint8_t>& images, const std::vector<std::uint8_t>& labels,
                          const std::string& fragment) {
    write(img, images, false);
    write(lab, labels, false);
    auto r = read_idx_images(img, lab);
    ASSERT_FALSE(r.ok()) << "accepted: " << fragment;
    EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
  };
  auto good = idx_images(4, 2, 2);
  expect_error(std::vector<std::uint8_t>(good.begin(), good.end() - 1), idx_labels(4), "truncated");
  expect_error(idx_images(4, 2, 2), idx_labels(5), "labels");
  auto bad_magic = good;
  bad_magic[3] = 0x01;
  expect_error(bad_magic, idx_labels(4), "not an IDX uint8 image file");
  auto bad_label = idx_labels(4);
  bad_label.back() = 12;
  expect_error(good, bad_label, "above 9");
  expect_error({}, idx_labels(4), "truncated");
  auto missing = load_fashion_mnist(dir.path / "nowhere", Split::kTrain);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("dataset-fashion-mnist"), std::string::npos) << missing.error().message;
}

#define REQUIRE_DATASET(split)                                                                           \
  if (!fashion_mnist_present(fashion_mnist_dir(), split))                                                \
  GTEST_SKIP() << "Fashion-MNIST is not installed in " << fashion_mnist_dir()                            \
               << " (apt-get install dataset-fashion-mnist, as scripts/install-deps.sh does, or set " \
                  "VERDICT_FASHION_MNIST)"

TEST(FashionMnistLoader, DebianDataset) {
  REQUIRE_DATASET(Split::kTrain);
  for (Split split : {Split::kTrain, Split::kTest}) {
    auto set = load_fashion_mnist(fashion_mnist_dir(), split);
    ASSERT_TRUE(set.ok()) << set.error().message;
    const std::size_t n = split == Split::kTrain ? 60000 : 10000;
    ASSERT_EQ(set->size(), n);
    EXPECT_EQ(set->rows, 28u);
    EXPECT_EQ(set->cols, 28u);
    std::array<std::size_t, 10> per_class{};
    for (auto l : set->labels) ++per_class[l];
    for (std::size_t c : per_class) EXPECT_EQ(c, n / 10);  // Fashion-MNIST is balanced
  }
}

// ---------------------------------------------------------------- the shipped model

nlohmann::json accuracy_json() {
  std::ifstream f(kModelDir + "/accuracy.json");
  EXPECT_TRUE(f) << "cannot open " << kModelDir << "/accuracy.json";
  return f ? nlohmann::json::parse(f) : nlohmann::json::object();
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(std::uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

TEST(FashionMnistModel, ImportsToTheExpectedLayers) {
  auto m = import_onnx(kModelDir + "/model.onnx");
  ASSERT_TRUE(m.ok()) << m.error().message;
  std::vector<std::string> got;
  for (const auto& l : m->layers) got.push_back(to_string(l.kind) + "/" + to_string(l.activation));
  EXPECT_EQ(got, (std::vector<std::string>{"conv/relu", "maxpool/none", "conv/relu", "maxpool/none", "reshape/none",
                                           "gemm/none"}));
  EXPECT_EQ(m->tensors[m->input].shape, (Shape{1, 28, 28}));
  EXPECT_EQ(m->tensors[m->output].shape, (Shape{10, 1, 1}));
}

TEST(FashionMnistModel, FloatInterpreterReproducesPyTorchLogits) {
  auto m = import_onnx(kModelDir + "/model.onnx");
  ASSERT_TRUE(m.ok()) << m.error().message;
  const auto report = accuracy_json();
  ASSERT_GE(report["samples"].size(), 4u);
  const bool dataset = fashion_mnist_present(fashion_mnist_dir(), Split::kTest);
  Result<ImageSet> test = dataset ? load_fashion_mnist(fashion_mnist_dir(), Split::kTest) : Result<ImageSet>(Error{"absent"});
  double worst = 0;
  for (const auto& s : report["samples"]) {
    auto pixels = from_hex(s["pixels_hex"].get<std::string>());
    ASSERT_EQ(pixels.size(), 784u);
    if (test.ok()) {  // the sample is the dataset's test image at that index
      auto img = test->image(s["index"].get<std::size_t>());
      EXPECT_TRUE(std::equal(img.begin(), img.end(), pixels.begin())) << "sample " << s["index"];
    }
    auto y = m->run(pixels_to_float(pixels));
    ASSERT_TRUE(y.ok()) << y.error().message;
    const auto want = s["logits"].get<std::vector<double>>();
    ASSERT_EQ(y->size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      worst = std::max(worst, std::abs((*y)[i] - want[i]));
      // PyTorch accumulates in float32, we in double: differences of ~1e-6.
      EXPECT_NEAR((*y)[i], want[i], 1e-4) << "sample " << s["index"] << " logit " << i;
    }
  }
  std::cout << "largest |ours - PyTorch| logit difference: " << worst << "\n";
}

TEST(FashionMnistModel, QuantizedWithinBoundAndAccuracyWithinOnePoint) {
  REQUIRE_DATASET(Split::kTest);
  auto fm = import_onnx(kModelDir + "/model.onnx");
  ASSERT_TRUE(fm.ok()) << fm.error().message;
  auto train = load_fashion_mnist(fashion_mnist_dir(), Split::kTrain, kCalibrationImages);
  auto test = load_fashion_mnist(fashion_mnist_dir(), Split::kTest);
  ASSERT_TRUE(train.ok()) << train.error().message;
  ASSERT_TRUE(test.ok()) << test.error().message;
  std::vector<std::vector<std::uint8_t>> calib;
  for (std::size_t i = 0; i < train->size(); ++i) calib.push_back(train->image_vector(i));
  auto q = quantize(*fm, calib);
  ASSERT_TRUE(q.ok()) << q.error().message;
  std::cout << "shift " << q->shift << ", " << q->num_parameters() << " parameters\n";

  // Per-layer bound on the first 100 test images.
  testing::BoundReport bound;
  for (std::size_t i = 0; i < 100; ++i) {
    testing::check_layer_bounds(*fm, *q, test->image(i), bound);
    if (HasFailure()) return;
  }
  std::cout << "per-layer error / bound: worst (a) " << bound.worst_a << ", worst (b) " << bound.worst_b
            << "; largest error against the float weights " << bound.max_lsb_b << " LSB\n";

  // Accuracy on all 10,000 test images.
  std::atomic<std::size_t> float_ok{0}, quant_ok{0}, agree{0}, failures{0};
  parallel_for(test->size(), 256, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      auto y = fm->run(pixels_to_float(test->image(i)));
      auto t = run_reference(*q, test->image(i));
      if (!y.ok() || !t.ok()) {
        ++failures;
        continue;
      }
      const std::size_t pf = argmax(std::span<const float>(*y)), pq = argmax(std::span<const std::uint8_t>((*t)[q->output]));
      float_ok += pf == test->labels[i];
      quant_ok += pq == test->labels[i];
      agree += pf == pq;
    }
  });
  ASSERT_EQ(failures.load(), 0u);
  const double n = double(test->size());
  const double acc_float = float_ok / n, acc_quant = quant_ok / n;
  const double acc_torch = accuracy_json()["float_accuracy_pytorch"].get<double>();
  std::cout << "test accuracy: PyTorch float " << acc_torch << ", our float " << acc_float << ", quantized "
            << acc_quant << " (difference " << acc_quant - acc_float << "); top-1 agreement " << agree / n << "\n";
  EXPECT_NEAR(acc_float, acc_torch, 0.0005) << "our float interpreter disagrees with PyTorch on > 5 images";
  EXPECT_NEAR(acc_quant, acc_float, 0.01);
  EXPECT_GE(agree / n, 0.98);
}

}  // namespace
}  // namespace verdict::nn
