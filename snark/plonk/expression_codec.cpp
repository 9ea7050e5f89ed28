#include "snark/plonk/expression_codec.hpp"

namespace verdict::plonk {

void encode_expression(codec::Writer& w, const Expression& e) {
  w.u8(std::uint8_t(e.op()));
  switch (e.op()) {
    case Expression::Op::kConstant:
      w.fixed(e.constant_value().to_bytes_be());
      return;
    case Expression::Op::kQuery:
      w.u8(std::uint8_t(e.column().kind));
      w.u32(e.column().index);
      w.u32(std::uint32_t(e.rotation()));
      return;
    case Expression::Op::kChallenge:
      w.u32(e.challenge_index());
      return;
    case Expression::Op::kNegated:
      encode_expression(w, e.lhs());
      return;
    case Expression::Op::kScaled:
      w.fixed(e.constant_value().to_bytes_be());
      encode_expression(w, e.lhs());
      return;
    case Expression::Op::kSum:
    case Expression::Op::kProduct:
      encode_expression(w, e.lhs());
      encode_expression(w, e.rhs());
      return;
  }
}

namespace {
constexpr unsigned kMaxDepth = 200;
constexpr std::size_t kMaxNodes = std::size_t(1) << 20;

Result<Expression> decode(codec::Reader& r, unsigned depth, std::size_t& nodes) {
  if (depth > kMaxDepth) return Error{"expression nested deeper than " + std::to_string(kMaxDepth)};
  if (++nodes > kMaxNodes) return Error{"expression has more than 2^20 nodes"};
  std::uint8_t op = r.u8();
  if (!r.ok()) return r.finish().error();
  auto constant = [&]() -> Result<Fr> {
    auto b = r.fixed<32>();
    if (!r.ok()) return r.finish().error();
    return Fr::from_bytes_be(b);
  };
  switch (Expression::Op(op)) {
    case Expression::Op::kConstant: {
      auto c = constant();
      if (!c.ok()) return c.error().context("expression constant");
      return Expression::constant(*c);
    }
    case Expression::Op::kQuery: {
      std::uint8_t kind = r.u8();
      std::uint32_t index = r.u32();
      std::int32_t rotation = std::int32_t(r.u32());
      if (!r.ok()) return r.finish().error();
      if (kind >= kNumColumnKinds) return Error{"expression query has unknown column kind " + std::to_string(kind)};
      return Expression::query(Column{ColumnKind(kind), index}, rotation);
    }
    case Expression::Op::kChallenge: {
      std::uint32_t index = r.u32();
      if (!r.ok()) return r.finish().error();
      return Expression::challenge(index);
    }
    case Expression::Op::kNegated: {
      auto a = decode(r, depth + 1, nodes);
      if (!a.ok()) return a;
      return -*a;
    }
    case Expression::Op::kScaled: {
      auto c = constant();
      if (!c.ok()) return c.error().context("expression scale factor");
      auto a = decode(r, depth + 1, nodes);
      if (!a.ok()) return a;
      return a->scaled(*c);
    }
    case Expression::Op::kSum:
    case Expression::Op::kProduct: {
      auto a = decode(r, depth + 1, nodes);
      if (!a.ok()) return a;
      auto b = decode(r, depth + 1, nodes);
      if (!b.ok()) return b;
      return Expression::Op(op) == Expression::Op::kSum ? *a + *b : *a * *b;
    }
  }
  return Error{"expression has unknown op " + std::to_string(op)};
}
}  // namespace

Result<Expression> decode_expression(codec::Reader& r) {
  std::size_t nodes = 0;
  return decode(r, 0, nodes);
}

}  // namespace verdict::plonk
