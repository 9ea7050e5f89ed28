// Calibration and quantization: the conventions the circuits depend on (input scale,
// ReLU/ReLU6 ranges, clamp bounds, per-channel weights, multipliers and the shift),
// recomputed independently from the float model; the per-layer error bound of
// quantize_test_support.hpp on a MobileNet-like block (BN, ReLU6, depthwise, residual
// add, global average pool, flatten, gemm); degenerate ranges and errors.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>

#include "base/rng.hpp"
#include "snark/nn/onnx_import.hpp"
#include "snark/nn/onnx_test_graph.hpp"
#include "snark/nn/quantize.hpp"
#include "snark/nn/quantize_test_support.hpp"

namespace verdict::nn {
namespace {

using testing::GraphBuilder;

constexpr std::uint64_t kSeed = 0x5eed0002;

QuantizeOptions with_shift(std::uint32_t shift) {
  QuantizeOptions o;
  o.shift = shift;
  return o;
}

std::vector<float> random_floats(Rng& rng, std::size_t n, double lo, double hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = float(lo + (hi - lo) * double(rng.uniform(1u << 24)) / double(1u << 24));
  return v;
}

std::vector<std::vector<std::uint8_t>> random_images(Rng& rng, std::size_t count, std::size_t size) {
  std::vector<std::vector<std::uint8_t>> out(count, std::vector<std::uint8_t>(size));
  for (auto& img : out) rng.fill(img);
  return out;
}

// A conv + BN (+ Clip 0..6) stage of the mini MobileNet.
void conv_bn(GraphBuilder& g, Rng& rng, const std::string& in, const std::string& out, int cin, int cout, int k,
             int stride, int groups, bool relu6) {
  const std::string p = out + "_";
  g.init(p + "w", {cout, cin / groups, k, k}, random_floats(rng, std::size_t(cout) * (cin / groups) * k * k, -0.5, 0.5));
  auto& c = g.node("Conv", {in, p + "w"}, {p + "c"}, p + "conv");
  GraphBuilder::attr(c, "kernel_shape", std::vector<std::int64_t>{k, k});
  GraphBuilder::attr(c, "strides", std::vector<std::int64_t>{stride, stride});
  const std::int64_t pad = k / 2;
  GraphBuilder::attr(c, "pads", std::vector<std::int64_t>{pad, pad, pad, pad});
  GraphBuilder::attr(c, "group", std::int64_t(groups));
  g.init(p + "gamma", {cout}, random_floats(rng, cout, 0.5, 1.5));
  g.init(p + "beta", {cout}, random_floats(rng, cout, -0.2, 0.2));
  g.init(p + "mean", {cout}, random_floats(rng, cout, -0.2, 0.2));
  g.init(p + "var", {cout}, random_floats(rng, cout, 0.5, 1.5));
  g.node("BatchNormalization", {p + "c", p + "gamma", p + "beta", p + "mean", p + "var"}, {relu6 ? p + "bn" : out},
         p + "bn");
  if (relu6) {
    g.init(p + "lo", {}, {0.0f});
    g.init(p + "hi", {}, {6.0f});
    g.node("Clip", {p + "bn", p + "lo", p + "hi"}, {out}, p + "relu6");
  }
}

// Stem conv (stride 2), one inverted residual block (expand 1x1, depthwise 3x3, project
// 1x1, residual add), global average pool, flatten, classifier: MobileNet v2 in small.
GraphBuilder mini_mobilenet(std::uint64_t seed) {
  ChaChaRng rng(seed);
  GraphBuilder g;
  g.input("image", {-1, 3, 12, 12});
  conv_bn(g, rng, "image", "stem", 3, 8, 3, 2, 1, true);
  conv_bn(g, rng, "stem", "expand", 8, 16, 1, 1, 1, true);
  conv_bn(g, rng, "expand", "dw", 16, 16, 3, 1, 16, true);
  conv_bn(g, rng, "dw", "project", 16, 8, 1, 1, 1, false);
  g.node("Add", {"stem", "project"}, {"block"}, "residual");
  g.node("GlobalAveragePool", {"block"}, {"pooled"}, "gap");
  g.node("Flatten", {"pooled"}, {"flat"}, "flatten");
  g.init("fc_w", {5, 8}, random_floats(rng, 40, -1, 1));
  g.init("fc_b", {5}, random_floats(rng, 5, -0.1, 0.1));
  auto& fc = g.node("Gemm", {"flat", "fc_w", "fc_b"}, {"logits"}, "classifier");
  GraphBuilder::attr(fc, "transB", std::int64_t(1));
  g.output("logits");
  return g;
}

TEST(Quantize, MiniMobileNetStructure) {
  auto fm = import_onnx_bytes(mini_mobilenet(kSeed).bytes());
  ASSERT_TRUE(fm.ok()) << fm.error().message;
  std::vector<LayerKind> kinds;
  for (const auto& l : fm->layers) kinds.push_back(l.kind);
  EXPECT_EQ(kinds, (std::vector<LayerKind>{LayerKind::kConv, LayerKind::kConv, LayerKind::kConv, LayerKind::kConv,
                                           LayerKind::kAdd, LayerKind::kGlobalAvgPool, LayerKind::kGemm}));
  EXPECT_EQ(fm->layers[0].op_type, "Conv+BatchNormalization+Clip");
  EXPECT_EQ(fm->layers[0].activation, Activation::kRelu6);
  EXPECT_EQ(fm->layers[2].groups, 16u);
  EXPECT_EQ(fm->layers[3].activation, Activation::kNone);
}

// Every convention of quantize.hpp, recomputed from the float model and the calibration.
TEST(Quantize, ConventionsHold) {
  auto fm = import_onnx_bytes(mini_mobilenet(kSeed).bytes());
  ASSERT_TRUE(fm.ok()) << fm.error().message;
  ChaChaRng rng(kSeed);
  auto images = random_images(rng, 16, 3 * 12 * 12);
  auto cal = calibrate(*fm, images);
  ASSERT_TRUE(cal.ok()) << cal.error().message;
  auto q = quantize(*fm, *cal);
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_TRUE(q->validate().ok());
  ASSERT_EQ(q->tensors.size(), fm->tensors.size());
  ASSERT_EQ(q->layers.size(), fm->layers.size());
  EXPECT_DOUBLE_EQ(q->tensors[q->input].scale, 1.0 / 255);
  EXPECT_EQ(q->tensors[q->input].zero_point, 0);
  const double two_s = std::ldexp(1.0, int(q->shift));
  bool some_mult_near_top = false;
  for (std::size_t i = 0; i < fm->layers.size(); ++i) {
    const FloatLayer& fl = fm->layers[i];
    const Layer& ql = q->layers[i];
    SCOPED_TRACE("layer " + fl.name);
    EXPECT_EQ(ql.clamp_lo, 0);
    EXPECT_EQ(ql.clamp_hi, 255);
    const TensorInfo &ti = q->tensors[fl.inputs[0]], &to = q->tensors[fl.output];
    const TensorRange r = cal->ranges[fl.output];
    if (fl.activation == Activation::kRelu6) {
      EXPECT_DOUBLE_EQ(to.scale, 6.0 / 255);
      EXPECT_EQ(to.zero_point, 0);
    } else if (fl.activation == Activation::kRelu) {
      EXPECT_DOUBLE_EQ(to.scale, r.hi / 255);
      EXPECT_EQ(to.zero_point, 0);
    } else if (fl.kind != LayerKind::kMaxPool && fl.kind != LayerKind::kReshape) {
      const double lo = std::min(r.lo, 0.0), hi = std::max(r.hi, 0.0);
      EXPECT_DOUBLE_EQ(to.scale, (hi - lo) / 255);
      EXPECT_EQ(to.zero_point, std::lround(-lo / to.scale));
    }
    std::vector<double> ratios;
    if (fl.kind == LayerKind::kConv || fl.kind == LayerKind::kGemm) {
      const std::size_t cout = fl.bias.size(), per = fl.weights.size() / cout;
      for (std::size_t c = 0; c < cout; ++c) {
        double m = 0;
        int qmax = 0;
        for (std::size_t k = 0; k < per; ++k) m = std::max(m, std::abs(double(fl.weights[c * per + k])));
        const double s_w = m / 127;
        for (std::size_t k = 0; k < per; ++k) {
          EXPECT_EQ(ql.weights[c * per + k], std::lround(fl.weights[c * per + k] / s_w));
          qmax = std::max(qmax, std::abs(int(ql.weights[c * per + k])));
        }
        EXPECT_EQ(qmax, 127) << "symmetric per-channel scale uses the full range";
        EXPECT_EQ(ql.bias[c], std::lround(fl.bias[c] / (s_w * ti.scale)));
        ratios.push_back(s_w * ti.scale / to.scale);
      }
    } else if (fl.kind == LayerKind::kAdd) {
      ratios = {ti.scale / to.scale, q->tensors[fl.inputs[1]].scale / to.scale};
    } else if (fl.kind == LayerKind::kGlobalAvgPool) {
      ratios = {ti.scale / (to.scale * ti.shape.h * ti.shape.w)};
    }
    ASSERT_EQ(ql.mult.size(), ratios.size());
    for (std::size_t c = 0; c < ratios.size(); ++c) {
      EXPECT_EQ(ql.mult[c], std::llround(ratios[c] * two_s));
      some_mult_near_top |= std::llround(ratios[c] * two_s * 2) >= (std::int64_t(1) << 31);
    }
  }
  // The shift is the largest that fits below the circuit's 24: one more bit would be
  // above 24 or overflow some multiplier.
  EXPECT_TRUE(q->shift == 24 || some_mult_near_top) << "shift " << q->shift;
}

TEST(Quantize, PerLayerErrorWithinBound) {
  auto fm = import_onnx_bytes(mini_mobilenet(kSeed + 1).bytes());
  ASSERT_TRUE(fm.ok()) << fm.error().message;
  ChaChaRng rng(kSeed + 1);
  auto calib = random_images(rng, 32, 3 * 12 * 12);
  auto q = quantize(*fm, calib);
  ASSERT_TRUE(q.ok()) << q.error().message;
  testing::BoundReport report;
  for (const auto& img : random_images(rng, 16, 3 * 12 * 12)) testing::check_layer_bounds(*fm, *q, img, report);
  std::cout << "per-layer error / bound: worst (a) " << report.worst_a << ", worst (b) " << report.worst_b
            << ", largest error against the float weights " << report.max_lsb_b << " LSB over " << report.elements
            << " elements\n";
  EXPECT_LE(report.worst_a, 1.0);
  EXPECT_LE(report.worst_b, 1.0);
}

// The bound is not vacuous: a quantized model with one multiplier off by 1% breaks it.
TEST(Quantize, PerLayerBoundDetectsAWrongMultiplier) {
  auto fm = import_onnx_bytes(mini_mobilenet(kSeed + 2).bytes());
  ASSERT_TRUE(fm.ok()) << fm.error().message;
  ChaChaRng rng(kSeed + 2);
  auto calib = random_images(rng, 16, 3 * 12 * 12);
  auto q = quantize(*fm, calib);
  ASSERT_TRUE(q.ok()) << q.error().message;
  Model bad = *q;
  for (auto& m : bad.layers[1].mult) m = m + m / 100;
  testing::BoundReport report;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD,
                                                         &failures);
    for (const auto& img : calib) testing::check_layer_bounds(*fm, bad, img, report);
  }
  EXPECT_GT(failures.size(), 0) << "worst (a) " << report.worst_a;
}

