#pragma once
// The shape of a Plonkish circuit: its columns, custom gates, lookups, equality
// columns and challenges. Built by a circuit's configure() (wiring only, no values),
// serialised into the verifying key, and from it everything the prover and verifier
// derive: the constraint degree, the permutation chunking, the blinding rows and the
// set of (column, rotation) queries.
//
// Table layout for a domain of n = 2^k rows (see docs/plonk.md):
//   rows 0 .. u-1     usable rows (u = n - b - 1): the circuit's cells
//   row u             l_last: where the permutation and lookup sums close
//   rows u+1 .. n-1   b blinding rows, random in every advice and argument column
// Gates must vanish on every row: fixed columns (selectors) are zero outside the
// usable rows, so a gate gated by a selector is inactive there. The permutation and
// lookup arguments are switched off on rows >= u by themselves.
//
// Columns:
//   fixed      values chosen at key generation (selectors, constants, tables)
//   table      fixed columns that hold a lookup table; unused usable rows repeat the
//              table's first row, so the table is exactly what was assigned
//   advice     the witness; each in a phase. Phase p columns are committed before the
//              challenges declared after phase p are drawn, and may depend on the
//              challenges of earlier phases (random linear combinations, Freivalds)
//   instance   public inputs; the verifier evaluates them itself
//   committed  hidden values fixed at key generation (a model's weights): the
//              verifying key holds only a hiding commitment; every proof re-randomises
//              the blinding rows, so no number of proofs reveals more than one does

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "snark/plonk/expression.hpp"

namespace verdict::plonk {

struct Gate {
  std::string name;
  std::vector<std::string> constraint_names;
  std::vector<Expression> constraints;  // each must vanish on every row
};

// On every usable row, each input tuple must be a row of the table: with theta from the
// transcript, sum_k theta^k inputs[i][k] is a row of sum_k theta^k table[k]. Several
// tuples against one table share one argument (one multiplicity column, one running
// sum) at a degree of 3 + the sum of the tuples' degrees.
struct Lookup {
  std::string name;
  std::vector<std::vector<Expression>> inputs;  // tuples, each with one expression per table column
  std::vector<Column> table;                    // table columns
};

struct Query {
  Column column;
  std::int32_t rotation = 0;
  friend bool operator==(const Query&, const Query&) = default;
  friend auto operator<=>(const Query&, const Query&) = default;
};

enum class FixedRole : std::uint8_t { kFixed = 0, kSelector = 1, kTable = 2 };

class ConstraintSystem {
 public:
  Column fixed_column();
  Column selector();
  Column table_column();
  Column advice_column(unsigned phase = 0);
  Column instance_column();
  Column committed_column();
  // A challenge drawn after every advice column of phases <= `after_phase` is
  // committed. Returns its index for Expression::challenge.
  std::uint32_t challenge(unsigned after_phase);
  void enable_equality(Column column);
  void create_gate(std::string name, std::vector<std::pair<std::string, Expression>> constraints);
  void lookup(std::string name, std::vector<Expression> inputs, std::vector<Column> table);
  // Several input tuples into one table, batched in one argument.
  void lookup_batched(std::string name, std::vector<std::vector<Expression>> tuples, std::vector<Column> table);

  std::size_t num_fixed() const { return fixed_roles_.size(); }
  std::size_t num_advice() const { return advice_phases_.size(); }
  std::size_t num_instance() const { return num_instance_; }
  std::size_t num_committed() const { return num_committed_; }
  // The number of user columns of a kind.
  std::size_t num_columns(ColumnKind kind) const;
  std::size_t num_challenges() const { return challenge_phases_.size(); }
  FixedRole fixed_role(std::uint32_t index) const { return fixed_roles_[index]; }
  unsigned advice_phase(std::uint32_t index) const { return advice_phases_[index]; }
  unsigned challenge_phase(std::uint32_t index) const { return challenge_phases_[index]; }
  unsigned num_phases() const;  // 1 + the largest advice or challenge phase
  const std::vector<Gate>& gates() const { return gates_; }
  const std::vector<Lookup>& lookups() const { return lookups_; }
  const std::vector<Column>& equality_columns() const { return equality_; }

  // Checks every reference (columns exist, table columns are tables, lookup arity,
  // challenges used in gates exist, names non-empty) and limits. An Error names the
  // gate or lookup at fault.
  Status validate() const;

  // max(3, gate constraint degrees, lookup degrees (3 + the sum over its tuples of the
  // tuple's largest input degree)).
  unsigned degree() const;
  // Columns per permutation grand product: degree() - 2.
  unsigned permutation_chunk_size() const { return degree() - 2; }
  unsigned num_permutation_chunks() const;
  // Rows of randomness at the bottom of every committed witness column: one more than
  // the largest number of evaluations any of them reveals (advice and committed
  // queries, 3 for the permutation products), plus one for safety.
  unsigned blinding_factors() const;
  // Usable rows for a domain of 2^k rows (0 when the domain is too small).
  std::size_t usable_rows(unsigned k) const;
  // The smallest k whose domain has `rows` usable rows.
  unsigned min_k(std::size_t rows) const;

  // Distinct (column, rotation) queries of gates and lookup inputs, sorted; table and
  // equality columns are also queried at rotation 0.
  std::vector<Query> queries(ColumnKind kind) const;
  // All rotations used anywhere (gates and lookups), sorted, including 0.
  std::vector<std::int32_t> rotations() const;

 private:
  std::vector<FixedRole> fixed_roles_;
  std::vector<unsigned> advice_phases_;
  std::size_t num_instance_ = 0;
  std::size_t num_committed_ = 0;
  std::vector<unsigned> challenge_phases_;
  std::vector<Column> equality_;
  std::vector<Gate> gates_;
  std::vector<Lookup> lookups_;
};

}  // namespace verdict::plonk
