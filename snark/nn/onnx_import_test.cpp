// ONNX import, op by op: small graphs built with the protobuf API, imported, run by the
// float interpreter and compared with a direct (naive, double) computation of the ONNX
// semantics from the original, unfolded parameters. Then bad input: unsupported ops and
// attributes, wrong shapes, NaN/Inf, out-of-range values, corrupted files.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "base/rng.hpp"
#include "snark/nn/onnx_import.hpp"
#include "snark/nn/onnx_test_graph.hpp"

namespace verdict::nn {
namespace {

using testing::GraphBuilder;
using Vec = std::vector<double>;

constexpr std::uint64_t kSeed = 0x5eed0001;

std::vector<float> random_floats(Rng& rng, std::size_t n, double lo = -1, double hi = 1) {
  std::vector<float> v(n);
  for (auto& x : v) x = float(lo + (hi - lo) * double(rng.uniform(1u << 24)) / double(1u << 24));
  return v;
}

Vec to_double(const std::vector<float>& v) { return Vec(v.begin(), v.end()); }

// ONNX Conv, directly: out[m][oy][ox] = b[m] + sum over the group's channels and the
// kernel of w * x, zero padding.
Vec naive_conv(const Vec& x, int C, int H, int W, const Vec& w, int M, int kh, int kw, const Vec& b, int s,
               std::array<int, 4> pads, int g, int& OH, int& OW) {
  OH = (H + pads[0] + pads[2] - kh) / s + 1;
  OW = (W + pads[1] + pads[3] - kw) / s + 1;
  Vec out(std::size_t(M) * OH * OW);
  const int cg = C / g, mg = M / g;
  for (int m = 0; m < M; ++m)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        double acc = b.empty() ? 0 : b[m];
        for (int c = 0; c < cg; ++c)
          for (int ky = 0; ky < kh; ++ky)
            for (int kx = 0; kx < kw; ++kx) {
              const int iy = oy * s + ky - pads[0], ix = ox * s + kx - pads[1];
              if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
              const int ci = (m / mg) * cg + c;
              acc += w[((std::size_t(m) * cg + c) * kh + ky) * kw + kx] * x[(std::size_t(ci) * H + iy) * W + ix];
            }
        out[(std::size_t(m) * OH + oy) * OW + ox] = acc;
      }
  return out;
}

void expect_close(const std::vector<float>& got, const Vec& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << "element " << i;
}

Result<FloatModel> import(const GraphBuilder& g) { return import_onnx_bytes(g.bytes()); }

std::vector<float> run_ok(const FloatModel& m, const std::vector<float>& x) {
  auto y = m.run(x);
  EXPECT_TRUE(y.ok()) << y.error().message;
  return y.ok() ? *y : std::vector<float>{};
}

// ---------------------------------------------------------------- convolution

struct ConvCase {
  int cin, cout, k, stride, groups;
  std::array<int, 4> pads;  // top, left, bottom, right
};

class ConvImport : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvImport, MatchesDirectConvolution) {
  const ConvCase p = GetParam();
  ChaChaRng rng(kSeed);
  const int H = 9, W = 7;
  GraphBuilder g;
  g.input("x", {-1, p.cin, H, W});  // symbolic batch
  auto w = random_floats(rng, std::size_t(p.cout) * (p.cin / p.groups) * p.k * p.k);
  auto b = random_floats(rng, std::size_t(p.cout));
  g.init("w", {p.cout, p.cin / p.groups, p.k, p.k}, w);
  g.init("b", {p.cout}, b);
  auto& n = g.node("Conv", {"x", "w", "b"}, {"y"}, "conv");
  GraphBuilder::attr(n, "kernel_shape", std::vector<std::int64_t>{p.k, p.k});
  GraphBuilder::attr(n, "strides", std::vector<std::int64_t>{p.stride, p.stride});
  GraphBuilder::attr(n, "pads", std::vector<std::int64_t>{p.pads[0], p.pads[1], p.pads[2], p.pads[3]});
  GraphBuilder::attr(n, "dilations", std::vector<std::int64_t>{1, 1});
  GraphBuilder::attr(n, "group", std::int64_t(p.groups));
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].kind, LayerKind::kConv);
  EXPECT_EQ(m->layers[0].groups, std::uint32_t(p.groups));
  auto x = random_floats(rng, std::size_t(p.cin) * H * W, 0, 1);
  int OH, OW;
  Vec want = naive_conv(to_double(x), p.cin, H, W, to_double(w), p.cout, p.k, p.k, to_double(b), p.stride, p.pads,
                        p.groups, OH, OW);
  EXPECT_EQ(m->tensors[m->output].shape, (Shape{std::uint32_t(p.cout), std::uint32_t(OH), std::uint32_t(OW)}));
  expect_close(run_ok(*m, x), want, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Cases, ConvImport,
                         ::testing::Values(ConvCase{1, 4, 3, 1, 1, {1, 1, 1, 1}},    // same padding
                                           ConvCase{3, 5, 3, 2, 1, {1, 1, 1, 1}},    // stride 2
                                           ConvCase{4, 6, 3, 1, 2, {0, 0, 0, 0}},    // two groups
                                           ConvCase{6, 6, 3, 2, 6, {1, 1, 1, 1}},    // depthwise, stride 2
                                           ConvCase{4, 8, 1, 1, 1, {0, 0, 0, 0}},    // pointwise
                                           ConvCase{2, 3, 2, 1, 1, {0, 1, 1, 0}},    // asymmetric padding
                                           ConvCase{5, 10, 5, 3, 5, {2, 2, 2, 2}}));  // depth multiplier 2

