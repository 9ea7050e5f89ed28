#include "snark/nn/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/codec.hpp"

namespace verdict::nn {

std::string Shape::to_string() const {
  return "[" + std::to_string(c) + ", " + std::to_string(h) + ", " + std::to_string(w) + "]";
}

std::uint32_t conv_out_dim(std::uint32_t in, std::uint32_t kernel, std::uint32_t stride, std::uint32_t pad_lo,
                           std::uint32_t pad_hi) {
  std::int64_t span = std::int64_t(in) + pad_lo + pad_hi - kernel;
  if (span < 0 || stride == 0) return 0;
  return std::uint32_t(span / stride + 1);
}

std::size_t Model::num_parameters() const {
  std::size_t n = 0;
  for (const Layer& l : layers) n += l.weights.size() + l.bias.size();
  return n;
}

namespace {

constexpr std::int64_t kMaxMult = (std::int64_t(1) << 31) - 1;

Error at(const Layer& l, std::size_t index, const std::string& what) {
  return Error{"layer " + std::to_string(index) + " ('" + l.name + "'): " + what};
}

}  // namespace

std::string window_mismatch(Shape in, Shape out, std::uint32_t kernel_h, std::uint32_t kernel_w, std::uint32_t stride_h,
                            std::uint32_t stride_w, std::uint32_t pad_t, std::uint32_t pad_l, std::uint32_t pad_b,
                            std::uint32_t pad_r) {
  if (kernel_h == 0 || kernel_w == 0 || stride_h == 0 || stride_w == 0) return "zero kernel or stride";
  if (kernel_h > 64 || kernel_w > 64 || stride_h > 64 || stride_w > 64 || pad_t > 64 || pad_l > 64 || pad_b > 64 ||
      pad_r > 64)
    return "kernel, stride or padding above 64";
  const Shape expect{out.c, conv_out_dim(in.h, kernel_h, stride_h, pad_t, pad_b), conv_out_dim(in.w, kernel_w, stride_w, pad_l, pad_r)};
  if (expect.h == 0 || expect.w == 0) return "the window does not fit the input " + in.to_string();
  if (!(expect == out)) return "output shape " + out.to_string() + ", expected " + expect.to_string();
  return "";
}

Status Model::validate() const {
  if (tensors.empty()) return Error{"model has no tensors"};
  if (shift < 1 || shift > 40) return Error{"model shift " + std::to_string(shift) + " outside [1, 40]"};
  if (input >= tensors.size() || output >= tensors.size()) return Error{"model input or output tensor id out of range"};
  std::vector<std::uint8_t> defined(tensors.size(), 0);
  defined[input] = 1;
  for (const TensorInfo& t : tensors) {
    constexpr std::uint32_t kMaxDim = 1u << 20;  // bounds size() below 2^60: no wrap-around
    if (t.shape.c > kMaxDim || t.shape.h > kMaxDim || t.shape.w > kMaxDim || t.shape.size() == 0 ||
        t.shape.size() > (std::size_t(1) << 28))
      return Error{"tensor '" + t.name + "' has an empty or oversized shape " + t.shape.to_string()};
    if (t.zero_point < 0 || t.zero_point > 255) return Error{"tensor '" + t.name + "' zero point outside [0, 255]"};
    if (!std::isfinite(t.scale) || t.scale <= 0) return Error{"tensor '" + t.name + "' has a non-positive or non-finite scale"};
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    if (l.output >= tensors.size()) return at(l, i, "output tensor id out of range");
    if (defined[l.output]) return at(l, i, "output tensor '" + tensors[l.output].name + "' is written twice");
    for (std::uint32_t in : l.inputs) {
      if (in >= tensors.size()) return at(l, i, "input tensor id out of range");
      if (!defined[in]) return at(l, i, "input tensor '" + tensors[in].name + "' is used before it is computed");
    }
    if (l.clamp_lo < 0 || l.clamp_hi > 255 || l.clamp_lo > l.clamp_hi) return at(l, i, "clamp bounds outside [0, 255]");
    const std::size_t want_inputs = l.kind == LayerKind::kAdd ? 2 : 1;
    if (l.inputs.size() != want_inputs) return at(l, i, "expects " + std::to_string(want_inputs) + " input(s)");
    const Shape in = tensors[l.inputs[0]].shape, out = tensors[l.output].shape;
    for (std::int64_t m : l.mult)
      if (m < 1 || m > kMaxMult) return at(l, i, "requantization multiplier outside [1, 2^31)");
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
        if (l.bias.size() != out.c || l.mult.size() != out.c) return at(l, i, "bias or multipliers have the wrong size");
        for (std::uint32_t co = 0; co < out.c; ++co) {  // |acc| < 2^31 for every uint8 input
          std::int64_t bound = std::abs(std::int64_t(l.bias[co]));
          for (std::size_t k = 0; k < per; ++k) bound += 255 * std::abs(std::int64_t(l.weights[co * per + k]));
          if (bound >= (std::int64_t(1) << 31)) return at(l, i, "an accumulator can exceed int32");
        }
        break;
      }
      case LayerKind::kGemm: {
        const std::size_t k = in.size();
        if (!(out == Shape{out.c, 1, 1})) return at(l, i, "output must be a vector");
        if (l.weights.size() != std::size_t(out.c) * k) return at(l, i, "weights have the wrong size");
        if (l.bias.size() != out.c || l.mult.size() != out.c) return at(l, i, "bias or multipliers have the wrong size");
        for (std::uint32_t co = 0; co < out.c; ++co) {
          std::int64_t bound = std::abs(std::int64_t(l.bias[co]));
          for (std::size_t j = 0; j < k; ++j) bound += 255 * std::abs(std::int64_t(l.weights[co * k + j]));
          if (bound >= (std::int64_t(1) << 31)) return at(l, i, "an accumulator can exceed int32");
        }
        break;
      }
      case LayerKind::kAdd:
        if (!(tensors[l.inputs[1]].shape == in) || !(out == in)) return at(l, i, "operands and output must share a shape");
        if (l.mult.size() != 2) return at(l, i, "expects two input multipliers");
        break;
      case LayerKind::kAvgPool:
        if (l.pad_t || l.pad_l || l.pad_b || l.pad_r) return at(l, i, "padded average pooling is not supported");
        if (out.c != in.c) return at(l, i, "pooling changes the channel count");
        if (auto st = check_window(); !st.ok()) return st;
        if (l.mult.size() != 1) return at(l, i, "expects one multiplier");
        break;
      case LayerKind::kGlobalAvgPool:
        if (!(out == Shape{in.c, 1, 1})) return at(l, i, "output must be [C, 1, 1]");
        if (l.mult.size() != 1) return at(l, i, "expects one multiplier");
        if (255 * std::uint64_t(in.h) * in.w >= (std::uint64_t(1) << 31))  // |acc| < 2^31, as for conv
          return at(l, i, "an accumulator can exceed int32 (" + std::to_string(std::uint64_t(in.h) * in.w) + " positions)");
        break;
      case LayerKind::kMaxPool:
        if (out.c != in.c) return at(l, i, "pooling changes the channel count");
        if (auto st = check_window(); !st.ok()) return st;
        if (tensors[l.output].zero_point != tensors[l.inputs[0]].zero_point)
          return at(l, i, "max pooling must keep the input's zero point");
        break;
      case LayerKind::kReshape:
        if (out.size() != in.size()) return at(l, i, "reshape changes the element count");
        if (tensors[l.output].zero_point != tensors[l.inputs[0]].zero_point)
          return at(l, i, "reshape must keep the input's zero point");
        break;
      default:
        return at(l, i, "unknown layer kind " + std::to_string(int(l.kind)));
    }
    if ((l.kind == LayerKind::kConv || l.kind == LayerKind::kGemm) && l.weights.end() !=
        std::find(l.weights.begin(), l.weights.end(), std::int8_t(-128)))
      return at(l, i, "weight -128 (symmetric int8 weights are in [-127, 127])");
    defined[l.output] = 1;
  }
  if (!defined[output]) return Error{"the model's output tensor is never computed"};
  return {};
}

