#include "snark/nn/float_model.hpp"

#include <algorithm>
#include <cmath>

namespace verdict::nn {

std::string to_string(Activation a) {
  switch (a) {
    case Activation::kNone:
      return "none";
    case Activation::kRelu:
      return "relu";
    case Activation::kRelu6:
      return "relu6";
  }
  return "activation " + std::to_string(int(a));
}

std::string to_string(LayerKind k) {
  switch (k) {
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kGemm:
      return "gemm";
    case LayerKind::kAdd:
      return "add";
    case LayerKind::kAvgPool:
      return "avgpool";
    case LayerKind::kGlobalAvgPool:
      return "globalavgpool";
    case LayerKind::kMaxPool:
      return "maxpool";
    case LayerKind::kReshape:
      return "reshape";
  }
  return "layer kind " + std::to_string(int(k));
}

std::vector<float> pixels_to_float(std::span<const std::uint8_t> pixels) {
  std::vector<float> out(pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i) out[i] = float(pixels[i]) / 255.0f;
  return out;
}

std::size_t argmax(std::span<const float> values) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < values.size(); ++i)
    if (values[i] > values[best]) best = i;
  return best;
}

std::size_t argmax(std::span<const std::uint8_t> values) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < values.size(); ++i)
    if (values[i] > values[best]) best = i;
  return best;
}

std::uint64_t FloatModel::macs() const {
  std::uint64_t n = 0;
  for (const FloatLayer& l : layers) {
    if (l.kind != LayerKind::kConv && l.kind != LayerKind::kGemm) continue;
    if (l.output >= tensors.size()) continue;
    const Shape out = tensors[l.output].shape;
    n += l.kind == LayerKind::kConv ? std::uint64_t(out.size()) * (out.c ? l.weights.size() / out.c : 0)
                                    : std::uint64_t(l.weights.size());
  }
  return n;
}

std::size_t FloatModel::num_parameters() const {
  std::size_t n = 0;
  for (const FloatLayer& l : layers) n += l.weights.size() + l.bias.size();
  return n;
}