// ---------------------------------------------------------------- batch norm folding

TEST(OnnxImport, BatchNormFoldsIntoConvExactly) {
  ChaChaRng rng(kSeed + 1);
  const int C = 3, M = 4, H = 6, W = 6;
  GraphBuilder g;
  g.input("x", {1, C, H, W});
  auto w = random_floats(rng, M * C * 9);
  auto b = random_floats(rng, M);
  auto gamma = random_floats(rng, M, 0.5, 2), beta = random_floats(rng, M), mean = random_floats(rng, M),
       var = random_floats(rng, M, 0.1, 3);
  g.init("w", {M, C, 3, 3}, w);
  g.init("b", {M}, b);
  g.init("gamma", {M}, gamma);
  g.init("beta", {M}, beta);
  g.init("mean", {M}, mean);
  g.init("var", {M}, var);
  auto& c = g.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
  GraphBuilder::attr(c, "pads", std::vector<std::int64_t>{1, 1, 1, 1});
  auto& bn = g.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"}, "bn");
  GraphBuilder::attr_f(bn, "epsilon", 1e-3f);
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 1u) << "BN must be folded into the convolution";
  EXPECT_EQ(m->layers[0].op_type, "Conv+BatchNormalization");
  auto x = random_floats(rng, C * H * W, 0, 1);
  int OH, OW;
  Vec want = naive_conv(to_double(x), C, H, W, to_double(w), M, 3, 3, to_double(b), 1, {1, 1, 1, 1}, 1, OH, OW);
  for (int m_ = 0; m_ < M; ++m_)
    for (int p = 0; p < OH * OW; ++p) {
      double& v = want[std::size_t(m_) * OH * OW + p];
      v = (v - mean[m_]) / std::sqrt(double(var[m_]) + 1e-3) * gamma[m_] + beta[m_];
    }
  // Folding rounds the folded weights to float once: relative error ~1e-7 per term.
  expect_close(run_ok(*m, x), want, 2e-6);
}

TEST(OnnxImport, BatchNormWithoutFoldableProducerBecomesDepthwiseConv) {
  // BN straight on the input: nothing to fold into, so a depthwise 1x1 convolution.
  GraphBuilder g;
  g.input("x", {1, 2, 3, 3});
  g.init("gamma", {2}, {2.0f, 0.5f});
  g.init("beta", {2}, {1.0f, -1.0f});
  g.init("mean", {2}, {0.5f, 0.25f});
  g.init("var", {2}, {4.0f, 1.0f});
  auto& bn = g.node("BatchNormalization", {"x", "gamma", "beta", "mean", "var"}, {"y"}, "bn");
  GraphBuilder::attr_f(bn, "epsilon", 0.0f);
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].kind, LayerKind::kConv);
  EXPECT_EQ(m->layers[0].groups, 2u);
  std::vector<float> x(18);
  for (int i = 0; i < 18; ++i) x[i] = float(i) / 17;
  Vec want(18);
  for (int i = 0; i < 18; ++i) want[i] = i < 9 ? (x[i] - 0.5) / 2 * 2 + 1 : (x[i] - 0.25) / 1 * 0.5 - 1;
  expect_close(run_ok(*m, x), want, 1e-6);
}

// ---------------------------------------------------------------- activations

// x [1, 1, 4, 4] -> Conv 3x3 (pad 1) -> "c"; the caller adds what follows.
GraphBuilder conv_then(int opset = 13) {
  GraphBuilder g(opset);
  g.input("x", {1, 1, 4, 4});
  std::vector<float> w(9);
  for (int i = 0; i < 9; ++i) w[i] = float(i - 4);  // mixed signs: outputs below 0 and above 6
  g.init("w", {1, 1, 3, 3}, w);
  g.init("b", {1}, {0.5f});
  auto& c = g.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
  GraphBuilder::attr(c, "pads", std::vector<std::int64_t>{1, 1, 1, 1});
  return g;
}

