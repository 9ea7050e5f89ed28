// The quantized IR: hand-computed layers; a convolution equals the Gemm of its im2col
// matrix (a second, independent formulation); the encoding round-trips and every
// truncation or inconsistency is refused with a message.
#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "snark/nn/model.hpp"

namespace verdict::nn {
namespace {

TensorInfo tensor(std::string name, Shape s, std::int32_t z) { return {std::move(name), s, 0.1, z}; }

TEST(Model, GemmByHand) {
  Model m;
  m.shift = 4;  // divide by 16, rounding half up
  m.tensors = {tensor("x", {3, 1, 1}, 10), tensor("y", {2, 1, 1}, 5)};
  Layer g;
  g.kind = LayerKind::kGemm;
  g.name = "fc";
  g.inputs = {0};
  g.output = 1;
  g.weights = {1, 2, 3, -1, 0, 4};
  g.bias = {7, -100};
  g.mult = {16, 8};  // x1 and x0.5
  g.clamp_lo = 0;
  g.clamp_hi = 255;
  m.layers = {g};
  m.input = 0;
  m.output = 1;
  ASSERT_TRUE(m.validate().ok()) << m.validate().error().message;
  std::vector<std::uint8_t> x = {12, 10, 20};  // x - z = 2, 0, 10
  auto t = run_reference(m, x);
  ASSERT_TRUE(t.ok()) << t.error().message;
  // acc0 = 7 + 2 + 0 + 30 = 39 -> 39*16/16 = 39 -> +5 = 44
  // acc1 = -100 - 2 + 0 + 40 = -62 -> floor((-62*8 + 8)/16) = floor(-488/16) = -31 -> +5 -> -26 -> clamp 0
  EXPECT_EQ((*t)[1], (std::vector<std::uint8_t>{44, 0}));
}

Model conv_model(std::uint32_t cin, std::uint32_t cout, std::uint32_t k, std::uint32_t s, std::uint32_t pad,
                 std::uint32_t groups, Rng& rng) {
  Model m;
  m.shift = 16;
  Shape in{cin, 7, 6};
  Shape out{cout, conv_out_dim(7, k, s, pad, pad), conv_out_dim(6, k, s, pad, pad)};
  m.tensors = {tensor("x", in, std::int32_t(rng.uniform(256))), tensor("y", out, std::int32_t(rng.uniform(256)))};
  Layer c;
  c.kind = LayerKind::kConv;
  c.name = "conv";
  c.inputs = {0};
  c.output = 1;
  c.kernel_h = c.kernel_w = k;
  c.stride_h = c.stride_w = s;
  c.pad_t = c.pad_l = c.pad_b = c.pad_r = pad;
  c.groups = groups;
  c.weights.resize(std::size_t(cout) * (cin / groups) * k * k);
  for (auto& w : c.weights) w = std::int8_t(int(rng.uniform(255)) - 127);
  for (std::uint32_t i = 0; i < cout; ++i) {
    c.bias.push_back(std::int32_t(rng.uniform(2001)) - 1000);
    c.mult.push_back(std::int64_t(1 + rng.uniform(900)));
  }
  m.layers = {c};
  m.input = 0;
  m.output = 1;
  return m;
}

TEST(Model, ConvolutionEqualsGemmOfIm2col) {
  ChaChaRng rng(61);
  struct Case {
    std::uint32_t cin, cout, k, s, pad, groups;
  };
  for (Case cs : {Case{3, 4, 3, 1, 1, 1}, Case{4, 6, 3, 2, 0, 2}, Case{5, 5, 3, 1, 1, 5}, Case{2, 3, 1, 1, 0, 1},
                  Case{4, 4, 2, 2, 1, 4}}) {
    Model m = conv_model(cs.cin, cs.cout, cs.k, cs.s, cs.pad, cs.groups, rng);
    ASSERT_TRUE(m.validate().ok()) << m.validate().error().message;
    std::vector<std::uint8_t> x(m.tensors[0].shape.size());
    for (auto& v : x) v = std::uint8_t(rng.uniform(256));
    auto t = run_reference(m, x);
    ASSERT_TRUE(t.ok());
    // For each output position, a Gemm over the im2col column (padding = zero point).
    const Layer& c = m.layers[0];
    const Shape is = m.tensors[0].shape, os = m.tensors[1].shape;
    const std::uint32_t cig = cs.cin / cs.groups, cog = cs.cout / cs.groups;
    for (std::uint32_t oy = 0; oy < os.h; ++oy)
      for (std::uint32_t ox = 0; ox < os.w; ++ox)
        for (std::uint32_t g = 0; g < cs.groups; ++g) {
          Model gm;
          gm.shift = m.shift;
          const std::uint32_t kk = cig * cs.k * cs.k;
          gm.tensors = {tensor("col", {kk, 1, 1}, m.tensors[0].zero_point), tensor("out", {cog, 1, 1}, m.tensors[1].zero_point)};
          Layer gl;
          gl.kind = LayerKind::kGemm;
          gl.name = "gemm";
          gl.inputs = {0};
          gl.output = 1;
          std::vector<std::uint8_t> col;
          for (std::uint32_t ci = 0; ci < cig; ++ci)
            for (std::uint32_t dy = 0; dy < cs.k; ++dy)
              for (std::uint32_t dx = 0; dx < cs.k; ++dx) {
                std::int64_t iy = std::int64_t(oy) * cs.s + dy - cs.pad, ix = std::int64_t(ox) * cs.s + dx - cs.pad;
                bool inside = iy >= 0 && ix >= 0 && iy < is.h && ix < is.w;
                col.push_back(inside ? x[(std::size_t(g * cig + ci) * is.h + iy) * is.w + ix]
                                     : std::uint8_t(m.tensors[0].zero_point));
              }
          for (std::uint32_t co = g * cog; co < (g + 1) * cog; ++co) {
            for (std::uint32_t j = 0; j < kk; ++j) gl.weights.push_back(c.weights[std::size_t(co) * kk + j]);
            gl.bias.push_back(c.bias[co]);
            gl.mult.push_back(c.mult[co]);
          }
          gm.layers = {gl};
          gm.input = 0;
          gm.output = 1;
          auto gt = run_reference(gm, col);
          ASSERT_TRUE(gt.ok()) << gt.error().message;
          for (std::uint32_t j = 0; j < cog; ++j)
            EXPECT_EQ((*t)[1][(std::size_t(g * cog + j) * os.h + oy) * os.w + ox], (*gt)[1][j]);
        }
  }
}

TEST(Model, EncodingRoundTripsAndDamageIsRefused) {
  ChaChaRng rng(62);
  Model m = conv_model(3, 4, 3, 1, 1, 1, rng);
  auto bytes = m.to_bytes();
  auto back = Model::from_bytes(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->to_bytes(), bytes);
  for (std::size_t len = 0; len < bytes.size(); len += 7) EXPECT_FALSE(Model::from_bytes(std::span(bytes.data(), len)).ok());
  auto bad = bytes;
  bad[0] = 'X';
  EXPECT_FALSE(Model::from_bytes(bad).ok());
}

TEST(Model, ValidationNamesTheProblem) {
  ChaChaRng rng(63);
  Model m = conv_model(3, 4, 3, 1, 1, 1, rng);
  auto expect_error = [](const Model& bad, const std::string& fragment) {
    Status st = bad.validate();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find(fragment), std::string::npos) << st.error().message;
  };
  Model w = m;
  w.layers[0].weights.pop_back();
  expect_error(w, "weights have the wrong size");
  Model g = m;
  g.layers[0].groups = 2;
  expect_error(g, "groups");
  Model s = m;
  s.tensors[1].shape.h += 1;
  expect_error(s, "output shape");
  Model o = m;
  for (auto& x : o.layers[0].weights) x = 127;
  o.layers[0].bias[0] = 2147000000;  // + 27 * 127 * 255 > 2^31
  expect_error(o, "exceed int32");
  Model q = m;
  q.layers[0].weights[0] = -128;
  expect_error(q, "-128");
  Model mu = m;
  mu.layers[0].mult[0] = 0;
  expect_error(mu, "multiplier");
  std::vector<std::uint8_t> wrong(5);
  EXPECT_FALSE(run_reference(m, wrong).ok());
}

}  // namespace
}  // namespace verdict::nn

namespace verdict::nn {
namespace {

// Found by fuzz_nn_model: a shape whose element count wraps around 2^64, and a global
// average pool whose accumulator times its multiplier overflows int64. Both refused.
TEST(Model, RefusesWrappingShapesAndOverflowingPools) {
  Model m;
  m.shift = 20;
  m.tensors = {tensor("in", {65537, 4294901761u, 65536}, 0), tensor("out", {65537, 1, 1}, 0)};
  Layer g;
  g.kind = LayerKind::kGlobalAvgPool;
  g.name = "gap";
  g.inputs = {0};
  g.output = 1;
  g.mult = {1 << 18};
  m.layers = {g};
  m.input = 0;
  m.output = 1;
  auto st = m.validate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("oversized"), std::string::npos) << st.error().message;
  m.tensors = {tensor("in", {1, 8192, 4096}, 0), tensor("out", {1, 1, 1}, 0)};
  m.layers[0].mult = {(std::int64_t(1) << 31) - 1};
  st = m.validate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("int32"), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace verdict::nn
