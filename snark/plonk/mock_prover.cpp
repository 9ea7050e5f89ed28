#include "snark/plonk/mock_prover.hpp"

#include <map>
#include <set>

#include "base/rng.hpp"

namespace verdict::plonk {

std::string VerifyFailure::to_string() const {
  std::string s = name + " fails on row " + std::to_string(row);
  if (!cells.empty()) {
    s += " with";
    for (const auto& [cell, v] : cells) s += " " + cell + "=" + v.to_decimal();
  }
  return s;
}

Result<MockProver> MockProver::run(Circuit& circuit, unsigned k, const std::vector<std::vector<Fr>>& instances,
                                   std::uint64_t seed) {
  ConstraintSystem cs;
  circuit.configure(cs);
  if (auto st = cs.validate(); !st.ok()) return st.error().context("mock prover");
  if (k < 2 || k > 24) return Error{"mock prover: k = " + std::to_string(k) + " outside [2, 24]"};
  const std::size_t n = std::size_t(1) << k, u = cs.usable_rows(k);
  if (u == 0) return Error{"mock prover: no usable rows for k = " + std::to_string(k)};
  if (instances.size() != cs.num_instance()) return Error{"mock prover: wrong number of instance columns"};

  FixedAssignment fixed(cs, k);
  if (auto st = circuit.assign_fixed(fixed); !st.ok()) return st.error().context("mock prover: assign_fixed");
  fixed.pad_tables();
  std::vector<std::vector<Fr>> instance_values;
  for (const auto& column : instances) {
    if (column.size() > u) return Error{"mock prover: an instance column has more values than usable rows"};
    std::vector<Fr> v(n);
    std::copy(column.begin(), column.end(), v.begin());
    instance_values.push_back(std::move(v));
  }
  ChaChaRng rng(seed);
  for (auto& column : fixed.committed())
    for (std::size_t r = u + 1; r < n; ++r) column[r] = Fr::random(rng);
  std::vector<std::vector<Fr>> advice(cs.num_advice(), std::vector<Fr>(n));
  std::vector<Fr> challenges(cs.num_challenges());
  for (unsigned phase = 0; phase < cs.num_phases(); ++phase) {
    AdviceAssignment a(cs, phase, u, fixed.fixed(), fixed.committed(), instance_values, advice);
    if (auto st = circuit.assign_advice(phase, challenges, a); !st.ok())
      return st.error().context("mock prover: assign_advice phase " + std::to_string(phase));
    for (std::size_t c = 0; c < cs.num_advice(); ++c)
      if (cs.advice_phase(std::uint32_t(c)) == phase)
        for (std::size_t r = u + 1; r < n; ++r) advice[c][r] = Fr::random(rng);
    for (std::size_t i = 0; i < cs.num_challenges(); ++i)
      if (cs.challenge_phase(std::uint32_t(i)) == phase) challenges[i] = Fr::random(rng);
  }
  auto cell = [&](Column c, std::size_t row) -> const Fr& {
    switch (c.kind) {
      case ColumnKind::kFixed: return fixed.fixed()[c.index][row];
      case ColumnKind::kAdvice: return advice[c.index][row];
      case ColumnKind::kInstance: return instance_values[c.index][row];
      case ColumnKind::kCommitted: return fixed.committed()[c.index][row];
    }
    return fixed.fixed()[0][0];
  };
  auto wrap = [&](std::size_t row, std::int32_t rot) {
    std::int64_t r = (std::int64_t(row) + rot) % std::int64_t(n);
    return std::size_t(r < 0 ? r + std::int64_t(n) : r);
  };
  auto cells_of = [&](const Expression& e, std::size_t row) {
    std::vector<std::pair<std::string, Fr>> out;
    std::set<std::pair<Column, std::int32_t>> seen;
    e.for_each_leaf([&](const Expression& leaf) {
      if (leaf.op() != Expression::Op::kQuery || !seen.insert({leaf.column(), leaf.rotation()}).second) return;
      std::string name = leaf.column().to_string() + (leaf.rotation() ? "@" + std::to_string(leaf.rotation()) : "");
      out.emplace_back(name, cell(leaf.column(), wrap(row, leaf.rotation())));
    });
    return out;
  };

  MockProver result;
  auto add = [&](VerifyFailure f) {
    if (result.failures_.size() < kMaxFailures) result.failures_.push_back(std::move(f));
  };
  for (const Gate& g : cs.gates()) {
    for (std::size_t i = 0; i < g.constraints.size(); ++i) {
      const Expression& e = g.constraints[i];
      for (std::size_t row = 0; row < n; ++row) {
        Fr v = e.evaluate([&](Column c, std::int32_t rot) { return cell(c, wrap(row, rot)); },
                          [&](std::uint32_t ch) { return challenges[ch]; });
        if (v.is_zero()) continue;
        std::string name = "gate '" + g.name + "' constraint '" + g.constraint_names[i] + "'";
        if (row >= u) name += " (outside the usable rows: is it gated by a selector?)";
        add({VerifyFailure::Kind::kGate, name, row, cells_of(e, row)});
      }
    }
  }
  for (const auto& [a, b] : fixed.copies()) {
    const Fr& va = cell(a.column, a.row);
    const Fr& vb = cell(b.column, b.row);
    if (va != vb)
      add({VerifyFailure::Kind::kCopy, "copy " + a.column.to_string() + "[" + std::to_string(a.row) + "] = " +
                                          b.column.to_string() + "[" + std::to_string(b.row) + "]",
           a.row, {{a.column.to_string(), va}, {b.column.to_string(), vb}}});
  }
  for (const Lookup& l : cs.lookups()) {
    std::set<std::vector<Fr>, bool (*)(const std::vector<Fr>&, const std::vector<Fr>&)> table(
        [](const std::vector<Fr>& x, const std::vector<Fr>& y) {
          for (std::size_t i = 0; i < x.size(); ++i) {
            auto a = x[i].montgomery_limbs(), b = y[i].montgomery_limbs();
            if (a != b) return a < b;
          }
          return false;
        });
    for (std::size_t row = 0; row < u; ++row) {
      std::vector<Fr> t;
      for (const Column& c : l.table) t.push_back(cell(c, row));
      table.insert(std::move(t));
    }
    for (std::size_t ti = 0; ti < l.inputs.size(); ++ti) {
      const auto& tuple = l.inputs[ti];
      for (std::size_t row = 0; row < u; ++row) {
        std::vector<Fr> in;
        for (const Expression& e : tuple)
          in.push_back(e.evaluate([&](Column c, std::int32_t rot) { return cell(c, wrap(row, rot)); },
                                  [&](std::uint32_t ch) { return challenges[ch]; }));
        if (table.count(in)) continue;
        std::vector<std::pair<std::string, Fr>> cells;
        for (std::size_t i = 0; i < in.size(); ++i) cells.emplace_back("input[" + std::to_string(i) + "]", in[i]);
        for (const Expression& e : tuple)
          for (auto& c : cells_of(e, row)) cells.push_back(std::move(c));
        std::string name = "lookup '" + l.name + "'";
        if (l.inputs.size() > 1) name += " tuple " + std::to_string(ti);
        add({VerifyFailure::Kind::kLookup, name, row, std::move(cells)});
      }
    }
  }
  return result;
}

Status MockProver::verify() const {
  if (failures_.empty()) return {};
  std::string msg = std::to_string(failures_.size()) + (failures_.size() == kMaxFailures ? "+" : "") + " failure(s):";
  for (std::size_t i = 0; i < failures_.size() && i < 5; ++i) msg += "\n  " + failures_[i].to_string();
  return Error{msg};
}

}  // namespace verdict::plonk
