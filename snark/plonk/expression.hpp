#pragma once
// Polynomial expressions over the cells of a Plonkish table: the language of custom
// gates and lookup inputs.
//
// Leaves are constants, queries of a column at a row rotation (the cell `rotation`
// rows after the current one, wrapping around the domain), and verifier challenges.
// Inner nodes are negation, sum, product and scaling by a constant. Expressions are
// immutable values that share subtrees (copying one is cheap).
//
// Degree (in the sense of the quotient argument): a query has degree 1, constants and
// challenges degree 0; a product adds degrees, a sum takes the maximum.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "snark/field/fr.hpp"

namespace verdict::plonk {

using field::Fr;

// kCommitted: values fixed at key generation like a fixed column, but hidden: the
// verifying key holds a hiding commitment, and each proof re-randomises it (see
// keys.hpp and docs/plonk.md, "Committed columns").
enum class ColumnKind : std::uint8_t { kFixed = 0, kAdvice = 1, kInstance = 2, kCommitted = 3 };
inline constexpr std::uint8_t kNumColumnKinds = 4;

// A column of the table. Identity is (kind, index); index counts within the kind.
struct Column {
  ColumnKind kind = ColumnKind::kFixed;
  std::uint32_t index = 0;

  friend bool operator==(const Column&, const Column&) = default;
  friend auto operator<=>(const Column&, const Column&) = default;
  std::string to_string() const;
};

class Expression {
 public:
  enum class Op : std::uint8_t { kConstant = 0, kQuery = 1, kChallenge = 2, kNegated = 3, kSum = 4, kProduct = 5, kScaled = 6 };

  Expression();  // the constant 0
  static Expression constant(const Fr& value);
  static Expression constant(std::int64_t value) { return constant(Fr::from_i64(value)); }
  static Expression query(Column column, std::int32_t rotation = 0);
  static Expression challenge(std::uint32_t index);

  friend Expression operator+(const Expression& a, const Expression& b);
  friend Expression operator-(const Expression& a, const Expression& b);
  friend Expression operator*(const Expression& a, const Expression& b);
  Expression operator-() const;
  Expression scaled(const Fr& factor) const;

  Op op() const;
  // Accessors; each requires the matching op.
  const Fr& constant_value() const;   // kConstant, kScaled (the factor)
  Column column() const;              // kQuery
  std::int32_t rotation() const;      // kQuery
  std::uint32_t challenge_index() const;  // kChallenge
  Expression lhs() const;            // kNegated, kSum, kProduct, kScaled
  Expression rhs() const;            // kSum, kProduct

  unsigned degree() const;
  // Calls visit(e) for every query and challenge leaf, in tree order.
  void for_each_leaf(const std::function<void(const Expression&)>& visit) const;
  // The value, given the values of the leaves.
  Fr evaluate(const std::function<Fr(Column, std::int32_t)>& query,
              const std::function<Fr(std::uint32_t)>& challenge) const;
  std::string to_string() const;

  // Identity of the shared node (for common-subexpression caches).
  const void* node_id() const { return node_.get(); }

 private:
  struct Node;
  explicit Expression(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  friend struct Node;
  static std::shared_ptr<Node> make_node(Op op);
  std::shared_ptr<const Node> node_;
};

}  // namespace verdict::plonk
