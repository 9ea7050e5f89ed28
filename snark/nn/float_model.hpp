#pragma once
// The float graph: what ONNX import produces, before quantization (docs/nn_import.md).
//
// A FloatModel has exactly the structure of the quantized Model (model.hpp): the same
// tensors (batch 1, channel-major [C, H, W]), the same layer kinds in execution order,
// the same window parameters, so quantize() maps it layer by layer. What differs:
//   - weights and biases are float (BatchNormalization, per-channel Mul/Add/Sub by
//     constants and MatMul + Add are already folded in by the importer);
//   - activations are explicit: kConv, kGemm and kAdd carry a fused Activation (ReLU or
//     ReLU6), which the quantizer turns into the output range [0, max] or [0, 6];
//   - there is no requantization: every layer computes in double and stores float.
//
// Float semantics (y = activation(acc)):
//   kConv     acc[co][y][x] = bias[co] + sum_{ci in group, dy, dx}
//                             w[co][ci'][dy][dx] * in[ci][y*s+dy-pad][x*s+dx-pad]
//             (out-of-range positions contribute 0: zero padding)
//   kGemm     acc[co] = bias[co] + sum_k w[co][k] * in[k]            (in flattened)
//   kAdd      acc = in0 + in1                                        (same shape)
//   kAvgPool  mean over the k x k window (no padding: every position is valid)
//   kGlobalAvgPool  mean over all H*W positions of each channel
//   kMaxPool  max over the valid positions of the window (padding never wins)
//   kReshape  same values, new shape
// The model's input is the image as floats pixel/255 in [0, 1] (the quantized input is
// the raw uint8 pixel with scale 1/255 and zero point 0).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "snark/nn/model.hpp"

namespace verdict::nn {

enum class Activation : std::uint8_t { kNone = 0, kRelu = 1, kRelu6 = 2 };

std::string to_string(Activation a);
std::string to_string(LayerKind k);

struct FloatTensor {
  std::string name;  // the ONNX value name
  Shape shape;
};

struct FloatLayer {
  LayerKind kind = LayerKind::kConv;
  std::string name;     // the ONNX node name (of the layer's main node), for messages
  std::string op_type;  // the ONNX op(s) it came from, e.g. "Conv+BatchNormalization+Clip"
  std::vector<std::uint32_t> inputs;
  std::uint32_t output = 0;
  std::uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  std::uint32_t pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0, groups = 1;
  std::vector<float> weights;  // kConv: [C_out][C_in/groups][kh][kw]; kGemm: [C_out][K]
  std::vector<float> bias;     // kConv, kGemm: [C_out]
  Activation activation = Activation::kNone;  // kConv, kGemm, kAdd only
};

struct FloatModel {
  std::string name;
  std::vector<FloatTensor> tensors;
  std::vector<FloatLayer> layers;  // in execution order
  std::uint32_t input = 0, output = 0;

  // Structural checks (the same shape rules as Model::validate) and finite weights.
  Status validate() const;

  // Every tensor's values for one input (tensors[input] = input). Errors: invalid model,
  // wrong input size, a non-finite input value.
  Result<std::vector<std::vector<float>>> run_all(std::span<const float> input) const;
  // The output tensor only.
  Result<std::vector<float>> run(std::span<const float> input) const;

  // Multiply-accumulates of one inference (conv and gemm), for sizing and limits.
  std::uint64_t macs() const;
  std::size_t num_parameters() const;
};

// The float input for a uint8 image: pixel / 255.
std::vector<float> pixels_to_float(std::span<const std::uint8_t> pixels);

// Index of the largest value (the first on ties); 0 for an empty span.
std::size_t argmax(std::span<const float> values);
std::size_t argmax(std::span<const std::uint8_t> values);

}  // namespace verdict::nn
