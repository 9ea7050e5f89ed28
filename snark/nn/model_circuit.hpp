#pragma once
// The Plonkish circuit of a quantized model (docs/nn.md): the integer reference
// inference of snark/nn/model.hpp, proved layer by layer on the layout of
// circuit_layout.hpp, with the weights in committed columns (hidden, fixed at key
// generation), the input either hidden behind a Poseidon commitment or public, and the
// outputs public.
//
// Instance column: [input commitment] (hidden input) or [input bytes] (public input),
// then the output bytes.
//
// Without a witness (the model only) it serves key generation; with_witness() adds an
// input (and the salt of its commitment) for proving. The witness of every layer is the
// reference inference, checked bit for bit while it is built.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/nn/circuit_layout.hpp"
#include "snark/nn/model.hpp"
#include "snark/plonk/circuit.hpp"

namespace verdict::nn {

// The commitment to an input: poseidon_hash_many(packed input || salt), the input packed
// big-endian 30 bytes per field element (the last element zero-filled on the right).
field::Fr input_commitment(std::span<const std::uint8_t> input, const field::Fr& salt);

class ModelCircuit : public plonk::Circuit {
 public:
  // The model must be valid and the layout planned from it.
  ModelCircuit(std::shared_ptr<const Model> model, std::shared_ptr<const detail::Layout> layout);

  // Builds the phase-0 witness from the input (the salt is ignored for a public input).
  // Errors: wrong input size, a pre-activation outside the circuit's range (naming the layer).
  Status set_input(std::span<const std::uint8_t> input, const field::Fr& salt);

  // After set_input: the instance column and the output bytes.
  const std::vector<field::Fr>& instance() const { return instance_; }
  const std::vector<std::uint8_t>& output() const { return output_; }

  void configure(plonk::ConstraintSystem& cs) override;
  Status assign_fixed(plonk::FixedAssignment& fixed) const override;
  Status assign_advice(unsigned phase, std::span<const field::Fr> challenges, plonk::AdviceAssignment& advice) const override;

  // Soundness tests only: called on the witness tables (A0..A15, H0..H3, then HW) of
  // a phase before they are assigned, and on the committed weight values (KW0..KW3)
  // before key generation assigns them.
  std::function<void(unsigned phase, std::vector<std::vector<field::Fr>>& tables)> tamper_advice;
  std::function<void(std::vector<std::vector<field::Fr>>& weights)> tamper_weights;

 private:
  field::Fr cell_value(const detail::Cell& c) const;

  std::shared_ptr<const Model> model_;
  std::shared_ptr<const detail::Layout> layout_;
  struct Columns;
  std::shared_ptr<Columns> cols_;
  // The witness: tables[col][row] for A0..A15, H0..H3, HW (index kHW).
  mutable std::vector<std::vector<field::Fr>> tables_;
  std::vector<field::Fr> instance_;
  std::vector<std::uint8_t> output_;
  bool has_witness_ = false;
};

}  // namespace verdict::nn