TEST(Quantize, DeadReluAndDegenerateRangesStillQuantize) {
  // gemm 4 -> 2 with ReLU whose first output is never positive, then gemm 2 -> 3.
  FloatModel fm;
  fm.tensors = {{"x", {4, 1, 1}}, {"h", {2, 1, 1}}, {"y", {3, 1, 1}}};
  FloatLayer a;
  a.kind = LayerKind::kGemm;
  a.name = "hidden";
  a.op_type = "Gemm+Relu";
  a.inputs = {0};
  a.output = 1;
  a.weights = {0, 0, 0, 0, 1, -1, 0.5f, 0.25f};
  a.bias = {-1, 0.1f};
  a.activation = Activation::kRelu;
  FloatLayer b;
  b.kind = LayerKind::kGemm;
  b.name = "out";
  b.op_type = "Gemm";
  b.inputs = {1};
  b.output = 2;
  b.weights = {1, 2, -1, 0, 0, 0};  // the third output is constant 0.3
  b.bias = {0, 0, 0.3f};
  fm.layers = {a, b};
  fm.input = 0;
  fm.output = 2;
  ASSERT_TRUE(fm.validate().ok()) << fm.validate().error().message;
  ChaChaRng rng(kSeed + 3);
  auto images = random_images(rng, 8, 4);
  auto q = quantize(fm, images);
  ASSERT_TRUE(q.ok()) << q.error().message;
  auto out = run_reference(*q, images[0]);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ((*out)[1][0], 0) << "a dead ReLU stays 0";
  auto y = dequantize(q->tensors[2], (*out)[2]);
  EXPECT_NEAR(y[2], 0.3, q->tensors[2].scale);
}