std::vector<float> ramp(std::size_t n, float scale) {
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = scale * float((i * 7) % n) / float(n);
  return x;
}

TEST(OnnxImport, ClipWithConstantInputsFusesAsRelu6) {
  GraphBuilder g = conv_then();
  g.init("lo", {}, {0.0f});
  g.init("hi", {}, {6.0f});
  g.node("Clip", {"c", "lo", "hi"}, {"y"}, "relu6");
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].activation, Activation::kRelu6);
  // Without the Clip, the same graph gives the raw values: compare clamp(raw, 0, 6).
  GraphBuilder raw = conv_then();
  raw.output("c");
  auto r = import(raw);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto x = ramp(16, 3.0f);
  auto pre = run_ok(*r, x), post = run_ok(*m, x);
  bool saw_low = false, saw_high = false;
  for (std::size_t i = 0; i < pre.size(); ++i) {
    saw_low |= pre[i] < 0;
    saw_high |= pre[i] > 6;
    EXPECT_FLOAT_EQ(post[i], std::clamp(pre[i], 0.0f, 6.0f));
  }
  EXPECT_TRUE(saw_low && saw_high) << "the test input must exercise both bounds";
}

TEST(OnnxImport, ClipWithAttributesOldOpset) {
  GraphBuilder g = conv_then(10);
  auto& n = g.node("Clip", {"c"}, {"y"}, "relu6");
  GraphBuilder::attr_f(n, "min", 0.0f);
  GraphBuilder::attr_f(n, "max", 6.0f);
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->layers[0].activation, Activation::kRelu6);
}

TEST(OnnxImport, ReluFusesThroughMaxPoolAndReshape) {
  GraphBuilder g = conv_then();
  auto& mp = g.node("MaxPool", {"c"}, {"p"}, "pool");
  GraphBuilder::attr(mp, "kernel_shape", std::vector<std::int64_t>{2, 2});
  GraphBuilder::attr(mp, "strides", std::vector<std::int64_t>{2, 2});
  g.node("Flatten", {"p"}, {"f"}, "flat");
  g.node("Relu", {"f"}, {"y"}, "relu");
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 3u);
  EXPECT_EQ(m->layers[0].activation, Activation::kRelu);
  EXPECT_EQ(m->layers[0].op_type, "Conv+Relu");
  EXPECT_EQ(m->tensors[m->output].shape, (Shape{4, 1, 1}));
  // relu(flatten(maxpool(conv))) computed from the unfused graph.
  GraphBuilder raw = conv_then();
  raw.output("c");
  auto r = import(raw);
  ASSERT_TRUE(r.ok());
  auto x = ramp(16, 3.0f);
  auto pre = run_ok(*r, x), got = run_ok(*m, x);
  Vec want(4);
  for (int py = 0; py < 2; ++py)
    for (int px = 0; px < 2; ++px) {
      double best = -1e30;
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx) best = std::max(best, double(pre[(py * 2 + dy) * 4 + px * 2 + dx]));
      want[py * 2 + px] = std::max(best, 0.0);
    }
  expect_close(got, want, 1e-7);
}

TEST(OnnxImport, ActivationThatCannotBeFusedIsAnError) {
  {  // the conv output has a second consumer
    GraphBuilder g = conv_then();
    g.node("Relu", {"c"}, {"r"}, "relu_a");
    g.node("Add", {"c", "r"}, {"y"}, "add");
    g.output("y");
    auto m = import(g);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("node 'relu_a' (Relu)"), std::string::npos) << m.error().message;
    EXPECT_NE(m.error().message.find("other consumers"), std::string::npos) << m.error().message;
  }
  {  // on the model input
    GraphBuilder g;
    g.input("x", {1, 1, 2, 2});
    g.node("Relu", {"x"}, {"y"}, "relu_in");
    g.output("y");
    auto m = import(g);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("node 'relu_in' (Relu)"), std::string::npos) << m.error().message;
  }
  {  // after an average pool
    GraphBuilder g = conv_then();
    g.node("GlobalAveragePool", {"c"}, {"p"}, "gap");
    g.node("Relu", {"p"}, {"y"}, "relu_gap");
    g.output("y");
    auto m = import(g);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("node 'relu_gap' (Relu)"), std::string::npos) << m.error().message;
  }
}

TEST(OnnxImport, ClipOtherThanReluOrRelu6IsAnError) {
  GraphBuilder g = conv_then();
  g.init("lo", {}, {0.0f});
  g.init("hi", {}, {5.0f});
  g.node("Clip", {"c", "lo", "hi"}, {"y"}, "clip5");
  g.output("y");
  auto m = import(g);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("node 'clip5' (Clip)"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("only Clip(0, 6)"), std::string::npos) << m.error().message;
}