namespace {

std::uint8_t requantize(std::int64_t acc, std::int64_t mult, std::uint32_t shift, std::int32_t zero_point,
                        std::int32_t lo, std::int32_t hi) {
  std::int64_t v = ((acc * mult + (std::int64_t(1) << (shift - 1))) >> shift) + zero_point;  // >> floors (C++20)
  return std::uint8_t(std::clamp<std::int64_t>(v, lo, hi));
}

}  // namespace

Result<std::vector<std::vector<std::uint8_t>>> run_reference(const Model& model, std::span<const std::uint8_t> input) {
  if (auto st = model.validate(); !st.ok()) return st.error();
  const Shape in_shape = model.tensors[model.input].shape;
  if (input.size() != in_shape.size())
    return Error{"input has " + std::to_string(input.size()) + " values, the model expects " + in_shape.to_string()};
  std::vector<std::vector<std::uint8_t>> t(model.tensors.size());
  t[model.input].assign(input.begin(), input.end());
  for (const Layer& l : model.layers) {
    const TensorInfo& ti = model.tensors[l.inputs[0]];
    const TensorInfo& to = model.tensors[l.output];
    const std::vector<std::uint8_t>& x = t[l.inputs[0]];
    std::vector<std::uint8_t> y(to.shape.size());
    const std::int32_t zx = ti.zero_point, zy = to.zero_point;
    const Shape is = ti.shape, os = to.shape;
    switch (l.kind) {
      case LayerKind::kConv: {
        const std::uint32_t cig = is.c / l.groups, cog = os.c / l.groups;
        for (std::uint32_t co = 0; co < os.c; ++co) {
          const std::uint32_t g = co / cog;
          for (std::uint32_t oy = 0; oy < os.h; ++oy)
            for (std::uint32_t ox = 0; ox < os.w; ++ox) {
              std::int64_t acc = l.bias[co];
              for (std::uint32_t ci = 0; ci < cig; ++ci)
                for (std::uint32_t dy = 0; dy < l.kernel_h; ++dy)
                  for (std::uint32_t dx = 0; dx < l.kernel_w; ++dx) {
                    std::int64_t iy = std::int64_t(oy) * l.stride_h + dy - l.pad_t;
                    std::int64_t ix = std::int64_t(ox) * l.stride_w + dx - l.pad_l;
                    if (iy < 0 || ix < 0 || iy >= is.h || ix >= is.w) continue;  // padding: (z - z) = 0
                    std::int64_t w = l.weights[((std::size_t(co) * cig + ci) * l.kernel_h + dy) * l.kernel_w + dx];
                    std::int64_t v = x[(std::size_t(g * cig + ci) * is.h + iy) * is.w + ix];
                    acc += w * (v - zx);
                  }
              y[(std::size_t(co) * os.h + oy) * os.w + ox] =
                  requantize(acc, l.mult[co], model.shift, zy, l.clamp_lo, l.clamp_hi);
            }
        }
        break;
      }
      case LayerKind::kGemm: {
        const std::size_t k = is.size();
        for (std::uint32_t co = 0; co < os.c; ++co) {
          std::int64_t acc = l.bias[co];
          for (std::size_t j = 0; j < k; ++j) acc += std::int64_t(l.weights[co * k + j]) * (std::int64_t(x[j]) - zx);
          y[co] = requantize(acc, l.mult[co], model.shift, zy, l.clamp_lo, l.clamp_hi);
        }
        break;
      }
      case LayerKind::kAdd: {
        const std::vector<std::uint8_t>& x1 = t[l.inputs[1]];
        const std::int32_t z1 = model.tensors[l.inputs[1]].zero_point;
        for (std::size_t i = 0; i < y.size(); ++i) {
          std::int64_t acc = (std::int64_t(x[i]) - zx) * l.mult[0] + (std::int64_t(x1[i]) - z1) * l.mult[1];
          y[i] = requantize(acc, 1, model.shift, zy, l.clamp_lo, l.clamp_hi);
        }
        break;
      }
      case LayerKind::kAvgPool:
      case LayerKind::kMaxPool: {
        for (std::uint32_t c = 0; c < os.c; ++c)
          for (std::uint32_t oy = 0; oy < os.h; ++oy)
            for (std::uint32_t ox = 0; ox < os.w; ++ox) {
              std::int64_t acc = 0;
              std::int32_t best = -1;
              for (std::uint32_t dy = 0; dy < l.kernel_h; ++dy)
                for (std::uint32_t dx = 0; dx < l.kernel_w; ++dx) {
                  std::int64_t iy = std::int64_t(oy) * l.stride_h + dy - l.pad_t;
                  std::int64_t ix = std::int64_t(ox) * l.stride_w + dx - l.pad_l;
                  if (iy < 0 || ix < 0 || iy >= is.h || ix >= is.w) continue;
                  std::int32_t v = x[(std::size_t(c) * is.h + iy) * is.w + ix];
                  acc += v - zx;
                  best = std::max(best, v);
                }
              std::size_t o = (std::size_t(c) * os.h + oy) * os.w + ox;
              y[o] = l.kind == LayerKind::kMaxPool
                         ? std::uint8_t(std::clamp(best, l.clamp_lo, l.clamp_hi))
                         : requantize(acc, l.mult[0], model.shift, zy, l.clamp_lo, l.clamp_hi);
            }
        break;
      }
      case LayerKind::kGlobalAvgPool: {
        const std::size_t hw = std::size_t(is.h) * is.w;
        for (std::uint32_t c = 0; c < is.c; ++c) {
          std::int64_t acc = 0;
          for (std::size_t p = 0; p < hw; ++p) acc += std::int64_t(x[c * hw + p]) - zx;
          y[c] = requantize(acc, l.mult[0], model.shift, zy, l.clamp_lo, l.clamp_hi);
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

// ---- encoding ----

namespace {
constexpr char kMagic[4] = {'V', 'N', 'N', 'M'};
constexpr std::uint16_t kVersion = 1;
constexpr std::uint32_t kMaxTensors = 1 << 16;
constexpr std::size_t kMaxName = 256;
}  // namespace

std::vector<std::uint8_t> Model::to_bytes() const {
  codec::Writer w;
  w.raw(std::span(reinterpret_cast<const std::uint8_t*>(kMagic), 4));
  w.u16(kVersion);
  w.str(name);
  w.u32(shift);
  w.u32(std::uint32_t(tensors.size()));
  for (const TensorInfo& t : tensors) {
    w.str(t.name);
    w.u32(t.shape.c);
    w.u32(t.shape.h);
    w.u32(t.shape.w);
    std::uint64_t bits;
    std::memcpy(&bits, &t.scale, 8);
    w.u64(bits);
    w.u32(std::uint32_t(t.zero_point));
  }
  w.u32(std::uint32_t(layers.size()));
  for (const Layer& l : layers) {
    w.u8(std::uint8_t(l.kind));
    w.str(l.name);
    w.u32(std::uint32_t(l.inputs.size()));
    for (std::uint32_t in : l.inputs) w.u32(in);
    w.u32(l.output);
    for (std::uint32_t v : {l.kernel_h, l.kernel_w, l.stride_h, l.stride_w, l.pad_t, l.pad_l, l.pad_b, l.pad_r, l.groups})
      w.u32(v);
    w.bytes(std::span(reinterpret_cast<const std::uint8_t*>(l.weights.data()), l.weights.size()));
    w.u32(std::uint32_t(l.bias.size()));
    for (std::int32_t b : l.bias) w.u32(std::uint32_t(b));
    w.u32(std::uint32_t(l.mult.size()));
    for (std::int64_t m : l.mult) w.i64(m);
    w.u32(std::uint32_t(l.clamp_lo));
    w.u32(std::uint32_t(l.clamp_hi));
  }
  w.u32(input);
  w.u32(output);
  return w.take();
}

Result<Model> Model::from_bytes(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  auto magic = r.fixed<4>();
  if (!r.ok() || std::memcmp(magic.data(), kMagic, 4) != 0) return Error{"model file: bad magic (not a verdict model)"};
  std::uint16_t version = r.u16();
  if (version != kVersion) return Error{"model file: unsupported version " + std::to_string(version)};
  Model m;
  m.name = r.str(kMaxName);
  m.shift = r.u32();
  std::uint32_t nt = r.count(kMaxTensors, 24);
  for (std::uint32_t i = 0; i < nt && r.ok(); ++i) {
    TensorInfo t;
    t.name = r.str(kMaxName);
    t.shape = {r.u32(), r.u32(), r.u32()};
    std::uint64_t bits = r.u64();
    std::memcpy(&t.scale, &bits, 8);
    t.zero_point = std::int32_t(r.u32());
    m.tensors.push_back(std::move(t));
  }
  std::uint32_t nl = r.count(kMaxTensors, 48);
  for (std::uint32_t i = 0; i < nl && r.ok(); ++i) {
    Layer l;
    l.kind = LayerKind(r.u8());
    l.name = r.str(kMaxName);
    std::uint32_t ni = r.count(4, 4);
    for (std::uint32_t j = 0; j < ni; ++j) l.inputs.push_back(r.u32());
    l.output = r.u32();
    for (std::uint32_t* v : {&l.kernel_h, &l.kernel_w, &l.stride_h, &l.stride_w, &l.pad_t, &l.pad_l, &l.pad_b, &l.pad_r,
                             &l.groups})
      *v = r.u32();
    auto wb = r.bytes(std::size_t(1) << 30);
    l.weights.assign(reinterpret_cast<const std::int8_t*>(wb.data()), reinterpret_cast<const std::int8_t*>(wb.data()) + wb.size());
    std::uint32_t nb = r.count(1u << 24, 4);
    for (std::uint32_t j = 0; j < nb; ++j) l.bias.push_back(std::int32_t(r.u32()));
    std::uint32_t nm = r.count(1u << 24, 8);
    for (std::uint32_t j = 0; j < nm; ++j) l.mult.push_back(r.i64());
    l.clamp_lo = std::int32_t(r.u32());
    l.clamp_hi = std::int32_t(r.u32());
    m.layers.push_back(std::move(l));
  }
  m.input = r.u32();
  m.output = r.u32();
  if (auto st = r.finish(); !st.ok()) return st.error().context("model file");
  if (auto st = m.validate(); !st.ok()) return st.error().context("model file");
  return m;
}

}  // namespace verdict::nn