TEST(Quantize, ShiftChoiceAndErrors) {
  // y = 1000 x0 - 1000 x1, calibrated on x0 == x1: a degenerate output range, so the
  // multiplier ratio is 1000/127 = 7.87 and the largest shift that fits is 28
  // (7.87 * 2^28 = 2.11e9 < 2^31 = 2.15e9); the default stops at the circuit's 24.
  FloatModel fm;
  fm.tensors = {{"x", {2, 1, 1}}, {"y", {1, 1, 1}}};
  FloatLayer l;
  l.kind = LayerKind::kGemm;
  l.name = "steep";
  l.op_type = "Gemm";
  l.inputs = {0};
  l.output = 1;
  l.weights = {1000, -1000};
  l.bias = {0};
  fm.layers = {l};
  fm.output = 1;
  std::vector<std::vector<std::uint8_t>> same = {{7, 7}, {200, 200}};
  auto q = quantize(fm, same);
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->shift, 24u);
  auto s28 = quantize(fm, same, with_shift(28));
  ASSERT_TRUE(s28.ok()) << s28.error().message;
  auto forced = quantize(fm, same, with_shift(30));
  ASSERT_FALSE(forced.ok());
  EXPECT_NE(forced.error().message.find("'steep'"), std::string::npos) << forced.error().message;
  EXPECT_NE(forced.error().message.find("outside [1, 2^31)"), std::string::npos) << forced.error().message;
  auto ok20 = quantize(fm, same, with_shift(20));
  ASSERT_TRUE(ok20.ok()) << ok20.error().message;
  EXPECT_EQ(ok20->shift, 20u);
  // A tiny ratio at a small shift rounds to 0: refused.
  auto fm2 = import_onnx_bytes(mini_mobilenet(kSeed).bytes());
  ASSERT_TRUE(fm2.ok());
  ChaChaRng rng(kSeed + 4);
  auto tiny = quantize(*fm2, random_images(rng, 4, 3 * 12 * 12), with_shift(1));
  ASSERT_FALSE(tiny.ok());
  EXPECT_NE(tiny.error().message.find("outside [1, 2^31)"), std::string::npos) << tiny.error().message;
  EXPECT_FALSE(quantize(fm, same, with_shift(31)).ok());
}