// ---------------------------------------------------------------- gemm and matmul

TEST(OnnxImport, GemmWithAlphaBetaTransB) {
  ChaChaRng rng(kSeed + 2);
  const int K = 12, N = 5;
  for (int trans_b : {0, 1}) {
    GraphBuilder g;
    g.input("x", {1, K});
    auto B = random_floats(rng, K * N), C = random_floats(rng, N);
    g.init("B", trans_b ? std::vector<std::int64_t>{N, K} : std::vector<std::int64_t>{K, N}, B);
    g.init("C", {1, N}, C);
    auto& n = g.node("Gemm", {"x", "B", "C"}, {"y"}, "fc");
    GraphBuilder::attr_f(n, "alpha", 0.5f);
    GraphBuilder::attr_f(n, "beta", 2.0f);
    GraphBuilder::attr(n, "transB", std::int64_t(trans_b));
    g.output("y");
    auto m = import(g);
    ASSERT_TRUE(m.ok()) << m.error().message;
    auto x = random_floats(rng, K);
    Vec want(N);
    for (int o = 0; o < N; ++o) {
      double acc = 0;
      for (int k = 0; k < K; ++k) acc += double(x[k]) * (trans_b ? B[o * K + k] : B[k * N + o]);
      want[o] = 0.5 * acc + 2.0 * C[o];
    }
    expect_close(run_ok(*m, x), want, 1e-6);
  }
}

TEST(OnnxImport, MatMulPlusBiasBecomesOneGemm) {
  ChaChaRng rng(kSeed + 3);
  const int K = 8, N = 3;
  GraphBuilder g;
  g.input("x", {1, K});
  auto B = random_floats(rng, K * N), bias = random_floats(rng, N);
  g.init("B", {K, N}, B);
  g.init("bias", {N}, bias);
  g.node("MatMul", {"x", "B"}, {"mm"}, "matmul");
  g.node("Add", {"bias", "mm"}, {"y"}, "addbias");  // constant first: commutes
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].kind, LayerKind::kGemm);
  EXPECT_EQ(m->layers[0].op_type, "MatMul+Add");
  auto x = random_floats(rng, K);
  Vec want(N);
  for (int o = 0; o < N; ++o) {
    want[o] = bias[o];
    for (int k = 0; k < K; ++k) want[o] += double(x[k]) * B[k * N + o];
  }
  expect_close(run_ok(*m, x), want, 1e-6);
}

TEST(OnnxImport, PerChannelMulSubDivFoldIntoConv) {
  GraphBuilder g = conv_then();
  g.init("two", {1, 1, 1, 1}, {2.0f});
  g.init("k", {1}, {0.25f});
  g.node("Mul", {"c", "two"}, {"m"}, "mul");
  g.node("Sub", {"m", "k"}, {"s"}, "sub");
  g.node("Div", {"s", "two"}, {"y"}, "div");
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 1u);
  GraphBuilder raw = conv_then();
  raw.output("c");
  auto r = import(raw);
  ASSERT_TRUE(r.ok());
  auto x = ramp(16, 1.0f);
  auto pre = run_ok(*r, x);
  Vec want(pre.size());
  for (std::size_t i = 0; i < pre.size(); ++i) want[i] = (pre[i] * 2.0 - 0.25) / 2.0;
  expect_close(run_ok(*m, x), want, 1e-6);
}

// ---------------------------------------------------------------- add, pools, shapes

TEST(OnnxImport, ResidualAddWithRelu) {
  ChaChaRng rng(kSeed + 4);
  const int C = 3, H = 5, W = 5;
  GraphBuilder g;
  g.input("x", {1, C, H, W});
  auto w1 = random_floats(rng, C * C * 9), w2 = random_floats(rng, C * C);
  g.init("w1", {C, C, 3, 3}, w1);
  g.init("w2", {C, C, 1, 1}, w2);
  auto& c1 = g.node("Conv", {"x", "w1"}, {"a"}, "conv1");
  GraphBuilder::attr(c1, "pads", std::vector<std::int64_t>{1, 1, 1, 1});
  g.node("Conv", {"a", "w2"}, {"b"}, "conv2");
  g.node("Add", {"a", "b"}, {"s"}, "add");
  g.node("Relu", {"s"}, {"y"}, "relu");
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 3u);
  EXPECT_EQ(m->layers[2].kind, LayerKind::kAdd);
  EXPECT_EQ(m->layers[2].activation, Activation::kRelu);
  auto x = random_floats(rng, C * H * W, 0, 1);
  int OH, OW;
  Vec a = naive_conv(to_double(x), C, H, W, to_double(w1), C, 3, 3, {}, 1, {1, 1, 1, 1}, 1, OH, OW);
  Vec b = naive_conv(a, C, H, W, to_double(w2), C, 1, 1, {}, 1, {0, 0, 0, 0}, 1, OH, OW);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = std::max(a[i] + b[i], 0.0);
  expect_close(run_ok(*m, x), a, 1e-5);
}

