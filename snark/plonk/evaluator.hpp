#pragma once
// Evaluates expressions over many points at once, for the prover: the quotient's
// numerator on each coset part, lookup inputs on the rows.
//
// Leaves are full-length arrays (one per column, user or internal), the value at point
// i for rotation r being array[(i + r) mod n]. Points are processed in blocks of
// kBlock; within a block every distinct expression node (by identity, so shared
// subtrees such as a compressed lookup input used twice) is computed once, products
// with mul_batch (eight IFMA lanes where available). Blocks run on all cores.

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "snark/plonk/expression.hpp"

namespace verdict::plonk::detail {

class BlockEvaluator {
 public:
  static constexpr std::size_t kBlock = 512;
  // leaves(column) returns the column's n values, or nullptr when unknown (a bug: the
  // evaluation asserts).
  using Leaves = std::function<const Fr*(Column)>;

  BlockEvaluator(std::size_t n, Leaves leaves, std::span<const Fr> challenges);

  // out[i] = e(point i) for i < n.
  void evaluate(const Expression& e, std::span<Fr> out) const;
  // out[i] = sum_k y^(K-1-k) terms[k](point i) (Horner), for i < n.
  void combine(std::span<const Expression> terms, const Fr& y, std::span<Fr> out) const;

 private:
  std::size_t n_;
  Leaves leaves_;
  std::vector<Fr> challenges_;
};

}  // namespace verdict::plonk::detail
