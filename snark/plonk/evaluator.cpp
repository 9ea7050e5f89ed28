#include "snark/plonk/evaluator.hpp"

#include <cassert>
#include <memory>
#include <unordered_map>

#include "base/parallel.hpp"
#include "snark/field/mul_batch.hpp"

namespace verdict::plonk::detail {

namespace {

// Per-thread, per-block working state: node id -> its values on the block.
class Block {
 public:
  Block(std::size_t n, const BlockEvaluator::Leaves& leaves, const std::vector<Fr>& challenges, std::size_t begin,
        std::size_t len)
      : n_(n), leaves_(leaves), challenges_(challenges), begin_(begin), len_(len) {}

  void reset(std::size_t begin, std::size_t len) {
    begin_ = begin;
    len_ = len;
    cache_.clear();
    used_ = 0;
  }

  const Fr* eval(const Expression& e) {
    auto it = cache_.find(e.node_id());
    if (it != cache_.end()) return it->second;
    const Fr* p = nullptr;
    if (e.op() == Expression::Op::kQuery) p = view(e);  // a leaf read in place when it does not wrap
    if (p == nullptr) {
      std::vector<Fr>& out = take_buffer();
      compute(e, out);
      p = out.data();
    }
    cache_.emplace(e.node_id(), p);
    return p;
  }

 private:
  // Buffers are pooled across blocks; a block uses them in order and reset() returns all.
  std::vector<Fr>& take_buffer() {
    if (used_ == pool_.size()) pool_.push_back(std::make_unique<std::vector<Fr>>());
    std::vector<Fr>& b = *pool_[used_++];
    b.resize(len_);
    return b;
  }

  std::size_t leaf_start(const Expression& e) const {
    std::int64_t rot = e.rotation() % std::int64_t(n_);
    if (rot < 0) rot += std::int64_t(n_);
    return (begin_ + std::size_t(rot)) % n_;
  }
  const Fr* view(const Expression& e) const {
    std::size_t start = leaf_start(e);
    if (start + len_ > n_) return nullptr;
    const Fr* src = leaves_(e.column());
    assert(src != nullptr);
    return src + start;
  }

  void compute(const Expression& e, std::vector<Fr>& out) {
    switch (e.op()) {
      case Expression::Op::kConstant:
        std::fill(out.begin(), out.end(), e.constant_value());
        return;
      case Expression::Op::kChallenge:
        assert(e.challenge_index() < challenges_.size());
        std::fill(out.begin(), out.end(), challenges_[e.challenge_index()]);
        return;
      case Expression::Op::kQuery: {  // wrapping around the end of the domain: copy
        const Fr* src = leaves_(e.column());
        assert(src != nullptr);
        std::size_t start = leaf_start(e);
        for (std::size_t i = 0; i < len_; ++i) {
          out[i] = src[start];
          if (++start == n_) start = 0;
        }
        return;
      }
      case Expression::Op::kNegated: {
        const Fr* a = eval(e.lhs());
        for (std::size_t i = 0; i < len_; ++i) out[i] = -a[i];
        return;
      }
      case Expression::Op::kScaled: {
        const Fr* a = eval(e.lhs());
        std::vector<Fr> factor(len_, e.constant_value());
        field::mul_batch<Fr>(out, std::span<const Fr>(a, len_), factor);
        return;
      }
      case Expression::Op::kSum: {
        const Fr* a = eval(e.lhs());
        const Fr* b = eval(e.rhs());
        for (std::size_t i = 0; i < len_; ++i) out[i] = a[i] + b[i];
        return;
      }
      case Expression::Op::kProduct: {
        const Fr* a = eval(e.lhs());
        const Fr* b = eval(e.rhs());
        field::mul_batch<Fr>(out, std::span<const Fr>(a, len_), std::span<const Fr>(b, len_));
        return;
      }
    }
  }

  std::size_t n_;
  const BlockEvaluator::Leaves& leaves_;
  const std::vector<Fr>& challenges_;
  std::size_t begin_, len_;
  std::unordered_map<const void*, const Fr*> cache_;
  std::vector<std::unique_ptr<std::vector<Fr>>> pool_;
  std::size_t used_ = 0;
};

}  // namespace

BlockEvaluator::BlockEvaluator(std::size_t n, Leaves leaves, std::span<const Fr> challenges)
    : n_(n), leaves_(std::move(leaves)), challenges_(challenges.begin(), challenges.end()) {}

void BlockEvaluator::evaluate(const Expression& e, std::span<Fr> out) const {
  assert(out.size() == n_);
  const std::size_t blocks = (n_ + kBlock - 1) / kBlock;
  parallel_for(blocks, 1, [&](std::size_t b0, std::size_t b1) {
    Block block(n_, leaves_, challenges_, 0, 0);
    for (std::size_t b = b0; b < b1; ++b) {
      std::size_t begin = b * kBlock, len = std::min(kBlock, n_ - begin);
      block.reset(begin, len);
      const Fr* v = block.eval(e);
      std::copy(v, v + len, out.begin() + long(begin));
    }
  });
}

void BlockEvaluator::combine(std::span<const Expression> terms, const Fr& y, std::span<Fr> out) const {
  assert(out.size() == n_);
  const std::size_t blocks = (n_ + kBlock - 1) / kBlock;
  parallel_for(blocks, 1, [&](std::size_t b0, std::size_t b1) {
    Block block(n_, leaves_, challenges_, 0, 0);
    std::vector<Fr> acc, ys;
    for (std::size_t b = b0; b < b1; ++b) {
      std::size_t begin = b * kBlock, len = std::min(kBlock, n_ - begin);
      block.reset(begin, len);
      acc.assign(len, Fr::zero());
      ys.assign(len, y);
      for (const Expression& t : terms) {
        field::mul_batch<Fr>(acc, acc, ys);
        const Fr* v = block.eval(t);
        for (std::size_t i = 0; i < len; ++i) acc[i] += v[i];
      }
      std::copy(acc.begin(), acc.end(), out.begin() + long(begin));
    }
  });
}

}  // namespace verdict::plonk::detail