TEST(OnnxImport, PoolsMatchDirectComputation) {
  ChaChaRng rng(kSeed + 5);
  const int C = 2, H = 7, W = 6;
  GraphBuilder g;
  g.input("x", {1, C, H, W});
  auto& ap = g.node("AveragePool", {"x"}, {"avg"}, "avgpool");
  GraphBuilder::attr(ap, "kernel_shape", std::vector<std::int64_t>{3, 2});
  GraphBuilder::attr(ap, "strides", std::vector<std::int64_t>{2, 2});
  auto& mp = g.node("MaxPool", {"avg"}, {"max"}, "maxpool");
  GraphBuilder::attr(mp, "kernel_shape", std::vector<std::int64_t>{2, 2});
  GraphBuilder::attr(mp, "pads", std::vector<std::int64_t>{1, 1, 1, 1});
  GraphBuilder::attr(mp, "strides", std::vector<std::int64_t>{1, 1});
  g.node("GlobalAveragePool", {"max"}, {"y"}, "gap");
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto x = random_floats(rng, C * H * W, -1, 1);
  // avg: 3x2 windows, stride 2 -> [3, 3]; max: 2x2 with padding 1 -> [4, 4]; gap -> [C].
  Vec want(C);
  for (int c = 0; c < C; ++c) {
    double avg[3][3];
    for (int oy = 0; oy < 3; ++oy)
      for (int ox = 0; ox < 3; ++ox) {
        double s = 0;
        for (int dy = 0; dy < 3; ++dy)
          for (int dx = 0; dx < 2; ++dx) s += x[(c * H + oy * 2 + dy) * W + ox * 2 + dx];
        avg[oy][ox] = s / 6;
      }
    double total = 0;
    for (int oy = 0; oy < 4; ++oy)
      for (int ox = 0; ox < 4; ++ox) {
        double best = -1e30;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) {
            const int iy = oy + dy - 1, ix = ox + dx - 1;
            if (iy >= 0 && ix >= 0 && iy < 3 && ix < 3) best = std::max(best, avg[iy][ix]);
          }
        total += best;
      }
    want[c] = total / 16;
  }
  EXPECT_EQ(m->tensors[m->output].shape, (Shape{C, 1, 1}));
  expect_close(run_ok(*m, x), want, 1e-6);
}

TEST(OnnxImport, ReduceMeanIsGlobalAveragePool) {
  GraphBuilder g;
  g.input("x", {1, 2, 2, 2});
  auto& r = g.node("ReduceMean", {"x"}, {"y"}, "mean");
  GraphBuilder::attr(r, "axes", std::vector<std::int64_t>{-1, -2});
  GraphBuilder::attr(r, "keepdims", std::int64_t(0));
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  expect_close(run_ok(*m, {1, 2, 3, 4, 0, 0, 0, 1}), {2.5, 0.25}, 1e-7);
}

// x.view(x.size(0), -1) as PyTorch exports it: Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape, constant-folded because the shapes are static.
TEST(OnnxImport, DynamicShapeChainIsConstantFolded) {
  ChaChaRng rng(kSeed + 6);
  GraphBuilder g;
  g.input("x", {1, 2, 3, 3});
  auto w = random_floats(rng, 4 * 18);
  g.init("w", {4, 18}, w);
  g.node("Shape", {"x"}, {"shape"}, "shape");
  auto& zero = g.node("Constant", {}, {"zero"}, "const0");
  GraphBuilder::attr_t(zero, "value", GraphBuilder::tensor_i64("", {}, {0}));
  auto& gather = g.node("Gather", {"shape", "zero"}, {"n"}, "gather");
  GraphBuilder::attr(gather, "axis", std::int64_t(0));
  g.init_i64("axes0", {1}, {0});
  g.node("Unsqueeze", {"n", "axes0"}, {"n1"}, "unsqueeze");
  auto& minus1 = g.node("Constant", {}, {"m1"}, "const1");
  GraphBuilder::attr_t(minus1, "value", GraphBuilder::tensor_i64("", {1}, {-1}));
  auto& cat = g.node("Concat", {"n1", "m1"}, {"newshape"}, "concat");
  GraphBuilder::attr(cat, "axis", std::int64_t(0));
  g.node("Reshape", {"x", "newshape"}, {"flat"}, "reshape");
  auto& fc = g.node("Gemm", {"flat", "w"}, {"y"}, "fc");
  GraphBuilder::attr(fc, "transB", std::int64_t(1));
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].kind, LayerKind::kReshape);
  EXPECT_EQ(m->tensors[m->layers[0].output].shape, (Shape{18, 1, 1}));
  auto x = random_floats(rng, 18);
  Vec want(4, 0.0);
  for (int o = 0; o < 4; ++o)
    for (int k = 0; k < 18; ++k) want[o] += double(w[o * 18 + k]) * x[k];
  expect_close(run_ok(*m, x), want, 1e-6);
}

