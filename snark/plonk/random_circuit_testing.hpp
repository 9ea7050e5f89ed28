#pragma once
// Test support: random circuits with a satisfying witness, generated from a seed.
//
// Layout (rows 1 .. active-1 carry constraints, row 0 starts the running sums):
//   inputs     advice columns of random values; copies join random pairs of their cells
//   outputs    one advice column per gate: out = P(inputs, fixed, committed) at rotations -1, 0, +1,
//              P a random polynomial of degree <= 3, gated by the gate's selector
//   lookup     advice columns whose values are rows of a one- or two-column table (optionally a
//              further column batched with the first into one argument)
//   rlc        (two-phase circuits) z_r = z_(r-1) * ch + inputs[0]_r with ch drawn
//              after phase 0
//   instance   one column; its row 0 is copied from the first output's last active row
// A Mutation adds a delta to one advice cell after assignment, to test soundness.

#include <cstdint>
#include <optional>
#include <vector>

#include "base/rng.hpp"
#include "snark/plonk/circuit.hpp"

namespace verdict::plonk::testing {

struct RandomCircuitParams {
  std::uint64_t seed = 1;
  unsigned k = 6;
  std::size_t active_rows = 0;  // 0: every usable row
  unsigned inputs = 3, gates = 2, fixed = 1, copies = 3, committed = 0;
  bool lookup = true, two_column_lookup = true, two_phase = true;
  bool batched_lookup = false;  // a second one-column input batched with the first into one argument
};

struct Mutation {
  Column column;
  std::size_t row;
  Fr delta;
};

class RandomCircuit : public Circuit {
 public:
  explicit RandomCircuit(RandomCircuitParams params);

  void configure(ConstraintSystem& cs) override;
  Status assign_fixed(FixedAssignment& fixed) const override;
  Status assign_advice(unsigned phase, std::span<const Fr> challenges, AdviceAssignment& advice) const override;

  // The public inputs the witness implies (computed on first use).
  std::vector<std::vector<Fr>> instances() const;
  // A fresh random witness for the same circuit (a different witness of the same shape).
  void reseed_witness(std::uint64_t seed) { witness_seed_ = seed; }
  std::optional<Mutation> mutation;

  // Handles, for tests that mutate chosen cells.
  std::vector<Column> input_cols, output_cols, lookup_cols;
  Column rlc_col;
  std::size_t active() const { return active_; }
  std::vector<std::pair<Cell, Cell>> copy_pairs;

 private:
  struct Term {
    Fr coeff;
    std::vector<std::pair<Column, std::int32_t>> factors;
  };
  Fr evaluate_gate(std::size_t g, const std::vector<std::vector<Fr>>& inputs, const std::vector<std::vector<Fr>>& fixed,
                   std::size_t row) const;
  void generate_inputs(std::vector<std::vector<Fr>>& inputs, std::vector<std::vector<Fr>>& lookups) const;

  RandomCircuitParams p_;
  std::uint64_t witness_seed_;
  std::size_t active_ = 0;
  std::vector<Column> selectors_, fixed_cols_, committed_cols_;
  Column lookup_selector_, table_a_, table_b_, rlc_first_, rlc_rest_, instance_;
  std::uint32_t challenge_ = 0;
  std::vector<std::vector<Term>> gate_terms_;
  std::vector<std::vector<Fr>> fixed_values_;      // per fixed column, u + 1 values
  std::vector<std::vector<Fr>> committed_values_;  // per committed column, u + 1 values
  std::vector<std::pair<Fr, Fr>> table_rows_;
};

}  // namespace verdict::plonk::testing
