#pragma once
// ONNX import: an .onnx file (as PyTorch's exporter writes it) -> FloatModel
// (docs/nn_import.md has the op table and every folding rule).
//
// The graph must have one float input of static shape [1, C, H, W] or [1, K] (a
// symbolic batch dimension is taken as 1) and one output. Supported ops:
//   Conv (2-D, any stride/padding/groups, dilations 1, auto_pad NOTSET or VALID)
//   Gemm (transA 0), MatMul by a constant [K, N]
//   Add of two tensors (residual) -> kAdd
//   BatchNormalization (inference), and Add/Sub/Mul/Div by a per-channel constant:
//     folded into the producing Conv/Gemm when it has no other consumer, else a
//     depthwise 1x1 convolution
//   Relu, Clip(0, 6) (ReLU6; min/max as attributes or constant inputs), Clip(0, +inf):
//     fused into the producing Conv/Gemm/Add (also through MaxPool and Reshape, with
//     which they commute); an activation that cannot be fused is an error
//   AveragePool (no padding), GlobalAveragePool, ReduceMean over H and W, MaxPool
//     (ceil_mode 0, dilations 1), Flatten, Reshape, Squeeze, Unsqueeze
//   Identity, Dropout (inference), Constant, and on constants only (constant folding
//     of static shapes): Shape, Gather, Unsqueeze, Squeeze, Concat, Cast, Slice,
//     Reshape, Flatten, ConstantOfShape, Add, Sub, Mul, Div.
// Anything else (an op, an attribute value, a shape) is an Error naming the node and its
// op type: "node '/conv1/Conv' (Conv): dilations other than 1 are not supported".
// A file that is not a parseable ONNX model is an Error too; nothing aborts on bad input.

#include <cstdint>
#include <filesystem>
#include <span>

#include "base/result.hpp"
#include "snark/nn/float_model.hpp"

namespace verdict::nn {

struct ImportOptions {
  std::size_t max_file_bytes = std::size_t(1) << 30;
  // Largest tensor (activation, weight or constant) in elements; the IR allows 2^28.
  std::size_t max_tensor_elements = std::size_t(1) << 26;
  // Total multiply-accumulates of one inference.
  std::uint64_t max_macs = std::uint64_t(1) << 36;
};

Result<FloatModel> import_onnx(const std::filesystem::path& path, const ImportOptions& options = {});
Result<FloatModel> import_onnx_bytes(std::span<const std::uint8_t> bytes, const ImportOptions& options = {});

}  // namespace verdict::nn
