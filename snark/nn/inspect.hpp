#pragma once
// `verdict inspect`: a model's circuit, layer by layer (shapes, scales, rows, copies,
// lookups), like EZKL's `table`; also the benchmark's per-layer breakdown.
#include <string>

#include "snark/nn/circuit_layout.hpp"
#include "snark/nn/model.hpp"

namespace verdict::nn {

// The per-layer table and the totals: rows of each track, the domain 2^k, the columns
// and lookups of the circuit. Requires a layout planned from this model.
std::string layout_table(const Model& model, const detail::Layout& layout);

}  // namespace verdict::nn
