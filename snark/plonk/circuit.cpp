#include "snark/plonk/circuit.hpp"

#include <algorithm>

namespace verdict::plonk {

FixedAssignment::FixedAssignment(const ConstraintSystem& cs, unsigned k)
    : cs_(cs),
      n_(std::size_t(1) << k),
      usable_(cs.usable_rows(k)),
      fixed_(cs.num_fixed(), std::vector<Fr>(n_)),
      committed_(cs.num_committed(), std::vector<Fr>(n_)),
      assigned_(cs.num_fixed(), std::vector<std::uint8_t>(n_, 0)) {}

Status FixedAssignment::assign(Column fixed, std::size_t row, const Fr& value) {
  if (fixed.kind != ColumnKind::kFixed || fixed.index >= fixed_.size())
    return Error{"assign_fixed: " + fixed.to_string() + " is not a fixed column of this circuit"};
  if (row >= usable_)
    return Error{"assign_fixed: row " + std::to_string(row) + " of " + fixed.to_string() + " is not usable (" +
                 std::to_string(usable_) + " usable rows)"};
  fixed_[fixed.index][row] = value;
  assigned_[fixed.index][row] = 1;
  return {};
}

Status FixedAssignment::assign_committed(Column committed, std::size_t row, const Fr& value) {
  if (committed.kind != ColumnKind::kCommitted || committed.index >= committed_.size())
    return Error{"assign_fixed: " + committed.to_string() + " is not a committed column of this circuit"};
  if (row >= usable_)
    return Error{"assign_fixed: row " + std::to_string(row) + " of " + committed.to_string() + " is not usable (" +
                 std::to_string(usable_) + " usable rows)"};
  committed_[committed.index][row] = value;
  return {};
}

Status FixedAssignment::copy(Column a, std::size_t row_a, Column b, std::size_t row_b) {
  const auto& eq = cs_.equality_columns();
  for (auto [c, r] : {std::pair{a, row_a}, std::pair{b, row_b}}) {
    if (std::find(eq.begin(), eq.end(), c) == eq.end())
      return Error{"copy: " + c.to_string() + " is not equality-enabled"};
    if (r >= usable_) return Error{"copy: row " + std::to_string(r) + " of " + c.to_string() + " is not usable"};
  }
  copies_.push_back({Cell{a, std::uint32_t(row_a)}, Cell{b, std::uint32_t(row_b)}});
  return {};
}

void FixedAssignment::pad_tables() {
  for (std::size_t i = 0; i < fixed_.size(); ++i) {
    if (cs_.fixed_role(std::uint32_t(i)) != FixedRole::kTable) continue;
    for (std::size_t r = 1; r < usable_; ++r)
      if (!assigned_[i][r]) fixed_[i][r] = fixed_[i][0];
  }
}

AdviceAssignment::AdviceAssignment(const ConstraintSystem& cs, unsigned phase, std::size_t usable,
                                   const std::vector<std::vector<Fr>>& fixed,
                                   const std::vector<std::vector<Fr>>& committed,
                                   const std::vector<std::vector<Fr>>& instance, std::vector<std::vector<Fr>>& advice)
    : cs_(cs), phase_(phase), usable_(usable), fixed_(fixed), committed_(committed), instance_(instance), advice_(advice) {}

Status AdviceAssignment::assign(Column advice, std::size_t row, const Fr& value) {
  if (advice.kind != ColumnKind::kAdvice || advice.index >= advice_.size())
    return Error{"assign_advice: " + advice.to_string() + " is not an advice column of this circuit"};
  if (cs_.advice_phase(advice.index) != phase_)
    return Error{"assign_advice: " + advice.to_string() + " belongs to phase " +
                 std::to_string(cs_.advice_phase(advice.index)) + ", not " + std::to_string(phase_)};
  if (row >= usable_) return Error{"assign_advice: row " + std::to_string(row) + " is not usable"};
  advice_[advice.index][row] = value;
  return {};
}

Result<Fr> AdviceAssignment::value(Column column, std::size_t row) const {
  if (row >= usable_) return Error{"value: row " + std::to_string(row) + " is not usable"};
  switch (column.kind) {
    case ColumnKind::kFixed:
      if (column.index >= fixed_.size()) break;
      return fixed_[column.index][row];
    case ColumnKind::kCommitted:
      if (column.index >= committed_.size()) break;
      return committed_[column.index][row];
    case ColumnKind::kInstance:
      if (column.index >= instance_.size()) break;
      return row < instance_[column.index].size() ? instance_[column.index][row] : Fr::zero();
    case ColumnKind::kAdvice:
      if (column.index >= advice_.size()) break;
      if (cs_.advice_phase(column.index) > phase_)
        return Error{"value: " + column.to_string() + " is assigned in a later phase"};
      return advice_[column.index][row];
  }
  return Error{"value: " + column.to_string() + " does not exist"};
}

}  // namespace verdict::plonk
