#pragma once
// Random quantized models for the circuit tests (one builder per layer kind), with
// multipliers that keep most outputs inside the byte range so the clamp is exercised on
// both sides without saturating everything.
#include <cmath>
#include <string>
#include <vector>

#include "base/rng.hpp"
#include "snark/nn/model.hpp"

namespace verdict::nn::testing_models {

inline std::uint32_t pick(Rng& rng, std::uint32_t lo, std::uint32_t hi) { return lo + std::uint32_t(rng.uniform(hi - lo + 1)); }

inline std::uint32_t add_tensor(Model& m, const std::string& name, Shape s, Rng& rng) {
  m.tensors.push_back({name, s, 0.1, std::int32_t(rng.uniform(256))});
  return std::uint32_t(m.tensors.size() - 1);
}

// A convolution from tensor `in` (weights random int8, multipliers scaled by the fan-in).
inline std::uint32_t add_conv(Model& m, std::uint32_t in, std::uint32_t cout, std::uint32_t k, std::uint32_t s,
                              std::uint32_t pad, std::uint32_t groups, Rng& rng) {
  const Shape is = m.tensors[in].shape;
  Layer c;
  c.kind = LayerKind::kConv;
  c.name = "conv" + std::to_string(m.layers.size());
  c.inputs = {in};
  c.kernel_h = c.kernel_w = k;
  c.stride_h = c.stride_w = s;
  c.pad_t = c.pad_l = c.pad_b = c.pad_r = pad;
  c.groups = groups;
  const Shape os{cout, conv_out_dim(is.h, k, s, pad, pad), conv_out_dim(is.w, k, s, pad, pad)};
  c.output = add_tensor(m, c.name + ".out", os, rng);
  const std::size_t fan_in = std::size_t(is.c / groups) * k * k;
  c.weights.resize(std::size_t(cout) * fan_in);
  for (auto& w : c.weights) w = std::int8_t(int(rng.uniform(255)) - 127);
  const double scale = std::ldexp(1.0, int(m.shift)) * 2.0 / (127.0 * 80.0 * std::sqrt(double(fan_in)));
  for (std::uint32_t i = 0; i < cout; ++i) {
    c.bias.push_back(std::int32_t(rng.uniform(4001)) - 2000);
    c.mult.push_back(std::max<std::int64_t>(1, std::int64_t(scale * (0.5 + double(rng.uniform(1000)) / 1000.0))));
  }
  m.layers.push_back(c);
  return c.output;
}

inline Model empty_model(Shape in, Rng& rng) {
  Model m;
  m.name = "random";
  m.shift = 20;
  m.input = add_tensor(m, "input", in, rng);
  return m;
}

inline Model random_conv_model(Rng& rng) {
  Model m = empty_model({pick(rng, 1, 3), pick(rng, 4, 8), pick(rng, 4, 8)}, rng);
  std::uint32_t t = add_conv(m, m.input, pick(rng, 1, 5), pick(rng, 1, 3), pick(rng, 1, 2), pick(rng, 0, 1), 1, rng);
  t = add_conv(m, t, pick(rng, 2, 4), pick(rng, 1, 3), 1, pick(rng, 0, 1), 1, rng);
  m.output = t;
  return m;
}

inline Model random_depthwise_model(Rng& rng) {
  const std::uint32_t c = pick(rng, 2, 5);
  Model m = empty_model({c, pick(rng, 4, 8), pick(rng, 4, 8)}, rng);
  std::uint32_t t = add_conv(m, m.input, c, 3, pick(rng, 1, 2), 1, c, rng);
  t = add_conv(m, t, 2 * c, 1, 1, 0, c, rng);  // grouped (two outputs a group)
  m.output = t;
  return m;
}

inline std::uint32_t add_gemm(Model& m, std::uint32_t in, std::uint32_t cout, Rng& rng) {
  const std::size_t fan_in = m.tensors[in].shape.size();
  Layer g;
  g.kind = LayerKind::kGemm;
  g.name = "fc" + std::to_string(m.layers.size());
  g.inputs = {in};
  g.output = add_tensor(m, g.name + ".out", {cout, 1, 1}, rng);
  g.weights.resize(cout * fan_in);
  for (auto& w : g.weights) w = std::int8_t(int(rng.uniform(255)) - 127);
  const double scale = std::ldexp(1.0, int(m.shift)) * 2.0 / (127.0 * 80.0 * std::sqrt(double(fan_in)));
  for (std::uint32_t i = 0; i < cout; ++i) {
    g.bias.push_back(std::int32_t(rng.uniform(4001)) - 2000);
    g.mult.push_back(std::max<std::int64_t>(1, std::int64_t(scale * (0.5 + double(rng.uniform(1000)) / 1000.0))));
  }
  m.layers.push_back(g);
  return g.output;
}

inline Model random_gemm_model(Rng& rng) {
  Model m = empty_model({pick(rng, 1, 3), pick(rng, 2, 4), pick(rng, 2, 4)}, rng);
  // Reshape to a vector, then two fully connected layers.
  Layer r;
  r.kind = LayerKind::kReshape;
  r.name = "flatten";
  r.inputs = {m.input};
  r.output = add_tensor(m, "flat", {std::uint32_t(m.tensors[m.input].shape.size()), 1, 1}, rng);
  m.tensors[r.output].zero_point = m.tensors[m.input].zero_point;
  m.layers.push_back(r);
  std::uint32_t t = add_gemm(m, r.output, pick(rng, 3, 9), rng);
  m.output = add_gemm(m, t, pick(rng, 2, 5), rng);
  return m;
}

inline Model random_add_model(Rng& rng) {
  Model m = empty_model({pick(rng, 1, 3), pick(rng, 3, 6), pick(rng, 3, 6)}, rng);
  const std::uint32_t c = pick(rng, 1, 4);
  const std::uint32_t a = add_conv(m, m.input, c, 3, 1, 1, 1, rng);
  const std::uint32_t b = add_conv(m, a, c, 1, 1, 0, 1, rng);
  Layer add;
  add.kind = LayerKind::kAdd;
  add.name = "add";
  add.inputs = {a, b};
  add.output = add_tensor(m, "sum", m.tensors[a].shape, rng);
  add.mult = {std::int64_t(1) << (m.shift - 1), std::int64_t(3) << (m.shift - 3)};
  m.layers.push_back(add);
  m.output = add.output;
  return m;
}

inline Model random_pool_model(Rng& rng) {
  Model m = empty_model({pick(rng, 1, 3), pick(rng, 4, 8), pick(rng, 4, 8)}, rng);
  std::uint32_t t = add_conv(m, m.input, pick(rng, 2, 4), 3, 1, 1, 1, rng);
  const Shape s = m.tensors[t].shape;
  Layer mp;
  mp.kind = LayerKind::kMaxPool;
  mp.name = "maxpool";
  mp.inputs = {t};
  mp.kernel_h = mp.kernel_w = 2;
  mp.stride_h = mp.stride_w = 2;
  mp.pad_b = mp.pad_r = s.h % 2;  // a window over the edge: fewer than four entries
  const Shape ms{s.c, conv_out_dim(s.h, 2, 2, 0, mp.pad_b), conv_out_dim(s.w, 2, 2, 0, mp.pad_r)};
  mp.output = add_tensor(m, "pooled", ms, rng);
  m.tensors[mp.output].zero_point = m.tensors[t].zero_point;
  m.layers.push_back(mp);
  Layer ap;
  ap.kind = LayerKind::kAvgPool;
  ap.name = "avgpool";
  ap.inputs = {mp.output};
  ap.kernel_h = ap.kernel_w = 2;
  ap.stride_h = ap.stride_w = 1;
  ap.output = add_tensor(m, "avg", {ms.c, ms.h - 1, ms.w - 1}, rng);
  ap.mult = {std::int64_t(1) << (m.shift - 2)};
  m.layers.push_back(ap);
  Layer gp;
  gp.kind = LayerKind::kGlobalAvgPool;
  gp.name = "gap";
  gp.inputs = {ap.output};
  const Shape as = m.tensors[ap.output].shape;
  gp.output = add_tensor(m, "gap.out", {as.c, 1, 1}, rng);
  gp.mult = {std::max<std::int64_t>(1, (std::int64_t(1) << m.shift) / (as.h * as.w))};
  m.layers.push_back(gp);
  m.output = gp.output;
  return m;
}

inline std::vector<std::uint8_t> random_input(const Model& m, Rng& rng) {
  std::vector<std::uint8_t> x(m.tensors[m.input].shape.size());
  for (auto& v : x) v = std::uint8_t(rng.uniform(256));
  return x;
}

}  // namespace verdict::nn::testing_models
