#pragma once
// The quantized model: verdict's IR for CNNs, and the exact integer semantics that
// the circuits prove (docs/nn.md).
//
// Tensors are activations of one image (batch 1), channel-major: a [C, H, W] tensor
// stores element (c, y, x) at c*H*W + y*W + x; vectors are [C, 1, 1]. Every tensor
// holds uint8 values q with an affine meaning real = scale * (q - zero_point).
//
// Layers (all outputs uint8, requantized and clamped to [clamp_lo, clamp_hi]):
//   kConv     acc[co][y][x] = bias[co] + sum_{ci in group, dy, dx}
//                             w[co][ci'][dy][dx] * (in[ci][y*s+dy-pad][x*s+dx-pad] - z_in)
//             (out-of-range input positions contribute 0: padding with z_in); groups
//             divide C_in and C_out (depthwise: groups = C_in = C_out)
//   kGemm     acc[co] = bias[co] + sum_k w[co][k] * (in[k] - z_in)  (in flattened)
//   kAdd      acc = (in0 - z0) * mult_in[0] + (in1 - z1) * mult_in[1]      (same shape)
//   kAvgPool  acc = sum over the k x k window (in - z_in), valid positions only
//             (no padding), mult already divided by k*k
//   kGlobalAvgPool  acc[c] = sum over all positions of (in[c] - z_in)
//   kMaxPool  out = max over the k x k window (no requantization; same scale and zero
//             point as the input)
//   kReshape  out = in (same values, new shape; element order unchanged)
// Requantization of acc (all but kMaxPool and kReshape):
//   out = clamp(floor((acc * m + 2^(S-1)) / 2^S) + z_out, clamp_lo, clamp_hi)
// with m = mult[co] (per output channel) for kConv and kGemm, m = 1 for kAdd (whose
// input multipliers already carry 2^S), m = mult[0] for the pools; S = Model::shift.
// Weights are int8 in [-127, 127] (symmetric, zero point 0), biases int32; all
// intermediate arithmetic fits in int64 (acc in int32, checked by validate()).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace verdict::nn {

struct Shape {
  std::uint32_t c = 1, h = 1, w = 1;
  std::size_t size() const { return std::size_t(c) * h * w; }
  friend bool operator==(const Shape&, const Shape&) = default;
  std::string to_string() const;
};

struct TensorInfo {
  std::string name;
  Shape shape;
  double scale = 1.0;      // informational (the float meaning); semantics use the integers below
  std::int32_t zero_point = 0;
};

enum class LayerKind : std::uint8_t { kConv = 0, kGemm = 1, kAdd = 2, kAvgPool = 3, kGlobalAvgPool = 4, kMaxPool = 5, kReshape = 6 };

struct Layer {
  LayerKind kind = LayerKind::kConv;
  std::string name;                 // the ONNX node name, for messages
  std::vector<std::uint32_t> inputs;  // tensor ids
  std::uint32_t output = 0;         // tensor id
  // kConv / pools: kernel, stride, padding (top, left, bottom, right), groups
  std::uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  std::uint32_t pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0, groups = 1;
  // kConv: [C_out][C_in/groups][kh][kw]; kGemm: [C_out][K]. int8 in [-127, 127].
  std::vector<std::int8_t> weights;
  std::vector<std::int32_t> bias;   // kConv, kGemm: [C_out]
  // Requantization: kConv/kGemm per output channel; kAdd the two input multipliers;
  // pools one multiplier. All in [1, 2^31).
  std::vector<std::int64_t> mult;
  std::int32_t clamp_lo = 0, clamp_hi = 255;
};

struct Model {
  std::string name;
  std::uint32_t shift = 24;          // S, shared by every layer
  std::vector<TensorInfo> tensors;
  std::vector<Layer> layers;         // in execution order
  std::uint32_t input = 0, output = 0;

  // Structural checks: ids, shapes per layer kind, weight and bias sizes, value ranges,
  // and that no accumulator can leave int32 for any uint8 input (static bound).
  Status validate() const;

  // Canonical binary encoding (docs/formats.md, "Quantized model"); decode validates.
  std::vector<std::uint8_t> to_bytes() const;
  static Result<Model> from_bytes(std::span<const std::uint8_t> bytes);

  std::size_t num_parameters() const;
};

// The integer reference inference: every tensor's values, tensors[input] = input.
// Requires a valid model and input.size() == the input tensor's size.
Result<std::vector<std::vector<std::uint8_t>>> run_reference(const Model& model, std::span<const std::uint8_t> input);

// Output-shape rule for convolutions and pools: floor((in + pads - kernel) / stride) + 1.
std::uint32_t conv_out_dim(std::uint32_t in, std::uint32_t kernel, std::uint32_t stride, std::uint32_t pad_lo,
                           std::uint32_t pad_hi);

// The window check of convolutions and pools, shared by the quantized and the float
// models: why kernel, stride and padding (each at most 64, kernel and stride non-zero)
// do not map `in` to `out` (same channel count), or an empty string when they do.
std::string window_mismatch(Shape in, Shape out, std::uint32_t kernel_h, std::uint32_t kernel_w, std::uint32_t stride_h,
                            std::uint32_t stride_w, std::uint32_t pad_t, std::uint32_t pad_l, std::uint32_t pad_b,
                            std::uint32_t pad_r);

}  // namespace verdict::nn
