#include "snark/plonk/random_circuit_testing.hpp"

namespace verdict::plonk::testing {

RandomCircuit::RandomCircuit(RandomCircuitParams params) : p_(params), witness_seed_(params.seed * 7919 + 1) {}

void RandomCircuit::configure(ConstraintSystem& cs) {
  input_cols.clear();
  output_cols.clear();
  lookup_cols.clear();
  selectors_.clear();
  fixed_cols_.clear();
  committed_cols_.clear();
  for (unsigned i = 0; i < p_.inputs; ++i) {
    input_cols.push_back(cs.advice_column());
    cs.enable_equality(input_cols.back());
  }
  for (unsigned i = 0; i < p_.fixed; ++i) fixed_cols_.push_back(cs.fixed_column());
  for (unsigned i = 0; i < p_.committed; ++i) committed_cols_.push_back(cs.committed_column());
  std::vector<Column> constant_cols = fixed_cols_;
  constant_cols.insert(constant_cols.end(), committed_cols_.begin(), committed_cols_.end());
  instance_ = cs.instance_column();
  cs.enable_equality(instance_);
  ChaChaRng rng(p_.seed);
  gate_terms_.assign(p_.gates, {});
  for (unsigned g = 0; g < p_.gates; ++g) {
    output_cols.push_back(cs.advice_column());
    selectors_.push_back(cs.selector());
    // P = c0 + sum of up to 3 terms, each a constant times up to 3 factors (degree <= 3).
    // gate_terms_[g][0] is the constant c0 (no factors).
    Fr c0 = Fr::random(rng);
    gate_terms_[g].push_back(Term{c0, {}});
    Expression poly = Expression::constant(c0);
    std::size_t terms = 1 + rng.uniform(3);
    for (std::size_t t = 0; t < terms; ++t) {
      Term term{Fr::random(rng), {}};
      Expression e = Expression::constant(term.coeff);
      std::size_t factors = 1 + rng.uniform(3);
      for (std::size_t f = 0; f < factors; ++f) {
        bool use_fixed = !constant_cols.empty() && rng.uniform(4) == 0;
        Column c = use_fixed ? constant_cols[rng.uniform(constant_cols.size())] : input_cols[rng.uniform(input_cols.size())];
        std::int32_t rot = std::int32_t(rng.uniform(3)) - 1;
        term.factors.push_back({c, rot});
        e = e * Expression::query(c, rot);
      }
      gate_terms_[g].push_back(term);
      poly = poly + e;
    }
    Expression q = Expression::query(selectors_.back());
    cs.create_gate("random gate " + std::to_string(g), {{"out = P", q * (poly - Expression::query(output_cols.back()))}});
  }
  cs.enable_equality(output_cols.empty() ? input_cols[0] : output_cols[0]);
  if (p_.lookup) {
    lookup_selector_ = cs.selector();
    table_a_ = cs.table_column();
    lookup_cols.push_back(cs.advice_column());
    Expression q = Expression::query(lookup_selector_);
    cs.lookup("one-column table", {q * Expression::query(lookup_cols[0])}, {table_a_});
    if (p_.two_column_lookup) {
      table_b_ = cs.table_column();
      lookup_cols.push_back(cs.advice_column());
      cs.lookup("two-column table", {q * Expression::query(lookup_cols[0]), q * Expression::query(lookup_cols[1])},
                {table_a_, table_b_});
    }
    if (p_.batched_lookup) {  // lookup_cols.back(): ungated, so 0 (a table row) where unassigned
      lookup_cols.push_back(cs.advice_column());
      cs.lookup_batched("batched one-column table",
                        {{q * Expression::query(lookup_cols[0])}, {Expression::query(lookup_cols.back())}}, {table_a_});
    }
  }
  if (p_.two_phase) {
    challenge_ = cs.challenge(0);
    rlc_col = cs.advice_column(1);
    rlc_first_ = cs.selector();
    rlc_rest_ = cs.selector();
    Expression z = Expression::query(rlc_col), a = Expression::query(input_cols[0]);
    cs.create_gate("rlc", {{"z0 = a0", Expression::query(rlc_first_) * (z - a)},
                           {"z = z' ch + a", Expression::query(rlc_rest_) *
                                                 (z - Expression::query(rlc_col, -1) * Expression::challenge(challenge_) - a)}});
  }
}

Status RandomCircuit::assign_fixed(FixedAssignment& f) const {
  const std::size_t u = f.usable_rows();
  auto* self = const_cast<RandomCircuit*>(this);
  self->active_ = p_.active_rows ? std::min(p_.active_rows, u) : u;
  ChaChaRng rng(p_.seed + 17);
  self->fixed_values_.assign(fixed_cols_.size(), std::vector<Fr>(u + 1));
  for (std::size_t c = 0; c < fixed_cols_.size(); ++c)
    for (std::size_t r = 0; r < u; ++r) {
      self->fixed_values_[c][r] = Fr::random(rng);
      if (auto st = f.assign(fixed_cols_[c], r, fixed_values_[c][r]); !st.ok()) return st;
    }
  self->committed_values_.assign(committed_cols_.size(), std::vector<Fr>(u + 1));
  for (std::size_t c = 0; c < committed_cols_.size(); ++c)
    for (std::size_t r = 0; r < u; ++r) {
      self->committed_values_[c][r] = Fr::random(rng);
      if (auto st = f.assign_committed(committed_cols_[c], r, committed_values_[c][r]); !st.ok()) return st;
    }
  // Gates on rows 1 .. active-2 (so rotations -1 and +1 stay on active rows).
  for (const Column& q : selectors_)
    for (std::size_t r = 1; r + 1 < active_; ++r)
      if (auto st = f.assign(q, r, Fr::one()); !st.ok()) return st;
  if (p_.lookup) {
    self->table_rows_.clear();
    self->table_rows_.push_back({Fr::zero(), Fr::zero()});  // the disabled rows' input
    std::size_t rows = std::min<std::size_t>(u, 1 + rng.uniform(std::max<std::size_t>(u, 2)));
    for (std::size_t r = 1; r < rows; ++r) self->table_rows_.push_back({Fr::from_u64(r * 3 + 1), Fr::random(rng)});
    for (std::size_t r = 0; r < table_rows_.size(); ++r) {
      if (auto st = f.assign(table_a_, r, table_rows_[r].first); !st.ok()) return st;
      if (p_.two_column_lookup)
        if (auto st = f.assign(table_b_, r, table_rows_[r].second); !st.ok()) return st;
    }
    for (std::size_t r = 0; r < active_; ++r)
      if (auto st = f.assign(lookup_selector_, r, Fr::one()); !st.ok()) return st;
  }
  if (p_.two_phase) {
    if (auto st = f.assign(rlc_first_, 0, Fr::one()); !st.ok()) return st;
    for (std::size_t r = 1; r < active_; ++r)
      if (auto st = f.assign(rlc_rest_, r, Fr::one()); !st.ok()) return st;
  }
  // Copies between random input cells, then the first output's last active row into
  // the instance (the output column is equality-enabled).
  self->copy_pairs.clear();
  for (unsigned i = 0; i < p_.copies && active_ >= 2; ++i) {
    Cell a{input_cols[rng.uniform(input_cols.size())], std::uint32_t(rng.uniform(active_))};
    Cell b{input_cols[rng.uniform(input_cols.size())], std::uint32_t(rng.uniform(active_))};
    self->copy_pairs.push_back({a, b});
    if (auto st = f.copy(a.column, a.row, b.column, b.row); !st.ok()) return st;
  }
  Column out = output_cols.empty() ? input_cols[0] : output_cols[0];
  std::size_t out_row = output_cols.empty() ? 0 : (active_ >= 3 ? active_ - 2 : 0);
  return f.copy(out, out_row, instance_, 0);
}

void RandomCircuit::generate_inputs(std::vector<std::vector<Fr>>& inputs, std::vector<std::vector<Fr>>& lookups) const {
  ChaChaRng rng(witness_seed_);
  inputs.assign(input_cols.size(), std::vector<Fr>(active_ + 1));
  for (auto& col : inputs)
    for (auto& v : col) v = Fr::random(rng);
  // Copied cells: every connected group of copies takes the value of one member.
  const std::size_t rows = active_ + 1;
  std::vector<std::size_t> parent(input_cols.size() * rows);
  for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = i;
  auto find = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  auto id = [&](const Cell& c) {
    return std::size_t(std::find(input_cols.begin(), input_cols.end(), c.column) - input_cols.begin()) * rows + c.row;
  };
  for (const auto& [a, b] : copy_pairs) parent[find(id(a))] = find(id(b));
  for (std::size_t x = 0; x < parent.size(); ++x) {
    std::size_t root = find(x);
    inputs[x / rows][x % rows] = inputs[root / rows][root % rows];
  }
  lookups.assign(lookup_cols.size(), std::vector<Fr>(active_));
  for (std::size_t r = 0; r < active_ && !table_rows_.empty(); ++r) {
    const auto& row = table_rows_[rng.uniform(table_rows_.size())];
    lookups[0][r] = row.first;
    if (p_.two_column_lookup) lookups[1][r] = row.second;
    if (p_.batched_lookup) lookups.back()[r] = table_rows_[rng.uniform(table_rows_.size())].first;
  }
}

Fr RandomCircuit::evaluate_gate(std::size_t g, const std::vector<std::vector<Fr>>& inputs,
                                const std::vector<std::vector<Fr>>& fixed, std::size_t row) const {
  Fr acc = gate_terms_[g][0].coeff;
  for (std::size_t t = 1; t < gate_terms_[g].size(); ++t) {
    Fr v = gate_terms_[g][t].coeff;
    for (const auto& [c, rot] : gate_terms_[g][t].factors) {
      std::size_t r = std::size_t(std::int64_t(row) + rot);
      if (c.kind == ColumnKind::kFixed) {
        std::size_t i = std::size_t(std::find(fixed_cols_.begin(), fixed_cols_.end(), c) - fixed_cols_.begin());
        v *= fixed[i][r];
      } else if (c.kind == ColumnKind::kCommitted) {
        v *= committed_values_[c.index][r];
      } else {
        std::size_t i = std::size_t(std::find(input_cols.begin(), input_cols.end(), c) - input_cols.begin());
        v *= inputs[i][r];
      }
    }
    acc += v;
  }
  return acc;
}

Status RandomCircuit::assign_advice(unsigned phase, std::span<const Fr> challenges, AdviceAssignment& adv) const {
  std::vector<std::vector<Fr>> inputs, lookups;
  generate_inputs(inputs, lookups);
  auto put = [&](Column c, std::size_t r, Fr v) {
    if (mutation && mutation->column == c && mutation->row == r) v += mutation->delta;
    return adv.assign(c, r, v);
  };
  if (phase == 0) {
    for (std::size_t i = 0; i < input_cols.size(); ++i)
      for (std::size_t r = 0; r < active_; ++r)
        if (auto st = put(input_cols[i], r, inputs[i][r]); !st.ok()) return st;
    for (std::size_t g = 0; g < output_cols.size(); ++g)
      for (std::size_t r = 1; r + 1 < active_; ++r)
        if (auto st = put(output_cols[g], r, evaluate_gate(g, inputs, fixed_values_, r)); !st.ok()) return st;
    for (std::size_t i = 0; i < lookup_cols.size(); ++i)
      for (std::size_t r = 0; r < active_; ++r)
        if (auto st = put(lookup_cols[i], r, lookups[i][r]); !st.ok()) return st;
  } else if (phase == 1 && p_.two_phase) {
    Fr z = inputs[0][0];
    if (auto st = put(rlc_col, 0, z); !st.ok()) return st;
    for (std::size_t r = 1; r < active_; ++r) {
      z = z * challenges[challenge_] + inputs[0][r];
      if (auto st = put(rlc_col, r, z); !st.ok()) return st;
    }
  }
  return {};
}

std::vector<std::vector<Fr>> RandomCircuit::instances() const {
  std::vector<std::vector<Fr>> inputs, lookups;
  generate_inputs(inputs, lookups);
  if (output_cols.empty()) return {{inputs[0][0]}};
  std::size_t row = active_ >= 3 ? active_ - 2 : 0;
  return {{evaluate_gate(0, inputs, fixed_values_, row)}};
}

}  // namespace verdict::plonk::testing
