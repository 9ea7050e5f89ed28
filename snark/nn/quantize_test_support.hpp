#pragma once
// Test support: the per-layer quantization error bound (docs/nn_import.md, "What the
// tests bound").
//
// For every layer, feed the dequantized quantized input x^ = s_x (q_x - z_x) of that
// layer (as run_reference computed it) to the float layer and compare with the
// quantized output q_y, in units of the output scale (LSB), after clamping the float
// value to the representable range (ReLU and ReLU6 are exactly that clamp):
//
//   (a) against the float layer with the dequantized weights w^ = s_w q_w and bias
//       b^ = s_w s_x q_b (what the integers compute, before requantization):
//         |q_y - z_y - y^/s_y| <= 1/2 + |acc| / 2^(S+1) + 1e-6 (1 + |y^|/s_y)
//       1/2 from round-half-up, |acc|/2^(S+1) from rounding the multiplier to an integer
//       (|m - r 2^S| <= 1/2, times |acc| / 2^S), the last term float slack;
//   (b) against the float layer with the float weights (the model as imported): (a) plus
//       the weight and bias rounding, (s_w/2) sum |x^| + s_w s_x / 2, over s_y.
// Add: acc = sum_i (q_i - z_i) m_i, so |acc|/2^(S+1) becomes sum_i |q_i - z_i| / 2^(S+1).
// Average pools: acc = sum (q - z). MaxPool and Reshape are exact.

#include <gtest/gtest.h>

#include <cmath>

#include "snark/nn/float_model.hpp"
#include "snark/nn/model.hpp"
#include "snark/nn/quantize.hpp"

