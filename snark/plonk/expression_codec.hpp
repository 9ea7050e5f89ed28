#pragma once
// Expressions as bytes, prefix order (docs/formats.md, "Plonk keys and proofs"):
//   u8 op, then  constant: 32-byte Fr | query: u8 kind, u32 index, u32 rotation (two's
//   complement) | challenge: u32 | negated: expr | sum, product: expr expr |
//   scaled: 32-byte Fr, expr.
// The decoder rejects unknown ops, non-canonical constants, nesting deeper than 200
// and more than 2^20 nodes, so a hostile key cannot exhaust the stack or memory.

#include "base/codec.hpp"
#include "snark/plonk/expression.hpp"

namespace verdict::plonk {

void encode_expression(codec::Writer& w, const Expression& e);
Result<Expression> decode_expression(codec::Reader& r);

}  // namespace verdict::plonk