TEST(OnnxImport, IdentityDropoutAndNoopReshapeAddNoLayers) {
  GraphBuilder g;
  g.input("x", {1, 3, 2, 2});
  g.node("GlobalAveragePool", {"x"}, {"p"}, "gap");
  g.node("Identity", {"p"}, {"i"}, "id");
  g.node("Dropout", {"i"}, {"d"}, "drop");
  g.node("Flatten", {"d"}, {"f"}, "flat");  // [1, 3, 1, 1] -> [1, 3]: same [C, H, W] view
  g.init("w", {3, 2}, {1, 0, 0, 1, 1, 1});
  g.node("MatMul", {"f", "w"}, {"y"}, "mm");
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->layers.size(), 2u);
  expect_close(run_ok(*m, {1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 4}), {1 + 1, 2 + 1}, 1e-7);
}

TEST(OnnxImport, UnusedBranchesArePruned) {
  GraphBuilder g;
  g.input("x", {1, 1, 2, 2});
  g.node("GlobalAveragePool", {"x"}, {"y"}, "gap");
  g.node("MaxPool", {"x"}, {"unused"}, "dead");
  GraphBuilder::attr(*g.graph().mutable_node(1), "kernel_shape", std::vector<std::int64_t>{2, 2});
  g.output("y");
  auto m = import(g);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->tensors.size(), 2u);
}

// ---------------------------------------------------------------- bad input

void expect_error(const GraphBuilder& g, const std::vector<std::string>& fragments) {
  auto m = import(g);
  ASSERT_FALSE(m.ok()) << "imported a bad graph";
  for (const auto& f : fragments) EXPECT_NE(m.error().message.find(f), std::string::npos) << m.error().message;
}

GraphBuilder one_conv(const std::function<void(onnx::NodeProto&)>& tweak, std::vector<std::int64_t> in = {1, 2, 5, 5}) {
  GraphBuilder g;
  g.input("x", in);
  g.init("w", {2, 2, 3, 3}, std::vector<float>(36, 0.5f));
  auto& n = g.node("Conv", {"x", "w"}, {"y"}, "my_conv");
  tweak(n);
  g.output("y");
  return g;
}

TEST(OnnxImportErrors, UnsupportedOpNamesNodeAndOp) {
  GraphBuilder g;
  g.input("x", {1, 10});
  g.node("Softmax", {"x"}, {"y"}, "probabilities");
  g.output("y");
  expect_error(g, {"node 'probabilities' (Softmax)", "unsupported op"});
  GraphBuilder h;
  h.input("x", {1, 10});
  h.node("Gather", {"x", "x"}, {"y"}, "g");
  h.output("y");
  expect_error(h, {"node 'g' (Gather)"});
}

TEST(OnnxImportErrors, UnsupportedAttributes) {
  expect_error(one_conv([](auto& n) { GraphBuilder::attr(n, "dilations", std::vector<std::int64_t>{2, 2}); }),
               {"node 'my_conv' (Conv)", "dilations"});
  expect_error(one_conv([](auto& n) { GraphBuilder::attr_s(n, "auto_pad", "SAME_UPPER"); }),
               {"node 'my_conv' (Conv)", "auto_pad SAME_UPPER"});
  expect_error(one_conv([](auto& n) { GraphBuilder::attr(n, "frobnicate", std::int64_t(1)); }),
               {"node 'my_conv' (Conv)", "attribute 'frobnicate'"});
  expect_error(one_conv([](auto& n) { GraphBuilder::attr(n, "group", std::int64_t(3)); }),
               {"node 'my_conv' (Conv)", "group 3"});
  expect_error(one_conv([](auto& n) { GraphBuilder::attr(n, "strides", std::vector<std::int64_t>{0, 1}); }),
               {"node 'my_conv' (Conv)", "stride"});
  expect_error(one_conv([](auto& n) { GraphBuilder::attr(n, "pads", std::vector<std::int64_t>{-1, 0, 0, 0}); }),
               {"node 'my_conv' (Conv)", "padding"});
  expect_error(one_conv([](auto& n) { GraphBuilder::attr_f(n, "group", 1.0f); }), {"'group' must be an integer"});
  GraphBuilder g;
  g.input("x", {1, 1, 4, 4});
  auto& mp = g.node("MaxPool", {"x"}, {"y"}, "pool");
  GraphBuilder::attr(mp, "kernel_shape", std::vector<std::int64_t>{2, 2});
  GraphBuilder::attr(mp, "ceil_mode", std::int64_t(1));
  g.output("y");
  expect_error(g, {"node 'pool' (MaxPool)", "ceil_mode"});
  GraphBuilder a;
  a.input("x", {1, 1, 4, 4});
  auto& ap = a.node("AveragePool", {"x"}, {"y"}, "avg");
  GraphBuilder::attr(ap, "kernel_shape", std::vector<std::int64_t>{2, 2});
  GraphBuilder::attr(ap, "pads", std::vector<std::int64_t>{1, 1, 1, 1});
  a.output("y");
  expect_error(a, {"node 'avg' (AveragePool)", "padded average pooling"});
}