namespace {

Error at(const FloatLayer& l, std::size_t index, const std::string& what) {
  return Error{"layer " + std::to_string(index) + " ('" + l.name + "', " + l.op_type + "): " + what};
}

bool all_finite(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

}  // namespace

Status FloatModel::validate() const {
  if (tensors.empty()) return Error{"float model has no tensors"};
  if (input >= tensors.size() || output >= tensors.size()) return Error{"model input or output tensor id out of range"};
  std::vector<std::uint8_t> defined(tensors.size(), 0);
  defined[input] = 1;
  for (const FloatTensor& t : tensors)
    if (t.shape.size() == 0 || t.shape.size() > (std::size_t(1) << 28))
      return Error{"tensor '" + t.name + "' has an empty or oversized shape " + t.shape.to_string()};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const FloatLayer& l = layers[i];
    if (l.output >= tensors.size()) return at(l, i, "output tensor id out of range");
    if (defined[l.output]) return at(l, i, "output tensor '" + tensors[l.output].name + "' is written twice");
    const std::size_t want_inputs = l.kind == LayerKind::kAdd ? 2 : 1;
    if (l.inputs.size() != want_inputs) return at(l, i, "expects " + std::to_string(want_inputs) + " input(s)");
    for (std::uint32_t in : l.inputs) {
      if (in >= tensors.size()) return at(l, i, "input tensor id out of range");
      if (!defined[in]) return at(l, i, "input tensor '" + tensors[in].name + "' is used before it is computed");
    }
    if (l.activation != Activation::kNone && l.kind != LayerKind::kConv && l.kind != LayerKind::kGemm &&
        l.kind != LayerKind::kAdd)
      return at(l, i, "only conv, gemm and add layers carry an activation");
    if (int(l.activation) > 2) return at(l, i, "unknown activation");
    if (!all_finite(l.weights) || !all_finite(l.bias)) return at(l, i, "non-finite weight or bias");
    const Shape in = tensors[l.inputs[0]].shape, out = tensors[l.output].shape;
    auto check_window = [&]() -> Status {
      const std::string why = window_mismatch(in, out, l.kernel_h, l.kernel_w, l.stride_h, l.stride_w, l.pad_t, l.pad_l,
                                              l.pad_b, l.pad_r);
      if (!why.empty()) return at(l, i, why);
      return {};
    };
    switch (l.kind) {
      case LayerKind::kConv: {
        if (l.groups == 0 || in.c % l.groups || out.c % l.groups)
          return at(l, i, "groups " + std::to_string(l.groups) + " does not divide the channels");
        if (auto st = check_window(); !st.ok()) return st;
        const std::size_t per = std::size_t(in.c / l.groups) * l.kernel_h * l.kernel_w;
        if (l.weights.size() != out.c * per) return at(l, i, "weights have the wrong size");
        if (l.bias.size() != out.c) return at(l, i, "bias has the wrong size");
        break;
      }
      case LayerKind::kGemm:
        if (!(out == Shape{out.c, 1, 1})) return at(l, i, "output must be a vector");
        if (l.weights.size() != std::size_t(out.c) * in.size()) return at(l, i, "weights have the wrong size");
        if (l.bias.size() != out.c) return at(l, i, "bias has the wrong size");
        break;
      case LayerKind::kAdd:
        if (!(tensors[l.inputs[1]].shape == in) || !(out == in)) return at(l, i, "operands and output must share a shape");
        break;
      case LayerKind::kAvgPool:
        if (l.pad_t || l.pad_l || l.pad_b || l.pad_r) return at(l, i, "padded average pooling is not supported");
        [[fallthrough]];
      case LayerKind::kMaxPool:
        if (out.c != in.c) return at(l, i, "pooling changes the channel count");
        if (l.pad_t >= l.kernel_h || l.pad_b >= l.kernel_h || l.pad_l >= l.kernel_w || l.pad_r >= l.kernel_w)
          return at(l, i, "pooling padding must be smaller than the kernel");
        if (auto st = check_window(); !st.ok()) return st;
        break;
      case LayerKind::kGlobalAvgPool:
        if (!(out == Shape{in.c, 1, 1})) return at(l, i, "output must be [C, 1, 1]");
        break;
      case LayerKind::kReshape:
        if (out.size() != in.size()) return at(l, i, "reshape changes the element count");
        break;
      default:
        return at(l, i, "unknown layer kind " + std::to_string(int(l.kind)));
    }
    if (l.kind != LayerKind::kConv && l.kind != LayerKind::kGemm && (!l.weights.empty() || !l.bias.empty()))
      return at(l, i, "only conv and gemm layers have weights");
    defined[l.output] = 1;
  }
  if (!defined[output]) return Error{"the model's output tensor is never computed"};
  return {};
}

namespace {

float activate(double v, Activation a) {
  switch (a) {
    case Activation::kRelu:
      return float(std::max(v, 0.0));
    case Activation::kRelu6:
      return float(std::clamp(v, 0.0, 6.0));
    case Activation::kNone:
      break;
  }
  return float(v);
}

}  // namespace