namespace verdict::nn::testing {

struct BoundReport {
  double worst_a = 0, worst_b = 0;  // largest error / bound seen (<= 1 passes)
  double max_lsb_b = 0;             // largest error against the float weights, in LSB
  std::size_t elements = 0;
};

// A one-layer float model computing layer `fl` (activation removed) on a [in] input.
inline FloatModel single_layer(const FloatModel& fm, const FloatLayer& fl, std::vector<float> weights,
                               std::vector<float> bias) {
  FloatModel s;
  s.tensors = {fm.tensors[fl.inputs[0]], fm.tensors[fl.output]};
  FloatLayer l = fl;
  l.inputs = {0};
  l.output = 1;
  l.activation = Activation::kNone;
  l.weights = std::move(weights);
  l.bias = std::move(bias);
  s.layers = {l};
  s.input = 0;
  s.output = 1;
  return s;
}

inline std::vector<float> run_or_fail(const FloatModel& m, const std::vector<float>& x) {
  auto y = m.run(x);
  EXPECT_TRUE(y.ok()) << y.error().message;
  return y.ok() ? *y : std::vector<float>(m.tensors[m.output].shape.size(), 0.0f);
}

// Checks (a) and (b) for every layer and element on one input; accumulates the report.
inline void check_layer_bounds(const FloatModel& fm, const Model& q, std::span<const std::uint8_t> input,
                               BoundReport& report) {
  auto qt = run_reference(q, input);
  ASSERT_TRUE(qt.ok()) << qt.error().message;
  const double two_s1 = std::ldexp(1.0, int(q.shift) + 1);
  for (std::size_t i = 0; i < fm.layers.size(); ++i) {
    const FloatLayer& fl = fm.layers[i];
    const Layer& ql = q.layers[i];
    const TensorInfo &ti = q.tensors[fl.inputs[0]], &to = q.tensors[fl.output];
    const std::vector<std::uint8_t>& qx = (*qt)[fl.inputs[0]];
    const std::vector<std::uint8_t>& qy = (*qt)[fl.output];
    const std::vector<float> xh = dequantize(ti, qx);
    const std::size_t n = qy.size();
    std::vector<double> yh(n), yf(n), extra_a(n, 0.0), extra_b(n, 0.0);
    switch (fl.kind) {
      case LayerKind::kConv:
      case LayerKind::kGemm: {
        const std::size_t cout = fl.bias.size(), per = fl.weights.size() / cout;
        std::vector<float> wh(fl.weights.size()), bh(cout), ones(fl.weights.size(), 1.0f), sw(cout);
        for (std::size_t c = 0; c < cout; ++c) {
          double m = 0;
          for (std::size_t k = 0; k < per; ++k) m = std::max(m, std::abs(double(fl.weights[c * per + k])));
          sw[c] = float(m > 0 ? m / 127 : 1.0);
          for (std::size_t k = 0; k < per; ++k) wh[c * per + k] = float(double(sw[c]) * ql.weights[c * per + k]);
          bh[c] = float(double(sw[c]) * ti.scale * ql.bias[c]);
        }
        auto ya = run_or_fail(single_layer(fm, fl, wh, bh), xh);
        auto yb = run_or_fail(single_layer(fm, fl, fl.weights, fl.bias), xh);
        std::vector<float> ax(xh.size());
        for (std::size_t k = 0; k < xh.size(); ++k) ax[k] = std::abs(xh[k]);
        auto sum_abs = run_or_fail(single_layer(fm, fl, ones, std::vector<float>(cout, 0.0f)), ax);
        const std::size_t plane = n / cout;
        for (std::size_t j = 0; j < n; ++j) {
          const std::size_t c = j / plane;
          const double s_w = sw[c];
          yh[j] = ya[j];
          yf[j] = yb[j];
          const double acc = std::abs(ya[j]) / (s_w * ti.scale) + 1;
          // float slack of the one-layer float run: ~2^-24 per term of sum |w^ x^|.
          extra_a[j] = acc / two_s1 + 1e-6 * 127 * s_w * sum_abs[j] / to.scale;
          extra_b[j] = (s_w / 2 * sum_abs[j] + s_w * ti.scale / 2) / to.scale;
        }
        break;
      }
      case LayerKind::kAdd: {
        const TensorInfo& t1 = q.tensors[fl.inputs[1]];
        const std::vector<std::uint8_t>& qx1 = (*qt)[fl.inputs[1]];
        const std::vector<float> xh1 = dequantize(t1, qx1);
        for (std::size_t j = 0; j < n; ++j) {
          yh[j] = yf[j] = double(xh[j]) + double(xh1[j]);
          extra_a[j] = (std::abs(double(qx[j]) - ti.zero_point) + std::abs(double(qx1[j]) - t1.zero_point)) / two_s1;
        }
        break;
      }
      case LayerKind::kAvgPool:
      case LayerKind::kGlobalAvgPool: {
        auto y = run_or_fail(single_layer(fm, fl, {}, {}), xh);
        const double window = fl.kind == LayerKind::kAvgPool ? double(fl.kernel_h) * fl.kernel_w
                                                              : double(ti.shape.h) * ti.shape.w;
        for (std::size_t j = 0; j < n; ++j) {
          yh[j] = yf[j] = y[j];
          extra_a[j] = (std::abs(y[j]) / ti.scale * window + 1) / two_s1;
        }
        break;
      }
      case LayerKind::kMaxPool:
      case LayerKind::kReshape: {
        auto y = run_or_fail(single_layer(fm, fl, {}, {}), xh);
        for (std::size_t j = 0; j < n; ++j) yh[j] = yf[j] = y[j];
        break;
      }
    }
    for (std::size_t j = 0; j < n; ++j) {
      auto lsb = [&](double v) { return std::clamp(v / to.scale + to.zero_point, 0.0, 255.0); };
      const double slack = 1e-6 * (1 + std::abs(yh[j]) / to.scale);
      const bool exact = fl.kind == LayerKind::kMaxPool || fl.kind == LayerKind::kReshape;
      const double bound_a = exact ? slack : 0.5 + extra_a[j] + slack;
      const double bound_b = bound_a + extra_b[j];
      const double err_a = std::abs(double(qy[j]) - lsb(yh[j])), err_b = std::abs(double(qy[j]) - lsb(yf[j]));
      report.worst_a = std::max(report.worst_a, err_a / bound_a);
      report.worst_b = std::max(report.worst_b, err_b / bound_b);
      report.max_lsb_b = std::max(report.max_lsb_b, err_b);
      ++report.elements;
      if (err_a > bound_a || err_b > bound_b) {
        ADD_FAILURE() << "layer " << i << " ('" << fl.name << "', " << to_string(fl.kind) << ") element " << j
                      << ": quantized " << int(qy[j]) << ", float " << lsb(yh[j]) << " (bound " << bound_a
                      << "), float weights " << lsb(yf[j]) << " (bound " << bound_b << ")";
        return;
      }
    }
  }
}

}  // namespace verdict::nn::testing
