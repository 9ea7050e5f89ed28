#include "snark/nn/quantize.hpp"

#include <algorithm>
#include <cmath>

namespace verdict::nn {

namespace {

constexpr std::size_t kBins = 4096;
constexpr double kMinRange = 1e-6;
constexpr std::uint32_t kMaxShift = 30;
constexpr std::uint32_t kDefaultMaxShift = 24;  // what the circuit proves (snark/nn/circuit_layout.hpp)
constexpr std::int64_t kMaxMult = (std::int64_t(1) << 31) - 1;

Error at(const FloatLayer& l, std::size_t index, const std::string& what) {
  return Error{"layer " + std::to_string(index) + " ('" + l.name + "', " + l.op_type + "): " + what};
}

}  // namespace

std::vector<float> dequantize(const TensorInfo& tensor, std::span<const std::uint8_t> values) {
  std::vector<float> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    out[i] = float(tensor.scale * (double(values[i]) - tensor.zero_point));
  return out;
}

Result<Calibration> calibrate(const FloatModel& model, std::span<const std::vector<std::uint8_t>> inputs,
                              const CalibrationOptions& options) {
  if (inputs.empty()) return Error{"calibration needs at least one input"};
  if (!(options.percentile > 50.0 && options.percentile <= 100.0))
    return Error{"calibration percentile must be in (50, 100]"};
  if (auto st = model.validate(); !st.ok()) return st.error();
  const std::size_t n = model.tensors.size();
  Calibration cal;
  cal.ranges.assign(n, TensorRange{INFINITY, -INFINITY});
  auto run = [&](std::size_t i) -> Result<std::vector<std::vector<float>>> {
    auto t = model.run_all(pixels_to_float(inputs[i]));
    if (!t.ok()) return t.error().context("calibration input " + std::to_string(i));
    return t;
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto t = run(i);
    if (!t.ok()) return t.error();
    for (std::size_t k = 0; k < n; ++k)
      for (float v : (*t)[k]) {
        if (!std::isfinite(v))
          return Error{"calibration input " + std::to_string(i) + ": tensor '" + model.tensors[k].name +
                       "' has a non-finite value"};
        cal.ranges[k].lo = std::min(cal.ranges[k].lo, double(v));
        cal.ranges[k].hi = std::max(cal.ranges[k].hi, double(v));
      }
  }
  cal.inputs = inputs.size();
  if (options.percentile >= 100.0) return cal;
  // Second pass: a histogram over [min, max] per tensor, then both tails cut.
  std::vector<std::vector<std::uint64_t>> hist(n, std::vector<std::uint64_t>(kBins, 0));
  std::vector<std::uint64_t> count(n, 0);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto t = run(i);
    if (!t.ok()) return t.error();
    for (std::size_t k = 0; k < n; ++k) {
      const double lo = cal.ranges[k].lo, width = cal.ranges[k].hi - lo;
      for (float v : (*t)[k]) {
        std::size_t b = width > 0 ? std::size_t((double(v) - lo) / width * kBins) : 0;
        ++hist[k][std::min(b, kBins - 1)];
      }
      count[k] += (*t)[k].size();
    }
  }
  const double tail = (100.0 - options.percentile) / 100.0;
  for (std::size_t k = 0; k < n; ++k) {
    const double lo = cal.ranges[k].lo, width = cal.ranges[k].hi - lo;
    if (width <= 0) continue;
    const auto cut = std::uint64_t(std::floor(tail * double(count[k])));
    std::uint64_t acc = 0;
    std::size_t b_lo = 0, b_hi = kBins - 1;
    while (b_lo < kBins - 1 && acc + hist[k][b_lo] <= cut) acc += hist[k][b_lo++];
    acc = 0;
    while (b_hi > b_lo && acc + hist[k][b_hi] <= cut) acc += hist[k][b_hi--];
    cal.ranges[k].lo = lo + width * double(b_lo) / kBins;
    cal.ranges[k].hi = lo + width * double(b_hi + 1) / kBins;
  }
  return cal;
}

