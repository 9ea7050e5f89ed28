#include "snark/curve/msm.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdint>
#include <vector>

#include "base/parallel.hpp"
#include "snark/curve/batch_affine.hpp"

namespace verdict::curve {

namespace {

// Signed-digit recoding of all scalars, window-major: digit(j, i) = digits[j * n + i].
struct SignedDigits {
  unsigned c = 0, windows = 0;
  std::size_t n = 0;
  std::vector<std::int32_t> digits;
};

SignedDigits recode(std::span<const Fr> scalars, unsigned c) {
  SignedDigits d;
  d.c = c;
  d.n = scalars.size();
  // Only as many windows as the largest scalar needs (plus a bit of carry): witness
  // columns of small integers (lookup inputs, multiplicities, quantized activations)
  // cost a few windows instead of 255 / c.
  std::atomic<unsigned> max_bits{0};
  parallel_for(d.n, 4096, [&](std::size_t begin, std::size_t end) {
    unsigned most = 0;
    for (std::size_t i = begin; i < end; ++i) most = std::max(most, field::bigint::bit_length(scalars[i].to_canonical()));
    unsigned seen = max_bits.load();
    while (most > seen && !max_bits.compare_exchange_weak(seen, most)) {
    }
  });
  d.windows = std::max(1u, (max_bits + 1 + c - 1) / c);
  d.digits.assign(std::size_t(d.windows) * d.n, 0);
  const std::int64_t half = std::int64_t(1) << (c - 1), full = std::int64_t(1) << c;
  const std::uint64_t mask = (std::uint64_t(1) << c) - 1;
  parallel_for(d.n, 4096, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      field::Limbs k = scalars[i].to_canonical();
      std::int64_t carry = 0;
      for (unsigned j = 0; j < d.windows; ++j) {
        unsigned bit = j * c, word = bit / 64, shift = bit % 64;
        std::uint64_t v = word < 4 ? k[word] >> shift : 0;
        if (shift + c > 64 && word + 1 < 4) v |= k[word + 1] << (64 - shift);
        std::int64_t digit = std::int64_t(v & mask) + carry;
        carry = 0;
        if (digit > half) {
          digit -= full;
          carry = 1;
        }
        d.digits[std::size_t(j) * d.n + i] = std::int32_t(digit);
      }
      assert(carry == 0);
    }
  });
  return d;
}

// Buckets of one window in affine coordinates, filled by batched affine additions.
template <class Config>
class BatchAffineBuckets {
 public:
  using Base = typename Config::Base;
  using Affine = AffinePoint<Config>;
  using Jacobian = JacobianPoint<Config>;

  explicit BatchAffineBuckets(std::size_t count, std::size_t batch)
      : xy_(count), full_(count, 0), epoch_(count, 0), batch_cap_(batch) {
    bucket_.reserve(batch);
    sx2_.resize(batch);
    sy2_.resize(batch);
    prefix_.reserve(batch);
  }

  // Adds the non-identity affine point (px, py) to bucket b.
  void add(std::uint32_t b, const Base& px, const Base& py) {
    if (epoch_[b] == cur_epoch_) {  // b already has an addition pending in this batch
      queue_.push_back({b, {px, py}});
      return;
    }
    if (!full_[b]) {
      xy_[b] = {px, py};
      full_[b] = 1;
      return;
    }
    epoch_[b] = cur_epoch_;
    sx2_[bucket_.size()] = px;  // staged where the kernel reads its second operand
    sy2_[bucket_.size()] = py;
    bucket_.push_back(b);
    if (bucket_.size() == batch_cap_) process_batch();
  }

  std::size_t queued() const { return queue_.size(); }

  // Completes every pending and queued addition. Queued items that share a bucket
  // are first added to each other pairwise, in batch-affine rounds that halve them,
  // so a bucket that receives most points (equal scalars, a small top window) costs
  // O(n) additions rather than O(n) rounds.
  void drain() {
    if (!bucket_.empty()) process_batch();
    while (!queue_.empty()) {
      pending_.clear();
      pending_.swap(queue_);
      std::sort(pending_.begin(), pending_.end(), [](const Queued& a, const Queued& b) { return a.b < b.b; });
      // Pair neighbours with the same bucket; the sums (and any odd one out) go to
      // the next round, singletons straight into their buckets.
      pair_left_.clear();
      pair_right_.clear();
      std::size_t i = 0;
      while (i < pending_.size()) {
        std::size_t j = i;
        while (j < pending_.size() && pending_[j].b == pending_[i].b) ++j;
        if (j - i == 1) {
          add(pending_[i].b, pending_[i].p.x, pending_[i].p.y);
        } else {
          for (std::size_t k = i; k + 1 < j; k += 2) {
            pair_left_.push_back(k);
            pair_right_.push_back(k + 1);
          }
          if ((j - i) % 2 == 1) queue_.push_back(pending_[j - 1]);
        }
        i = j;
      }
      // The pending batch's points sit in the staging arrays the pairing reuses.
      if (!bucket_.empty()) process_batch();
      add_pairs_into_queue();
    }
  }

