#pragma once
// Calibration and post-training quantization: FloatModel -> Model (docs/nn_import.md).
//
// Conventions (the circuits depend on them):
//   - the input tensor is the raw uint8 pixel: scale 1/255, zero point 0 (the float
//     model's input is pixel/255);
//   - a Conv/Gemm/Add output with a fused ReLU: zero point 0, scale max/255 (max from
//     calibration); with ReLU6: zero point 0, scale 6/255; without activation (and the
//     average pools): the calibrated [lo, hi], widened to include 0, mapped affinely onto
//     [0, 255] (scale (hi - lo)/255, zero point round(-lo/scale)); MaxPool and Reshape
//     keep their input's scale and zero point. Every layer clamps to [0, 255].
//     A degenerate range (hi - lo < 1e-6, e.g. a channel dead on every calibration
//     input) is replaced by [lo, lo + 1].
//   - weights int8 symmetric per output channel: s_w[c] = max|w[c]|/127 (1 for an
//     all-zero channel), w_q = round(w/s_w[c]) in [-127, 127]; bias int32
//     b_q = round(b / (s_w[c] * s_x));
//   - multipliers, with S = Model::shift: conv/gemm round(s_w[c]*s_x/s_y * 2^S); add
//     round(s_i/s_y * 2^S) per input; average pool round(s_x/(s_y*k*k) * 2^S); global
//     average pool round(s_x/(s_y*H*W) * 2^S). S is the largest value <= 30 that keeps
//     every multiplier in [1, 2^31), unless QuantizeOptions::shift fixes it.
// The quantized Model keeps the FloatModel's tensor ids and layer order, so tensors
// can be compared one by one (Model::tensors[i] is FloatModel::tensors[i]).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "snark/nn/float_model.hpp"
#include "snark/nn/model.hpp"

namespace verdict::nn {

struct TensorRange {
  double lo = 0, hi = 0;
};

struct CalibrationOptions {
  // Each tensor's range is [the (100 - p)-th, the p-th] percentile of all its values over
  // all calibration inputs; 100 (the default) is the plain min/max. Below 100 costs a
  // second pass (a 4096-bin histogram per tensor).
  double percentile = 100.0;
};

struct Calibration {
  std::vector<TensorRange> ranges;  // per FloatModel tensor
  std::size_t inputs = 0;           // how many calibration inputs were seen
};

// Runs the float model on every input (uint8 images, as pixel/255) and records the
// range of every tensor. Errors: no inputs, an input of the wrong size, a non-finite
// activation.
Result<Calibration> calibrate(const FloatModel& model, std::span<const std::vector<std::uint8_t>> inputs,
                              const CalibrationOptions& options = {});

struct QuantizeOptions {
  std::uint32_t shift = 0;  // 0: choose (the largest S <= 24 that fits: the circuit's limit); else S in [1, 30]
  std::string name;         // the Model's name; empty: the float model's
};

// The quantized Model (validated). Errors name the layer: a multiplier outside
// [1, 2^31) at the requested shift, a bias that does not fit int32, a calibration that
// does not match the model.
Result<Model> quantize(const FloatModel& model, const Calibration& calibration, const QuantizeOptions& options = {});

// calibrate() then quantize().
Result<Model> quantize(const FloatModel& model, std::span<const std::vector<std::uint8_t>> calibration_inputs,
                       const QuantizeOptions& options = {}, const CalibrationOptions& calibration_options = {});

// real = scale * (q - zero_point) for every value of a quantized tensor.
std::vector<float> dequantize(const TensorInfo& tensor, std::span<const std::uint8_t> values);

}  // namespace verdict::nn