Result<Model> quantize(const FloatModel& fm, const Calibration& cal, const QuantizeOptions& options) {
  if (auto st = fm.validate(); !st.ok()) return st.error();
  if (cal.ranges.size() != fm.tensors.size())
    return Error{"the calibration has " + std::to_string(cal.ranges.size()) + " tensor ranges, the model " +
                 std::to_string(fm.tensors.size()) + " tensors"};
  if (options.shift > kMaxShift) return Error{"shift " + std::to_string(options.shift) + " is above 30"};
  Model q;
  q.name = options.name.empty() ? fm.name : options.name;
  q.input = fm.input;
  q.output = fm.output;
  q.tensors.resize(fm.tensors.size());
  for (std::size_t t = 0; t < fm.tensors.size(); ++t) {
    q.tensors[t].name = fm.tensors[t].name;
    q.tensors[t].shape = fm.tensors[t].shape;
  }
  // Output scales and zero points, layer by layer.
  q.tensors[fm.input].scale = 1.0 / 255.0;
  q.tensors[fm.input].zero_point = 0;
  auto affine = [&](std::uint32_t t) -> Status {
    double lo = std::min(cal.ranges[t].lo, 0.0), hi = std::max(cal.ranges[t].hi, 0.0);
    if (!std::isfinite(lo) || !std::isfinite(hi))
      return Error{"tensor '" + fm.tensors[t].name + "' has no finite calibrated range"};
    if (hi - lo < kMinRange) hi = lo + 1.0;
    const double scale = (hi - lo) / 255.0;
    q.tensors[t].scale = scale;
    q.tensors[t].zero_point = std::int32_t(std::clamp<double>(std::round(-lo / scale), 0, 255));
    return {};
  };
  for (const FloatLayer& l : fm.layers) {
    TensorInfo& out = q.tensors[l.output];
    const TensorInfo& in = q.tensors[l.inputs[0]];
    if (l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kReshape) {
      out.scale = in.scale;
      out.zero_point = in.zero_point;
    } else if (l.activation == Activation::kRelu6) {
      out.scale = 6.0 / 255.0;
      out.zero_point = 0;
    } else if (l.activation == Activation::kRelu) {
      double hi = cal.ranges[l.output].hi;
      if (!std::isfinite(hi)) return Error{"tensor '" + fm.tensors[l.output].name + "' has no finite calibrated range"};
      if (hi < kMinRange) hi = 1.0;
      out.scale = hi / 255.0;
      out.zero_point = 0;
    } else if (auto st = affine(l.output); !st.ok()) {
      return st.error();
    }
  }
  // Weights, biases and the real-valued multipliers.
  std::vector<std::vector<double>> ratios(fm.layers.size());
  for (std::size_t i = 0; i < fm.layers.size(); ++i) {
    const FloatLayer& fl = fm.layers[i];
    Layer l;
    l.kind = fl.kind;
    l.name = fl.name;
    l.inputs = fl.inputs;
    l.output = fl.output;
    l.kernel_h = fl.kernel_h;
    l.kernel_w = fl.kernel_w;
    l.stride_h = fl.stride_h;
    l.stride_w = fl.stride_w;
    l.pad_t = fl.pad_t;
    l.pad_l = fl.pad_l;
    l.pad_b = fl.pad_b;
    l.pad_r = fl.pad_r;
    l.groups = fl.groups;
    l.clamp_lo = 0;
    l.clamp_hi = 255;
    const double s_x = q.tensors[fl.inputs[0]].scale, s_y = q.tensors[fl.output].scale;
    switch (fl.kind) {
      case LayerKind::kConv:
      case LayerKind::kGemm: {
        const std::size_t cout = fl.bias.size(), per = fl.weights.size() / cout;
        l.weights.resize(fl.weights.size());
        l.bias.resize(cout);
        for (std::size_t co = 0; co < cout; ++co) {
          double m = 0;
          for (std::size_t k = 0; k < per; ++k) m = std::max(m, std::abs(double(fl.weights[co * per + k])));
          const double s_w = m > 0 ? m / 127.0 : 1.0;
          for (std::size_t k = 0; k < per; ++k)
            l.weights[co * per + k] =
                std::int8_t(std::clamp<double>(std::round(double(fl.weights[co * per + k]) / s_w), -127, 127));
          const double b = std::round(double(fl.bias[co]) / (s_w * s_x));
          if (!(std::abs(b) < 2147483647.0))
            return at(fl, i, "the bias of channel " + std::to_string(co) + " does not fit int32 at scale " +
                                 std::to_string(s_w * s_x));
          l.bias[co] = std::int32_t(b);
          ratios[i].push_back(s_w * s_x / s_y);
        }
        break;
      }
      case LayerKind::kAdd:
        ratios[i] = {q.tensors[fl.inputs[0]].scale / s_y, q.tensors[fl.inputs[1]].scale / s_y};
        break;
      case LayerKind::kAvgPool:
        ratios[i] = {s_x / (s_y * fl.kernel_h * fl.kernel_w)};
        break;
      case LayerKind::kGlobalAvgPool: {
        const Shape is = fm.tensors[fl.inputs[0]].shape;
        ratios[i] = {s_x / (s_y * double(is.h) * is.w)};
        break;
      }
      case LayerKind::kMaxPool:
      case LayerKind::kReshape:
        break;
    }
    q.layers.push_back(std::move(l));
  }
  // The shift: the largest S <= 24 (the circuit's limit) with every multiplier below 2^31.
  double r_max = 0;
  for (const auto& rs : ratios)
    for (double r : rs) r_max = std::max(r_max, r);
  std::uint32_t shift = options.shift;
  if (shift == 0) {
    for (std::uint32_t s = kDefaultMaxShift; s >= 1 && shift == 0; --s)
      if (std::llround(std::ldexp(r_max, int(s))) <= kMaxMult) shift = s;
    if (shift == 0)
      return Error{"no shift in [1, 30] keeps the largest multiplier ratio " + std::to_string(r_max) + " below 2^31"};
  }
  q.shift = shift;
  for (std::size_t i = 0; i < fm.layers.size(); ++i)
    for (std::size_t c = 0; c < ratios[i].size(); ++c) {
      const double r = ratios[i][c];
      const double m = std::round(std::ldexp(r, int(shift)));
      if (!(m >= 1 && m <= double(kMaxMult)))
        return at(fm.layers[i], i, "multiplier " + std::to_string(c) + " (ratio " + std::to_string(r) + ") is outside [1, 2^31) at shift " +
                                       std::to_string(shift));
      q.layers[i].mult.push_back(std::int64_t(m));
    }
  if (auto st = q.validate(); !st.ok()) return st.error().context("quantized model");
  return q;
}

Result<Model> quantize(const FloatModel& model, std::span<const std::vector<std::uint8_t>> calibration_inputs,
                       const QuantizeOptions& options, const CalibrationOptions& calibration_options) {
  auto cal = calibrate(model, calibration_inputs, calibration_options);
  if (!cal.ok()) return cal.error();
  return quantize(model, *cal, options);
}

}  // namespace verdict::nn
