#include "snark/plonk/expression.hpp"

#include <cassert>

namespace verdict::plonk {

struct Expression::Node {
  Op op = Op::kConstant;
  Fr constant;  // kConstant value or kScaled factor
  Column column;
  std::int32_t rotation = 0;
  std::uint32_t challenge = 0;
  std::shared_ptr<const Node> lhs, rhs;
  unsigned degree = 0;
};

std::shared_ptr<Expression::Node> Expression::make_node(Op op) {
  auto n = std::make_shared<Node>();
  n->op = op;
  return n;
}

std::string Column::to_string() const {
  const char* k = kind == ColumnKind::kFixed      ? "fixed"
                  : kind == ColumnKind::kAdvice   ? "advice"
                  : kind == ColumnKind::kInstance ? "instance"
                  : kind == ColumnKind::kCommitted ? "committed"
                                                   : "internal";
  return std::string(k) + "[" + std::to_string(index) + "]";
}

Expression::Expression() : node_(make_node(Op::kConstant)) {}

Expression Expression::constant(const Fr& value) {
  auto n = make_node(Op::kConstant);
  n->constant = value;
  return Expression(n);
}

Expression Expression::query(Column column, std::int32_t rotation) {
  auto n = make_node(Op::kQuery);
  n->column = column;
  n->rotation = rotation;
  n->degree = 1;
  return Expression(n);
}

Expression Expression::challenge(std::uint32_t index) {
  auto n = make_node(Op::kChallenge);
  n->challenge = index;
  return Expression(n);
}

Expression operator+(const Expression& a, const Expression& b) {
  auto n = Expression::make_node(Expression::Op::kSum);
  n->lhs = a.node_;
  n->rhs = b.node_;
  n->degree = std::max(a.degree(), b.degree());
  return Expression(n);
}

Expression operator-(const Expression& a, const Expression& b) { return a + (-b); }

Expression operator*(const Expression& a, const Expression& b) {
  auto n = Expression::make_node(Expression::Op::kProduct);
  n->lhs = a.node_;
  n->rhs = b.node_;
  n->degree = a.degree() + b.degree();
  return Expression(n);
}

Expression Expression::operator-() const {
  auto n = make_node(Op::kNegated);
  n->lhs = node_;
  n->degree = degree();
  return Expression(n);
}

Expression Expression::scaled(const Fr& factor) const {
  auto n = make_node(Op::kScaled);
  n->lhs = node_;
  n->constant = factor;
  n->degree = degree();
  return Expression(n);
}

Expression::Op Expression::op() const { return node_->op; }
const Fr& Expression::constant_value() const {
  assert(node_->op == Op::kConstant || node_->op == Op::kScaled);
  return node_->constant;
}
Column Expression::column() const {
  assert(node_->op == Op::kQuery);
  return node_->column;
}
std::int32_t Expression::rotation() const {
  assert(node_->op == Op::kQuery);
  return node_->rotation;
}
std::uint32_t Expression::challenge_index() const {
  assert(node_->op == Op::kChallenge);
  return node_->challenge;
}
Expression Expression::lhs() const {
  assert(node_->lhs);
  return Expression(node_->lhs);
}
Expression Expression::rhs() const {
  assert(node_->rhs);
  return Expression(node_->rhs);
}
unsigned Expression::degree() const { return node_->degree; }

void Expression::for_each_leaf(const std::function<void(const Expression&)>& visit) const {
  switch (op()) {
    case Op::kConstant:
      return;
    case Op::kQuery:
    case Op::kChallenge:
      visit(*this);
      return;
    case Op::kNegated:
    case Op::kScaled:
      lhs().for_each_leaf(visit);
      return;
    case Op::kSum:
    case Op::kProduct:
      lhs().for_each_leaf(visit);
      rhs().for_each_leaf(visit);
      return;
  }
}

Fr Expression::evaluate(const std::function<Fr(Column, std::int32_t)>& query,
                        const std::function<Fr(std::uint32_t)>& challenge) const {
  switch (op()) {
    case Op::kConstant:
      return node_->constant;
    case Op::kQuery:
      return query(node_->column, node_->rotation);
    case Op::kChallenge:
      return challenge(node_->challenge);
    case Op::kNegated:
      return -lhs().evaluate(query, challenge);
    case Op::kScaled:
      return lhs().evaluate(query, challenge) * node_->constant;
    case Op::kSum:
      return lhs().evaluate(query, challenge) + rhs().evaluate(query, challenge);
    case Op::kProduct:
      return lhs().evaluate(query, challenge) * rhs().evaluate(query, challenge);
  }
  return Fr::zero();
}

std::string Expression::to_string() const {
  switch (op()) {
    case Op::kConstant: {
      Fr v = node_->constant;
      if ((-v).to_canonical()[1] == 0 && (-v).to_canonical()[2] == 0 && (-v).to_canonical()[3] == 0 && !v.is_zero())
        return "-" + (-v).to_decimal();
      return v.to_decimal();
    }
    case Op::kQuery:
      return node_->column.to_string() + (node_->rotation ? "@" + std::to_string(node_->rotation) : "");
    case Op::kChallenge:
      return "challenge[" + std::to_string(node_->challenge) + "]";
    case Op::kNegated:
      return "-(" + lhs().to_string() + ")";
    case Op::kScaled:
      return Expression::constant(node_->constant).to_string() + "*(" + lhs().to_string() + ")";
    case Op::kSum:
      return "(" + lhs().to_string() + " + " + rhs().to_string() + ")";
    case Op::kProduct:
      return lhs().to_string() + "*" + rhs().to_string();
  }
  return "?";
}

}  // namespace verdict::plonk