Result<std::vector<std::vector<float>>> FloatModel::run_all(std::span<const float> x_in) const {
  if (auto st = validate(); !st.ok()) return st.error();
  const Shape in_shape = tensors[input].shape;
  if (x_in.size() != in_shape.size())
    return Error{"input has " + std::to_string(x_in.size()) + " values, the model expects " + in_shape.to_string()};
  for (std::size_t i = 0; i < x_in.size(); ++i)
    if (!std::isfinite(x_in[i])) return Error{"input value " + std::to_string(i) + " is not finite"};
  std::vector<std::vector<float>> t(tensors.size());
  t[input].assign(x_in.begin(), x_in.end());
  for (const FloatLayer& l : layers) {
    const Shape is = tensors[l.inputs[0]].shape, os = tensors[l.output].shape;
    const std::vector<float>& x = t[l.inputs[0]];
    std::vector<float> y(os.size());
    switch (l.kind) {
      case LayerKind::kConv: {
        const std::uint32_t cig = is.c / l.groups, cog = os.c / l.groups;
        std::vector<double> acc(std::size_t(os.h) * os.w);
        for (std::uint32_t co = 0; co < os.c; ++co) {
          const std::uint32_t g = co / cog;
          std::fill(acc.begin(), acc.end(), double(l.bias[co]));
          // Loop order: weight outer, output position inner (cache friendly, same sum).
          for (std::uint32_t ci = 0; ci < cig; ++ci)
            for (std::uint32_t dy = 0; dy < l.kernel_h; ++dy)
              for (std::uint32_t dx = 0; dx < l.kernel_w; ++dx) {
                const double w = l.weights[((std::size_t(co) * cig + ci) * l.kernel_h + dy) * l.kernel_w + dx];
                const float* plane = x.data() + std::size_t(g * cig + ci) * is.h * is.w;
                for (std::uint32_t oy = 0; oy < os.h; ++oy) {
                  const std::int64_t iy = std::int64_t(oy) * l.stride_h + dy - l.pad_t;
                  if (iy < 0 || iy >= is.h) continue;
                  double* row = acc.data() + std::size_t(oy) * os.w;
                  const float* in_row = plane + std::size_t(iy) * is.w;
                  for (std::uint32_t ox = 0; ox < os.w; ++ox) {
                    const std::int64_t ix = std::int64_t(ox) * l.stride_w + dx - l.pad_l;
                    if (ix < 0 || ix >= is.w) continue;
                    row[ox] += w * in_row[ix];
                  }
                }
              }
          for (std::size_t p = 0; p < acc.size(); ++p) y[co * acc.size() + p] = activate(acc[p], l.activation);
        }
        break;
      }
      case LayerKind::kGemm: {
        const std::size_t k = is.size();
        for (std::uint32_t co = 0; co < os.c; ++co) {
          double acc = l.bias[co];
          const float* w = l.weights.data() + co * k;
          for (std::size_t j = 0; j < k; ++j) acc += double(w[j]) * x[j];
          y[co] = activate(acc, l.activation);
        }
        break;
      }
      case LayerKind::kAdd: {
        const std::vector<float>& x1 = t[l.inputs[1]];
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = activate(double(x[i]) + double(x1[i]), l.activation);
        break;
      }
      case LayerKind::kAvgPool:
      case LayerKind::kMaxPool: {
        for (std::uint32_t c = 0; c < os.c; ++c)
          for (std::uint32_t oy = 0; oy < os.h; ++oy)
            for (std::uint32_t ox = 0; ox < os.w; ++ox) {
              double sum = 0;
              float best = -INFINITY;
              for (std::uint32_t dy = 0; dy < l.kernel_h; ++dy)
                for (std::uint32_t dx = 0; dx < l.kernel_w; ++dx) {
                  const std::int64_t iy = std::int64_t(oy) * l.stride_h + dy - l.pad_t;
                  const std::int64_t ix = std::int64_t(ox) * l.stride_w + dx - l.pad_l;
                  if (iy < 0 || ix < 0 || iy >= is.h || ix >= is.w) continue;
                  const float v = x[(std::size_t(c) * is.h + iy) * is.w + ix];
                  sum += v;
                  best = std::max(best, v);
                }
              y[(std::size_t(c) * os.h + oy) * os.w + ox] =
                  l.kind == LayerKind::kMaxPool ? best : float(sum / (double(l.kernel_h) * l.kernel_w));
            }
        break;
      }
      case LayerKind::kGlobalAvgPool: {
        const std::size_t hw = std::size_t(is.h) * is.w;
        for (std::uint32_t c = 0; c < is.c; ++c) {
          double sum = 0;
          for (std::size_t p = 0; p < hw; ++p) sum += x[c * hw + p];
          y[c] = float(sum / double(hw));
        }
        break;
      }
      case LayerKind::kReshape:
        y = x;
        break;
    }
    t[l.output] = std::move(y);
  }
  return t;
}

Result<std::vector<float>> FloatModel::run(std::span<const float> input_values) const {
  auto all = run_all(input_values);
  if (!all.ok()) return all.error();
  return std::move((*all)[output]);
}

}  // namespace verdict::nn