TEST(Quantize, CalibrationErrors) {
  auto fm = import_onnx_bytes(mini_mobilenet(kSeed).bytes());
  ASSERT_TRUE(fm.ok());
  EXPECT_FALSE(calibrate(*fm, {}).ok());
  std::vector<std::vector<std::uint8_t>> wrong = {std::vector<std::uint8_t>(10)};
  auto r = calibrate(*fm, wrong);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("calibration input 0"), std::string::npos) << r.error().message;
  std::vector<std::vector<std::uint8_t>> one = {std::vector<std::uint8_t>(3 * 12 * 12, 9)};
  EXPECT_FALSE(calibrate(*fm, one, CalibrationOptions{40}).ok());
  Calibration short_cal;
  short_cal.ranges.resize(2);
  EXPECT_FALSE(quantize(*fm, short_cal).ok());
}

TEST(Quantize, PercentileNarrowsRanges) {
  auto fm = import_onnx_bytes(mini_mobilenet(kSeed).bytes());
  ASSERT_TRUE(fm.ok());
  ChaChaRng rng(kSeed + 5);
  auto images = random_images(rng, 8, 3 * 12 * 12);
  auto full = calibrate(*fm, images);
  auto p99 = calibrate(*fm, images, CalibrationOptions{99.0});
  ASSERT_TRUE(full.ok() && p99.ok());
  bool narrower = false;
  for (std::size_t t = 0; t < full->ranges.size(); ++t) {
    const double width = full->ranges[t].hi - full->ranges[t].lo;
    EXPECT_GE(p99->ranges[t].lo, full->ranges[t].lo - 1e-9);
    EXPECT_LE(p99->ranges[t].hi, full->ranges[t].hi + 1e-9);
    narrower |= p99->ranges[t].hi - p99->ranges[t].lo < 0.95 * width;
  }
  EXPECT_TRUE(narrower);
  auto q = quantize(*fm, *p99);
  ASSERT_TRUE(q.ok()) << q.error().message;
}

}  // namespace
}  // namespace verdict::nn
