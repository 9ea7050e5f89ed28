// Fuzzes ONNX import from memory: protobuf parsing, every op's attribute and shape
// checks, constant folding, BN/activation folding; on graphs that import, the float
// interpreter, calibration, quantization and the integer reference inference.
// Seeds: fuzz/seeds/fuzz_onnx_import (small graphs: conv + BN + ReLU6, depthwise,
// residual add, pools, the Shape/Gather/Concat/Reshape chain, gemm). Small limits keep
// each run short. Never a crash, a hang or a sanitizer report; every failure is an Error.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "snark/nn/float_model.hpp"
#include "snark/nn/onnx_import.hpp"
#include "snark/nn/quantize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  verdict::nn::ImportOptions options;
  options.max_file_bytes = std::size_t(1) << 20;
  options.max_tensor_elements = std::size_t(1) << 14;
  options.max_macs = std::uint64_t(1) << 22;
  auto model = verdict::nn::import_onnx_bytes(std::span<const std::uint8_t>(data, size), options);
  if (!model.ok() || model->layers.size() > 64) return 0;
  const std::size_t n = model->tensors[model->input].shape.size();
  std::vector<std::vector<std::uint8_t>> images = {std::vector<std::uint8_t>(n, 0), std::vector<std::uint8_t>(n, 255)};
  for (std::size_t i = 0; i < n; ++i) images[0][i] = std::uint8_t(i * 37);
  auto quantized = verdict::nn::quantize(*model, images);
  if (!quantized.ok()) return 0;
  auto out = verdict::nn::run_reference(*quantized, images[1]);
  (void)out;
  return 0;
}