  // sum_{b < count} (b + 1) * bucket_{first + b}. Requires drain().
  Jacobian weighted_sum(std::size_t first, std::size_t count) const {
    Jacobian running = Jacobian::identity(), total = Jacobian::identity();
    for (std::size_t b = first + count; b-- > first;) {
      if (full_[b]) running = running.add_mixed(Affine::from_xy_unchecked(xy_[b].x, xy_[b].y));
      total += running;
    }
    return total;
  }

 private:
  struct XY {
    Base x, y;
  };
  struct Queued {
    std::uint32_t b;
    XY p;
  };

  // queue_ += pending_[pair_left_[k]] + pending_[pair_right_[k]] for every k
  // (P + (-P) contributes nothing).
  void add_pairs_into_queue() {
    combine(
        pair_left_.size(), [&](std::size_t k) -> XY& { return pending_[pair_left_[k]].p; },
        [&](std::size_t k) { return pending_[pair_right_[k]].p; },
        [&](std::size_t k, bool identity) {
          if (!identity) queue_.push_back(pending_[pair_left_[k]]);
        });
  }

  // bucket_[j] += (sx2_[j], sy2_[j]) for the batch, then a fresh batch.
  void process_batch() {
    combine(
        bucket_.size(), [&](std::size_t j) -> XY& { return xy_[bucket_[j]]; },
        [&](std::size_t j) { return XY{sx2_[j], sy2_[j]}; },
        [&](std::size_t j, bool identity) {
          if (identity) full_[bucket_[j]] = 0;
        });
    bucket_.clear();
    ++cur_epoch_;
  }

  // lhs(i) += rhs(i) for i < m, then done(i, result is the identity). Plain additions
  // run in the batch-affine kernel (eight lanes with IFMA over Fq), slot i in lane i;
  // a doubling or a P + (-P) puts a harmless dummy addition (0 + 1 in x) in its slot
  // and is handled here afterwards, the doublings with their own shared inversion.
  template <class Lhs, class Rhs, class Done>
  void combine(std::size_t m, Lhs lhs, Rhs rhs, Done done) {
    dbl_idx_.clear();
    if (sx1_.size() < m) sx1_.resize(m), sy1_.resize(m), sx2_.resize(m), sy2_.resize(m);
    special_.assign(m, 0);
    for (std::size_t i = 0; i < m; ++i) {
      const XY& a = lhs(i);
      const XY b = rhs(i);
      if (a.x != b.x) {
        sx1_[i] = a.x;
        sy1_[i] = a.y;
        sx2_[i] = b.x;
        sy2_[i] = b.y;
        continue;
      }
      special_[i] = 1;
      sx1_[i] = sy1_[i] = sy2_[i] = Base::zero();
      sx2_[i] = Base::one();
      if (a.y == b.y && !a.y.is_zero()) {
        dbl_idx_.push_back(i);
      } else {
        done(i, true);  // P + (-P)
      }
    }
    detail::batch_affine_add<Base>(m, sx1_.data(), sy1_.data(), sx2_.data(), sy2_.data(), scratch_);
    for (std::size_t i = 0; i < m; ++i) {
      if (special_[i]) continue;
      lhs(i) = {sx1_[i], sy1_[i]};
      done(i, false);
    }
    // Doublings: lambda = 3 x^2 / (2 y).
    const std::size_t nd = dbl_idx_.size();
    if (nd == 0) return;
    prefix_.resize(nd);
    Base acc = Base::one();
    for (std::size_t k = 0; k < nd; ++k) {
      prefix_[k] = acc;
      acc *= lhs(dbl_idx_[k]).y.dbl();
    }
    Base inv = acc.inverse();
    for (std::size_t k = nd; k-- > 0;) {
      XY& a = lhs(dbl_idx_[k]);
      Base den_inv = inv * prefix_[k];
      inv *= a.y.dbl();
      Base xx = a.x.square();
      Base lambda = (xx.dbl() + xx) * den_inv;
      Base x3 = lambda.square() - a.x.dbl();
      a.y = lambda * (a.x - x3) - a.y;
      a.x = x3;
      done(dbl_idx_[k], false);
    }
  }


  std::vector<XY> xy_;  // bucket b's point when full_[b]
  std::vector<std::uint8_t> full_;
  std::vector<std::uint32_t> epoch_;
  std::uint32_t cur_epoch_ = 1;
  std::size_t batch_cap_;
  std::vector<std::uint32_t> bucket_;
  std::vector<Base> prefix_, sx1_, sy1_, sx2_, sy2_;  // kernel operands, slot by slot
  std::vector<std::uint8_t> special_;
  std::vector<std::size_t> dbl_idx_;
  detail::BatchAffineScratch scratch_;
  std::vector<Queued> queue_, pending_;
  std::vector<std::size_t> pair_left_, pair_right_;
};