TEST(OnnxImportErrors, WrongShapes) {
  // batch 2
  expect_error(one_conv([](auto&) {}, {2, 2, 5, 5}), {"batch dimension must be 1"});
  // kernel larger than the input
  expect_error(one_conv([](auto&) {}, {1, 2, 2, 2}), {"node 'my_conv' (Conv)", "does not fit"});
  // channel mismatch with the weight
  expect_error(one_conv([](auto&) {}, {1, 3, 5, 5}), {"node 'my_conv' (Conv)"});
  // a 1-D convolution
  expect_error(one_conv([](auto&) {}, {1, 2, 5}), {"node 'my_conv' (Conv)", "2-D"});
  // a dynamic spatial dimension
  expect_error(one_conv([](auto&) {}, {1, 2, -1, 5}), {"dynamic"});
  // two graph inputs
  GraphBuilder g;
  g.input("x", {1, 4});
  g.input("z", {1, 4});
  g.node("Add", {"x", "z"}, {"y"}, "add");
  g.output("y");
  expect_error(g, {"2 inputs"});
  // add without broadcasting
  GraphBuilder h;
  h.input("x", {1, 2, 2, 2});
  h.node("GlobalAveragePool", {"x"}, {"p"}, "gap");
  h.node("Add", {"x", "p"}, {"y"}, "bcast");
  h.output("y");
  expect_error(h, {"node 'bcast' (Add)", "broadcasting"});
  // the float interpreter refuses an input of the wrong size
  auto m = import(one_conv([](auto&) {}));
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto r = m->run(std::vector<float>(49, 0.0f));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("expects [2, 5, 5]"), std::string::npos) << r.error().message;
}

TEST(OnnxImportErrors, NanAndInf) {
  for (float bad : {NAN, INFINITY, -INFINITY}) {
    GraphBuilder g;
    g.input("x", {1, 2, 5, 5});
    std::vector<float> w(36, 0.5f);
    w[17] = bad;
    g.init("w", {2, 2, 3, 3}, w);
    g.node("Conv", {"x", "w"}, {"y"}, "conv_nan");
    g.output("y");
    expect_error(g, {"node 'conv_nan' (Conv)", "NaN or Inf"});
  }
  GraphBuilder g;
  g.input("x", {1, 2, 2, 2});
  g.init("mean", {2}, {0, NAN});
  g.init("one", {2}, {1, 1});
  g.init("zero", {2}, {0, 0});
  g.node("BatchNormalization", {"x", "one", "zero", "mean", "one"}, {"y"}, "bn_nan");
  g.output("y");
  expect_error(g, {"node 'bn_nan' (BatchNormalization)", "NaN or Inf"});
  auto m = import(one_conv([](auto&) {}));
  ASSERT_TRUE(m.ok());
  std::vector<float> x(50, 0.5f);
  x[3] = NAN;
  auto r = m->run(x);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not finite"), std::string::npos) << r.error().message;
}

