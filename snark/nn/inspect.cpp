#include "snark/nn/inspect.hpp"

#include <cstdio>
#include <memory>

#include "snark/nn/model_circuit.hpp"

namespace verdict::nn {

std::string layout_table(const Model& model, const detail::Layout& L) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-3s %-28s %-13s %-14s %-14s %9s %7s %9s %8s %8s %7s %8s %8s %9s\n", "#", "layer", "kind",
                "input", "output", "scale", "zp", "MACs", "elem", "gather", "dot", "other", "weight", "copies");
  out += line;
  detail::LayerRows total;
  for (std::size_t i = 0; i < L.layer_rows.size(); ++i) {
    const auto& r = L.layer_rows[i];
    const TensorInfo& t = model.tensors[model.layers[i].output];
    std::snprintf(line, sizeof line, "%-3zu %-28.28s %-13s %-14s %-14s %9.3g %7d %9llu %8llu %8llu %7llu %8llu %8llu %9llu\n", i,
                  r.name.c_str(), r.kind.c_str(), r.in.to_string().c_str(), r.out.to_string().c_str(), t.scale, t.zero_point,
                  (unsigned long long)r.macs, (unsigned long long)r.element_rows, (unsigned long long)r.gather_rows,
                  (unsigned long long)r.dot_rows, (unsigned long long)r.other_rows, (unsigned long long)r.weight_rows,
                  (unsigned long long)r.copies);
    out += line;
    total.macs += r.macs;
    total.parameters += r.parameters;
  }
  plonk::ConstraintSystem cs;
  ModelCircuit circuit(std::make_shared<const Model>(model), std::make_shared<const detail::Layout>(L));
  circuit.configure(cs);
  const unsigned k = cs.min_k(L.rows_needed());
  std::snprintf(line, sizeof line,
                "\nmodel '%s': %llu parameters, %llu MACs, shift %u; input %s (%s), output %s\n"
                "rows: main track %u, weight track %u, lookup tables %u -> domain 2^%u (%zu usable)\n"
                "columns: %zu advice (2 phases), %zu committed (the weights and multipliers), %zu fixed, 1 instance "
                "(%zu values); %zu copies\n"
                "lookups: %zu (sign, 4x bytes; each batches two tuples), gates: %zu, degree %u\n",
                model.name.c_str(), (unsigned long long)total.parameters, (unsigned long long)total.macs, model.shift,
                model.tensors[model.input].shape.to_string().c_str(),
                L.options.input == InputVisibility::kHidden ? "hidden, Poseidon commitment" : "public",
                model.tensors[model.output].shape.to_string().c_str(), L.main_rows, L.weight_rows, 1u << detail::kTableBits, k,
                cs.usable_rows(k), cs.num_advice(), cs.num_committed(), cs.num_fixed(), L.instance_size, std::size_t(L.copies),
                cs.lookups().size(), cs.gates().size(), cs.degree());
  out += line;
  return out;
}

}  // namespace verdict::nn
