#include "snark/curve/msm.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

#include "base/parallel.hpp"

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
  d.windows = (255 + c - 1) / c;  // 254-bit scalars plus one bit of carry
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
    point_.reserve(batch);
    den_.reserve(batch);
    prefix_.reserve(batch);
  }

  // Adds the non-identity affine point (px, py) to bucket b.
  void add(std::uint32_t b, const Base& px, const Base& py) {
    if (epoch_[b] == cur_epoch_) {  // b already has an addition pending in this batch
      queue_.push_back({b, px, py});
      return;
    }
    if (!full_[b]) {
      xy_[b] = {px, py};
      full_[b] = 1;
      return;
    }
    epoch_[b] = cur_epoch_;
    bucket_.push_back(b);
    point_.push_back({px, py});
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
          add(pending_[i].b, pending_[i].x, pending_[i].y);
        } else {
          for (std::size_t k = i; k + 1 < j; k += 2) {
            pair_left_.push_back(k);
            pair_right_.push_back(k + 1);
          }
          if ((j - i) % 2 == 1) queue_.push_back(pending_[j - 1]);
        }
        i = j;
      }
      add_pairs_into_queue();
      if (!bucket_.empty()) process_batch();
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
  struct Queued {
    std::uint32_t b;
    Base x, y;
  };

  // queue_ += pending_[pair_left_[k]] + pending_[pair_right_[k]] for every k, with
  // one shared inversion (P + (-P) contributes nothing).
  void add_pairs_into_queue() {
    const std::size_t m = pair_left_.size();
    if (m == 0) return;
    den_.resize(m);
    prefix_.resize(m);
    kind_.resize(m);
    Base acc = Base::one();
    for (std::size_t k = 0; k < m; ++k) {
      const Queued& a = pending_[pair_left_[k]];
      const Queued& b = pending_[pair_right_[k]];
      kind_[k] = classify(a.x, a.y, b.x, b.y, den_[k]);
      prefix_[k] = acc;
      acc *= den_[k];
    }
    Base inv = acc.inverse();
    for (std::size_t k = m; k-- > 0;) {
      Base den_inv = inv * prefix_[k];
      inv *= den_[k];
      if (kind_[k] == kCancel) continue;
      const Queued& a = pending_[pair_left_[k]];
      const Queued& b = pending_[pair_right_[k]];
      Queued sum{a.b, a.x, a.y};
      affine_add(sum.x, sum.y, b.x, b.y, kind_[k], den_inv);
      queue_.push_back(sum);
    }
  }

  // The kind of P1 + P2 and the denominator of its slope: x2 - x1 for an addition,
  // 2 y1 for a doubling; P + (-P) is the identity and needs no inversion (1).
  static std::uint8_t classify(const Base& x1, const Base& y1, const Base& x2, const Base& y2, Base& den) {
    if (x1 == x2) {
      if (y1 == y2 && !y1.is_zero()) {
        den = y1.dbl();
        return kDouble;
      }
      den = Base::one();
      return kCancel;
    }
    den = x2 - x1;
    return kAdd;
  }

  // (x1, y1) += (x2, y2) given the inverse of the slope denominator.
  static void affine_add(Base& x1, Base& y1, const Base& x2, const Base& y2, std::uint8_t kind, const Base& den_inv) {
    Base lambda, x3;
    if (kind == kAdd) {
      lambda = (y2 - y1) * den_inv;
      x3 = lambda.square() - x1 - x2;
    } else {
      Base xx = x1.square();
      lambda = (xx.dbl() + xx) * den_inv;
      x3 = lambda.square() - x1.dbl();
    }
    y1 = lambda * (x1 - x3) - y1;
    x1 = x3;
  }

  void process_batch() {
    const std::size_t m = bucket_.size();
    den_.resize(m);
    prefix_.resize(m);
    kind_.resize(m);
    Base acc = Base::one();
    for (std::size_t j = 0; j < m; ++j) {
      std::uint32_t b = bucket_[j];
      kind_[j] = classify(xy_[b].x, xy_[b].y, point_[j].x, point_[j].y, den_[j]);
      prefix_[j] = acc;
      acc *= den_[j];
    }
    Base inv = acc.inverse();
    for (std::size_t j = m; j-- > 0;) {
      Base den_inv = inv * prefix_[j];
      inv *= den_[j];
      std::uint32_t b = bucket_[j];
      if (kind_[j] == kCancel) {
        full_[b] = 0;
        continue;
      }
      affine_add(xy_[b].x, xy_[b].y, point_[j].x, point_[j].y, kind_[j], den_inv);
    }
    bucket_.clear();
    point_.clear();
    ++cur_epoch_;
  }

  enum Kind : std::uint8_t { kAdd, kDouble, kCancel };

  struct XY {
    Base x, y;
  };
  std::vector<XY> xy_;  // bucket b's point when full_[b]
  std::vector<std::uint8_t> full_;
  std::vector<std::uint32_t> epoch_;
  std::uint32_t cur_epoch_ = 1;
  std::size_t batch_cap_;
  std::vector<std::uint32_t> bucket_;
  std::vector<XY> point_;
  std::vector<Base> den_, prefix_;
  std::vector<std::uint8_t> kind_;
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
  BatchAffineBuckets<Config> acc(buckets, std::min<std::size_t>(2048, std::max<std::size_t>(32, buckets / 8)));
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
  // About log2(n) - 3 balances the n*w bucket additions against the 2^c * w bucket
  // reduction; tuned with bench_curve (docs/benchmarks.md).
  return std::clamp(log - 3, 4u, 18u);
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