TEST(OnnxImportErrors, OutOfRangeValues) {
  {  // Gather index out of range
    GraphBuilder g;
    g.input("x", {1, 4});
    g.node("Shape", {"x"}, {"s"}, "shape");
    g.init_i64("i", {}, {5});
    g.node("Gather", {"s", "i"}, {"d"}, "gather_oob");
    g.init_i64("m1", {1}, {-1});
    g.node("Reshape", {"x", "d"}, {"y"}, "reshape");
    g.output("y");
    expect_error(g, {"node 'gather_oob' (Gather)", "out of range"});
  }
  {  // a weight with a huge declared shape and no data
    GraphBuilder g;
    g.input("x", {1, 4});
    *g.graph().add_initializer() = GraphBuilder::tensor("w", {1 << 20, 1 << 20}, {});
    g.node("MatMul", {"x", "w"}, {"y"}, "mm");
    g.output("y");
    expect_error(g, {"tensor 'w'", "oversized"});
  }
  {  // data that does not match the declared shape
    GraphBuilder g;
    g.input("x", {1, 4});
    g.init("w", {4, 3}, std::vector<float>(11, 1.0f));
    g.node("MatMul", {"x", "w"}, {"y"}, "mm");
    g.output("y");
    expect_error(g, {"tensor 'w'", "does not match the shape"});
  }
  {  // reshape to the wrong element count
    GraphBuilder g;
    g.input("x", {1, 4});
    g.init_i64("shape", {2}, {1, 5});
    g.node("Reshape", {"x", "shape"}, {"y"}, "bad_reshape");
    g.output("y");
    expect_error(g, {"node 'bad_reshape' (Reshape)"});
  }
  {  // a reshape that moves the batch dimension
    GraphBuilder g;
    g.input("x", {1, 4});
    g.init_i64("shape", {2}, {4, 1});
    g.node("Reshape", {"x", "shape"}, {"y"}, "batch_reshape");
    g.output("y");
    expect_error(g, {"node 'batch_reshape' (Reshape)", "batch"});
  }
  {  // external data
    GraphBuilder g;
    g.input("x", {1, 4});
    auto t = GraphBuilder::tensor("w", {4, 2}, std::vector<float>(8, 1.0f));
    t.set_data_location(onnx::TensorProto::EXTERNAL);
    *g.graph().add_initializer() = t;
    g.node("MatMul", {"x", "w"}, {"y"}, "mm");
    g.output("y");
    expect_error(g, {"external data"});
  }
  {  // a value used before it is defined
    GraphBuilder g;
    g.input("x", {1, 4});
    g.node("Relu", {"later"}, {"y"}, "early");
    g.node("Identity", {"x"}, {"later"}, "id");
    g.output("y");
    expect_error(g, {"node 'early' (Relu)", "not defined"});
  }
}

TEST(OnnxImportErrors, NotAnOnnxFile) {
  std::vector<std::uint8_t> empty;
  EXPECT_FALSE(import_onnx_bytes(empty).ok());
  std::string text = "this is not a protobuf\n";
  auto r = import_onnx_bytes(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  ASSERT_FALSE(r.ok());
  ChaChaRng rng(kSeed + 7);
  for (int i = 0; i < 200; ++i) {
    std::vector<std::uint8_t> junk(1 + rng.uniform(512));
    rng.fill(junk);
    EXPECT_FALSE(import_onnx_bytes(junk).ok());
  }
  auto missing = import_onnx("/nonexistent/model.onnx");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/model.onnx"), std::string::npos);
}

// Every truncation and many bit flips of a real exported model: an error or a model that
// validates and runs, never a crash (ASan/UBSan builds check the "never").
TEST(OnnxImportErrors, CorruptedShippedModel) {
  const std::string path = std::string(VERDICT_MODELS_DIR) + "/fashion_mnist/model.onnx";
  std::ifstream f(path, std::ios::binary);
  ASSERT_TRUE(f) << "cannot open " << path;
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 1000u);
  ASSERT_TRUE(import_onnx_bytes(bytes).ok());
  std::size_t errors = 0, tried = 0;
  auto check = [&](std::span<const std::uint8_t> b) {
    ++tried;
    auto m = import_onnx_bytes(b);
    if (!m.ok()) {
      ++errors;
      EXPECT_FALSE(m.error().message.empty());
      return;
    }
    EXPECT_TRUE(m->validate().ok());
    auto y = m->run(std::vector<float>(m->tensors[m->input].shape.size(), 0.5f));
    (void)y;  // may fail (e.g. a flipped weight became NaN); must not crash
  };
  for (std::size_t len = 0; len < bytes.size(); len += 1 + len / 16) check(std::span(bytes).first(len));
  const std::size_t truncation_errors = errors;
  EXPECT_EQ(truncation_errors, tried) << "every truncation must be refused";
  ChaChaRng rng(kSeed + 8);
  for (int i = 0; i < 400; ++i) {
    auto copy = bytes;
    const std::size_t pos = rng.uniform(copy.size());
    copy[pos] ^= std::uint8_t(1u << rng.uniform(8));
    check(copy);
  }
  // Flips inside the weight bytes give valid models; flips in the structure must not.
  EXPECT_GT(errors, truncation_errors) << "no bit flip was detected at all";
}

}  // namespace
}  // namespace verdict::nn
