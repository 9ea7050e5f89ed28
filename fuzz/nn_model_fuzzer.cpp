// Fuzzes quantized-model decoding (Model::from_bytes, which validates): any input is
// rejected with an Error or decodes canonically (re-encoding gives the same bytes). A
// decoded model that is small is run through the integer reference inference and the
// circuit planner (circuit_k), which rely on validate() alone for their bounds: never a
// crash or a sanitizer report.
// Input byte 0 selects the mode: 0 = the rest is the whole encoding; otherwise the rest
// edits a valid encoding (plonk_fuzz_support.hpp), one of five small random models (conv,
// depthwise, gemm, residual add, pools: every layer kind) picked by byte 0.
#include <cstdlib>

#include "plonk_fuzz_support.hpp"
#include "snark/nn/model.hpp"
#include "snark/nn/model_circuit_testing.hpp"
#include "snark/nn/model_proof.hpp"

namespace {

using namespace verdict;

const std::vector<std::vector<std::uint8_t>>& valid_models() {
  static const std::vector<std::vector<std::uint8_t>> models = [] {
    ChaChaRng rng(11);
    namespace tm = nn::testing_models;
    std::vector<std::vector<std::uint8_t>> out;
    for (const nn::Model& m : {tm::random_conv_model(rng), tm::random_depthwise_model(rng), tm::random_gemm_model(rng),
                               tm::random_add_model(rng), tm::random_pool_model(rng)})
      out.push_back(m.to_bytes());
    return out;
  }();
  return models;
}

// Work of the reference inference, by the model's own sizes (saturating).
std::size_t inference_cost(const nn::Model& m) {
  std::size_t cost = 0;
  for (const auto& t : m.tensors) cost += t.shape.size();
  for (const auto& l : m.layers) {
    const std::size_t out = m.tensors[l.output].shape.size(), in = m.tensors[l.inputs[0]].shape.size();
    const std::size_t c = std::max<std::size_t>(1, m.tensors[l.output].shape.c);
    cost += out * (l.weights.size() / c + std::size_t(l.kernel_h) * l.kernel_w) + in;
    if (cost > (std::size_t(1) << 40)) break;
  }
  return cost;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& valid = valid_models();
  auto bytes = plonk::fuzzing::shape_input(data, size, valid[size ? data[0] % valid.size() : 0]);
  auto model = nn::Model::from_bytes(bytes);
  if (!model.ok()) return 0;
  if (model->to_bytes() != bytes) std::abort();
  if (inference_cost(*model) > (std::size_t(1) << 20)) return 0;  // keep runs short
  const nn::TensorInfo& in = model->tensors[model->input];
  std::vector<std::uint8_t> input(in.shape.size());
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = std::uint8_t(i * 37 + 11);
  auto values = nn::run_reference(*model, input);
  if (!values.ok()) std::abort();  // a valid model runs on any input of its size
  if (values->size() != model->tensors.size() ||
      (*values)[model->output].size() != model->tensors[model->output].shape.size())
    std::abort();
  auto k = nn::circuit_k(*model, {});
  (void)k;
  return 0;
}