// The sums of windows [j0, j1), accumulated together: bucket index (j - j0) * B +
// |digit| - 1, so that a small MSM (few buckets per window) still fills large
// batches and pays for few inversions.
template <class Config>
std::vector<JacobianPoint<Config>> window_group_sums(std::span<const AffinePoint<Config>> bases, const SignedDigits& d,
                                                     unsigned j0, unsigned j1) {
  const std::size_t per_window = std::size_t(1) << (d.c - 1);
  const std::size_t buckets = per_window * (j1 - j0);
  BatchAffineBuckets<Config> acc(buckets, std::min<std::size_t>(4096, std::max<std::size_t>(32, buckets / 8)));
  for (std::size_t i = 0; i < d.n; ++i) {
    if (bases[i].infinity) continue;
    const auto& x = bases[i].x;
    const auto& y = bases[i].y;
    for (unsigned j = j0; j < j1; ++j) {
      std::int32_t digit = d.digits[std::size_t(j) * d.n + i];
      if (digit == 0) continue;
      std::uint32_t base = std::uint32_t((j - j0) * per_window);
      if (digit > 0) {
        acc.add(base + std::uint32_t(digit - 1), x, y);
      } else {
        acc.add(base + std::uint32_t(-digit - 1), x, -y);
      }
    }
    if (acc.queued() > 4096) acc.drain();
  }
  acc.drain();
  std::vector<JacobianPoint<Config>> sums;
  for (unsigned j = j0; j < j1; ++j) sums.push_back(acc.weighted_sum((j - j0) * per_window, per_window));
  return sums;
}

template <class Config>
JacobianPoint<Config> pippenger(std::span<const AffinePoint<Config>> bases, std::span<const Fr> scalars, unsigned c) {
  using Jacobian = JacobianPoint<Config>;
  assert(bases.size() == scalars.size());
  if (bases.empty()) return Jacobian::identity();
  SignedDigits d = recode(scalars, c);
  // One window per task when windows have many buckets; otherwise as many windows
  // per task as it takes to reach ~2^14 buckets, but at least one task per worker.
  const std::size_t per_window = std::size_t(1) << (c - 1);
  std::size_t per_task = std::max<std::size_t>(1, (std::size_t(1) << 14) / per_window);
  per_task = std::min<std::size_t>(per_task, (d.windows + worker_count() - 1) / worker_count());
  const std::size_t tasks = (d.windows + per_task - 1) / per_task;
  std::vector<Jacobian> sums(d.windows);
  parallel_tasks(tasks, [&](std::size_t t) {
    unsigned j0 = unsigned(t * per_task), j1 = unsigned(std::min<std::size_t>(d.windows, j0 + per_task));
    auto group = window_group_sums<Config>(bases, d, j0, j1);
    for (unsigned j = j0; j < j1; ++j) sums[j] = group[j - j0];
  });
  Jacobian result = sums[d.windows - 1];
  for (unsigned j = d.windows - 1; j-- > 0;) {
    for (unsigned k = 0; k < c; ++k) result = result.dbl();
    result += sums[j];
  }
  return result;
}

}  // namespace

unsigned msm_default_window(std::size_t n) {
  if (n < 32) return 3;
  unsigned log = 0;
  while ((std::size_t(1) << (log + 1)) <= n) ++log;
  // About log2(n) - 5 balances the n * w bucket additions (cheap with the batch-affine
  // kernel) against the 2^(c-1) * w bucket reductions (Jacobian, dearer); measured with
  // bench_curve at 2^16 .. 2^20 (docs/benchmarks.md). Below 2^14 wider windows win
  // (fewer windows, fuller batches per inversion): 8 up to 2^13, measured at 2^10 .. 2^14
  // (2^11: 26.5 ms at c = 6, 8.9 ms at c = 8).
  const unsigned small = log >= 2 ? std::min(log - 2, 8u) : 0u;
  return std::clamp(std::max(log >= 5 ? log - 5 : 0u, small), 4u, 16u);
}

G1 msm_vartime(std::span<const G1Affine> bases, std::span<const Fr> scalars) {
  return pippenger<G1Config>(bases, scalars, msm_default_window(bases.size()));
}

G2 msm_vartime(std::span<const G2Affine> bases, std::span<const Fr> scalars) {
  return pippenger<G2Config>(bases, scalars, msm_default_window(bases.size()));
}

G1 msm_vartime_window(std::span<const G1Affine> bases, std::span<const Fr> scalars, unsigned c) {
  assert(c >= 2 && c <= 24);
  return pippenger<G1Config>(bases, scalars, c);
}

}  // namespace verdict::curve
