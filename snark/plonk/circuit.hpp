#pragma once
// What a circuit author writes: the wiring (configure) apart from the values
// (assign_fixed for key generation, assign_advice for proving).
//
// configure() declares columns, gates and lookups on an empty ConstraintSystem and may
// remember the column handles in the circuit object; key generation and proving both
// call it, and the prover checks that it produces the constraint system of the key.
// assign_fixed() fills fixed columns (selectors, constants, tables) and committed
// columns (hidden values such as weights) and declares copy constraints. assign_advice() fills the advice columns of one phase, given the
// challenges drawn so far, and may read any fixed or instance cell and the advice of
// earlier phases. Unassigned cells are zero. Only usable rows can be assigned.

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/plonk/constraint_system.hpp"

namespace verdict::plonk {

struct Cell {
  Column column;
  std::uint32_t row = 0;
};

class FixedAssignment {
 public:
  FixedAssignment(const ConstraintSystem& cs, unsigned k);

  std::size_t usable_rows() const { return usable_; }
  Status assign(Column fixed, std::size_t row, const Fr& value);
  Status assign_committed(Column committed, std::size_t row, const Fr& value);
  // The two cells must be in equality-enabled columns and usable rows.
  Status copy(Column a, std::size_t row_a, Column b, std::size_t row_b);

  // Results, for key generation. Table columns are padded by pad_tables().
  std::vector<std::vector<Fr>>& fixed() { return fixed_; }
  std::vector<std::vector<Fr>>& committed() { return committed_; }
  const std::vector<std::pair<Cell, Cell>>& copies() const { return copies_; }
  // Fills every unassigned usable row of each table column with the column's row 0.
  void pad_tables();

 private:
  const ConstraintSystem& cs_;
  std::size_t n_, usable_;
  std::vector<std::vector<Fr>> fixed_, committed_;
  std::vector<std::vector<std::uint8_t>> assigned_;
  std::vector<std::pair<Cell, Cell>> copies_;
};

class AdviceAssignment {
 public:
  // advice: every advice column (n values); columns of later phases stay untouched.
  AdviceAssignment(const ConstraintSystem& cs, unsigned phase, std::size_t usable,
                   const std::vector<std::vector<Fr>>& fixed, const std::vector<std::vector<Fr>>& committed,
                   const std::vector<std::vector<Fr>>& instance, std::vector<std::vector<Fr>>& advice);

  unsigned phase() const { return phase_; }
  std::size_t usable_rows() const { return usable_; }
  // Requires an advice column of this phase and a usable row.
  Status assign(Column advice, std::size_t row, const Fr& value);
  // Any fixed, committed or instance cell, or advice of this or an earlier phase.
  Result<Fr> value(Column column, std::size_t row) const;

 private:
  const ConstraintSystem& cs_;
  unsigned phase_;
  std::size_t usable_;
  const std::vector<std::vector<Fr>>& fixed_;
  const std::vector<std::vector<Fr>>& committed_;
  const std::vector<std::vector<Fr>>& instance_;
  std::vector<std::vector<Fr>>& advice_;
};

class Circuit {
 public:
  virtual ~Circuit() = default;
  virtual void configure(ConstraintSystem& cs) = 0;
  virtual Status assign_fixed(FixedAssignment& fixed) const = 0;
  virtual Status assign_advice(unsigned phase, std::span<const Fr> challenges, AdviceAssignment& advice) const = 0;
};

}  // namespace verdict::plonk
