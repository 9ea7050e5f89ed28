#include "snark/plonk/constraint_system.hpp"

#include <algorithm>
#include <set>

namespace verdict::plonk {

Column ConstraintSystem::fixed_column() {
  fixed_roles_.push_back(FixedRole::kFixed);
  return {ColumnKind::kFixed, std::uint32_t(fixed_roles_.size() - 1)};
}
Column ConstraintSystem::selector() {
  fixed_roles_.push_back(FixedRole::kSelector);
  return {ColumnKind::kFixed, std::uint32_t(fixed_roles_.size() - 1)};
}
Column ConstraintSystem::table_column() {
  fixed_roles_.push_back(FixedRole::kTable);
  return {ColumnKind::kFixed, std::uint32_t(fixed_roles_.size() - 1)};
}
Column ConstraintSystem::advice_column(unsigned phase) {
  advice_phases_.push_back(phase);
  return {ColumnKind::kAdvice, std::uint32_t(advice_phases_.size() - 1)};
}
Column ConstraintSystem::instance_column() { return {ColumnKind::kInstance, std::uint32_t(num_instance_++)}; }
Column ConstraintSystem::committed_column() { return {ColumnKind::kCommitted, std::uint32_t(num_committed_++)}; }

std::size_t ConstraintSystem::num_columns(ColumnKind kind) const {
  switch (kind) {
    case ColumnKind::kFixed: return num_fixed();
    case ColumnKind::kAdvice: return num_advice();
    case ColumnKind::kInstance: return num_instance();
    case ColumnKind::kCommitted: return num_committed();
  }
  return 0;
}

std::uint32_t ConstraintSystem::challenge(unsigned after_phase) {
  challenge_phases_.push_back(after_phase);
  return std::uint32_t(challenge_phases_.size() - 1);
}

void ConstraintSystem::enable_equality(Column column) {
  if (std::find(equality_.begin(), equality_.end(), column) == equality_.end()) equality_.push_back(column);
}

void ConstraintSystem::create_gate(std::string name, std::vector<std::pair<std::string, Expression>> constraints) {
  Gate g;
  g.name = std::move(name);
  for (auto& [n, e] : constraints) {
    g.constraint_names.push_back(std::move(n));
    g.constraints.push_back(std::move(e));
  }
  gates_.push_back(std::move(g));
}

void ConstraintSystem::lookup(std::string name, std::vector<Expression> inputs, std::vector<Column> table) {
  lookups_.push_back({std::move(name), {std::move(inputs)}, std::move(table)});
}

void ConstraintSystem::lookup_batched(std::string name, std::vector<std::vector<Expression>> tuples,
                                      std::vector<Column> table) {
  lookups_.push_back({std::move(name), std::move(tuples), std::move(table)});
}

unsigned ConstraintSystem::num_phases() const {
  unsigned p = 1;
  for (unsigned a : advice_phases_) p = std::max(p, a + 1);
  for (unsigned c : challenge_phases_) p = std::max(p, c + 1);
  return p;
}

namespace {
Status check_expression(const ConstraintSystem& cs, const Expression& e, const std::string& where) {
  Status st;
  e.for_each_leaf([&](const Expression& leaf) {
    if (!st.ok()) return;
    if (leaf.op() == Expression::Op::kChallenge) {
      if (leaf.challenge_index() >= cs.num_challenges())
        st = Error{where + ": challenge " + std::to_string(leaf.challenge_index()) + " does not exist"};
      return;
    }
    Column c = leaf.column();
    if (std::uint8_t(c.kind) >= kNumColumnKinds || c.index >= cs.num_columns(c.kind)) st = Error{where + ": " + c.to_string() + " does not exist"};
    if (leaf.rotation() < -(1 << 20) || leaf.rotation() > (1 << 20))
      st = Error{where + ": rotation " + std::to_string(leaf.rotation()) + " out of range"};
  });
  return st;
}
}  // namespace

Status ConstraintSystem::validate() const {
  for (unsigned p : advice_phases_)
    if (p > 7) return Error{"advice phase " + std::to_string(p) + " exceeds 7"};
  for (unsigned p : challenge_phases_)
    if (p > 7) return Error{"challenge phase " + std::to_string(p) + " exceeds 7"};
  for (const Gate& g : gates_) {
    if (g.name.empty()) return Error{"a gate has no name"};
    if (g.constraints.empty()) return Error{"gate '" + g.name + "' has no constraints"};
    for (std::size_t i = 0; i < g.constraints.size(); ++i) {
      if (auto st = check_expression(*this, g.constraints[i], "gate '" + g.name + "'"); !st.ok()) return st;
      if (g.constraints[i].degree() > 16)
        return Error{"gate '" + g.name + "' constraint " + std::to_string(i) + " has degree above 16"};
    }
  }
  for (const Lookup& l : lookups_) {
    if (l.name.empty()) return Error{"a lookup has no name"};
    if (l.inputs.empty() || l.inputs.size() > 8) return Error{"lookup '" + l.name + "' needs 1 to 8 input tuples"};
    for (const auto& tuple : l.inputs)
      if (tuple.empty() || tuple.size() != l.table.size())
        return Error{"lookup '" + l.name + "' has a tuple of " + std::to_string(tuple.size()) + " inputs and " +
                     std::to_string(l.table.size()) + " table columns"};
    for (const Column& t : l.table) {
      if (t.kind != ColumnKind::kFixed || t.index >= num_fixed() || fixed_roles_[t.index] != FixedRole::kTable)
        return Error{"lookup '" + l.name + "': " + t.to_string() + " is not a table column"};
    }
    unsigned total = 0;
    for (const auto& tuple : l.inputs) {
      unsigned tuple_degree = 1;
      for (const Expression& e : tuple) {
        if (auto st = check_expression(*this, e, "lookup '" + l.name + "'"); !st.ok()) return st;
        tuple_degree = std::max(tuple_degree, e.degree());
      }
      total += tuple_degree;
    }
    if (total > 13) return Error{"lookup '" + l.name + "' inputs have total degree above 13"};
  }
  for (const Column& c : equality_) {
    if (std::uint8_t(c.kind) >= kNumColumnKinds || c.index >= num_columns(c.kind)) return Error{"equality on " + c.to_string() + ", which does not exist"};
  }
  return {};
}

unsigned ConstraintSystem::degree() const {
  unsigned d = 3;
  for (const Gate& g : gates_)
    for (const Expression& e : g.constraints) d = std::max(d, e.degree());
  for (const Lookup& l : lookups_) {
    unsigned in = 0;
    for (const auto& tuple : l.inputs) {
      unsigned tuple_degree = 1;
      for (const Expression& e : tuple) tuple_degree = std::max(tuple_degree, e.degree());
      in += tuple_degree;
    }
    d = std::max(d, in + 3);  // active * (phi' - phi) * prod (lambda + f_i) * (lambda + t)
  }
  return d;
}

unsigned ConstraintSystem::num_permutation_chunks() const {
  unsigned c = permutation_chunk_size();
  return unsigned((equality_.size() + c - 1) / c);
}

unsigned ConstraintSystem::blinding_factors() const {
  unsigned most = 1;
  for (ColumnKind kind : {ColumnKind::kAdvice, ColumnKind::kCommitted}) {
    std::vector<std::set<std::int32_t>> rots(num_columns(kind));
    for (const Query& q : queries(kind)) rots[q.column.index].insert(q.rotation);
    for (const auto& r : rots) most = std::max<unsigned>(most, unsigned(r.size()));
  }
  return std::max(3u, most) + 2;
}

std::size_t ConstraintSystem::usable_rows(unsigned k) const {
  std::size_t n = std::size_t(1) << k;
  std::size_t reserved = std::size_t(blinding_factors()) + 1;
  return n > reserved ? n - reserved : 0;
}

unsigned ConstraintSystem::min_k(std::size_t rows) const {
  unsigned k = 1;
  while (usable_rows(k) < rows) ++k;
  return k;
}

std::vector<Query> ConstraintSystem::queries(ColumnKind kind) const {
  std::set<Query> set;
  auto collect = [&](const Expression& e) {
    e.for_each_leaf([&](const Expression& leaf) {
      if (leaf.op() == Expression::Op::kQuery && leaf.column().kind == kind) set.insert({leaf.column(), leaf.rotation()});
    });
  };
  for (const Gate& g : gates_)
    for (const Expression& e : g.constraints) collect(e);
  for (const Lookup& l : lookups_) {
    for (const auto& tuple : l.inputs)
      for (const Expression& e : tuple) collect(e);
    if (kind == ColumnKind::kFixed)
      for (const Column& t : l.table) set.insert({t, 0});
  }
  for (const Column& c : equality_)  // the permutation argument reads them at rotation 0
    if (c.kind == kind) set.insert({c, 0});
  return {set.begin(), set.end()};
}

std::vector<std::int32_t> ConstraintSystem::rotations() const {
  std::set<std::int32_t> r = {0};
  for (ColumnKind kind : {ColumnKind::kFixed, ColumnKind::kAdvice, ColumnKind::kInstance, ColumnKind::kCommitted})
    for (const Query& q : queries(kind)) r.insert(q.rotation);
  return {r.begin(), r.end()};
}

}  // namespace verdict::plonk
