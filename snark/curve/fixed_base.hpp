#pragma once
// Many scalar multiples of one fixed point: [k_1]G, [k_2]G, ... (SRS generation).
//
// A table holds d * 2^(w j) * G for every digit d in [1, 2^w) and window j, in affine
// form, so a multiple costs ceil(256/w) mixed additions and no doublings. The batch
// function splits the scalars over all cores and normalises each chunk's results with
// one inversion. Variable time (for public or test scalars only: the dev SRS's tau is
// not secret by construction).

#include <span>
#include <vector>

#include "base/parallel.hpp"
#include "snark/curve/point.hpp"

namespace verdict::curve {

template <class Config>
class FixedBaseTable {
 public:
  using Affine = AffinePoint<Config>;
  using Jacobian = JacobianPoint<Config>;

  // Requires 1 <= window <= 16.
  FixedBaseTable(const Jacobian& base, unsigned window) : w_(window), windows_((256 + window - 1) / window) {
    const std::size_t per = (std::size_t(1) << w_) - 1;
    std::vector<Jacobian> jac(windows_ * per);
    Jacobian row_base = base;
    for (unsigned j = 0; j < windows_; ++j) {
      Jacobian acc = row_base;
      for (std::size_t d = 0; d < per; ++d) {
        jac[j * per + d] = acc;
        acc += row_base;
      }
      row_base = acc;  // 2^w * row_base
    }
    table_.resize(jac.size());
    Jacobian::batch_to_affine(jac, table_);
  }

  Jacobian mul_vartime(const field::Limbs& k) const {
    const std::size_t per = (std::size_t(1) << w_) - 1;
    Jacobian acc = Jacobian::identity();
    for (unsigned j = 0; j < windows_; ++j) {
      unsigned bit = j * w_, word = bit / 64, shift = bit % 64;
      std::uint64_t v = word < 4 ? k[word] >> shift : 0;
      if (shift + w_ > 64 && word + 1 < 4) v |= k[word + 1] << (64 - shift);
      v &= (std::uint64_t(1) << w_) - 1;
      if (v) acc = acc.add_mixed(table_[j * per + (v - 1)]);
    }
    return acc;
  }

  // [k_i]G for every scalar, in affine form.
  std::vector<Affine> mul_many_vartime(std::span<const Fr> scalars) const {
    std::vector<Affine> out(scalars.size());
    parallel_for(scalars.size(), 1024, [&](std::size_t begin, std::size_t end) {
      constexpr std::size_t kChunk = 4096;
      std::vector<Jacobian> jac;
      for (std::size_t b = begin; b < end; b += kChunk) {
        std::size_t e = std::min(end, b + kChunk);
        jac.resize(e - b);
        for (std::size_t i = b; i < e; ++i) jac[i - b] = mul_vartime(scalars[i].to_canonical());
        Jacobian::batch_to_affine(jac, std::span<Affine>(out.data() + b, e - b));
      }
    });
    return out;
  }

 private:
  unsigned w_, windows_;
  std::vector<Affine> table_;
};

}  // namespace verdict::curve
