#include "snark/poly/ntt.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <string>

#include "base/parallel.hpp"
#include "snark/poly/ntt_kernels.hpp"

namespace verdict::poly {

namespace detail {

namespace {

std::size_t reverse_bits(std::size_t x, unsigned bits) {
  if (bits == 0) return 0;
  std::uint64_t v = x;
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  v = __builtin_bswap64(v);
  return std::size_t(v >> (64 - bits));
}

bool use_ifma(const NttPlan& p, Backend backend) { return backend == Backend::kAuto && ifma_available() && p.k >= 6; }

}  // namespace

void for_each_chunk(std::size_t count, bool parallel, const std::function<void(std::size_t, std::size_t)>& body) {
  const std::size_t workers = parallel ? worker_count() : 1;
  if (workers <= 1 || count <= 1) {
    if (count) body(0, count);
    return;
  }
  const std::size_t chunk = (count + 8 * workers - 1) / (8 * workers);
  const std::size_t chunks = (count + chunk - 1) / chunk;
  parallel_tasks(chunks, [&](std::size_t c) { body(c * chunk, std::min(count, (c + 1) * chunk)); });
}

void dif(const NttPlan& p, const TwiddleSet& tw, const ScaleSet* scale, std::span<Fr> a, Backend backend) {
  if (use_ifma(p, backend)) {
    dif_ifma(p, tw, scale, a.data());
  } else {
    dif_scalar(p, tw, scale, a.data());
  }
}

void dit(const NttPlan& p, const TwiddleSet& tw, const ScaleSet* scale, std::span<Fr> a, Backend backend) {
  if (use_ifma(p, backend)) {
    dit_ifma(p, tw, scale, a.data());
  } else {
    dit_scalar(p, tw, scale, a.data());
  }
}

// Tiles of 16 x 16 elements: index i = (hi, mid, lo) with 4-bit hi and lo, so
// bitrev(i) = (rev lo, rev mid, rev hi). Tile `mid` and tile `rev mid` exchange
// contents, each read and written as 16 runs of 16 consecutive elements.
void bit_reverse(std::span<Fr> a) {
  const std::size_t n = a.size();
  const unsigned k = unsigned(std::countr_zero(n));
  constexpr unsigned t = 4;
  constexpr std::size_t T = std::size_t(1) << t;
  if (k < 2 * t + 2) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t j = reverse_bits(i, k);
      if (i < j) std::swap(a[i], a[j]);
    }
    return;
  }
  const unsigned mid_bits = k - 2 * t;
  const std::size_t mids = std::size_t(1) << mid_bits;
  std::array<std::size_t, T> rev_t{};
  for (std::size_t i = 0; i < T; ++i) rev_t[i] = reverse_bits(i, t);
  Fr* data = a.data();
  for_each_chunk(mids, n >= kParallelThreshold, [&](std::size_t begin, std::size_t end) {
    std::array<Fr, T * T> x, y;
    for (std::size_t mid = begin; mid < end; ++mid) {
      const std::size_t rmid = reverse_bits(mid, mid_bits);
      if (rmid < mid) continue;
      Fr* tx = data + (mid << t);
      Fr* ty = data + (rmid << t);
      const std::size_t row_stride = std::size_t(1) << (k - t);
      for (std::size_t h = 0; h < T; ++h) {
        for (std::size_t l = 0; l < T; ++l) {
          x[h * T + l] = tx[h * row_stride + l];
          y[h * T + l] = ty[h * row_stride + l];
        }
      }
      for (std::size_t h = 0; h < T; ++h) {
        for (std::size_t l = 0; l < T; ++l) {
          tx[h * row_stride + l] = y[rev_t[l] * T + rev_t[h]];
          ty[h * row_stride + l] = x[rev_t[l] * T + rev_t[h]];
        }
      }
    }
  });
}

}  // namespace detail

namespace {

Status check_size(const EvaluationDomain& d, std::span<Fr> a, const char* what) {
  if (a.size() != d.size()) {
    return Error{std::string(what) + ": input has " + std::to_string(a.size()) + " elements, the domain " +
                 std::to_string(d.size())};
  }
  return Status::ok_status();
}

}  // namespace

Status ntt(const EvaluationDomain& d, std::span<Fr> a) {
  if (Status s = check_size(d, a, "ntt"); !s) return s;
  detail::dif(d.plan(), d.plan().forward, nullptr, a);
  detail::bit_reverse(a);
  return Status::ok_status();
}

Status intt(const EvaluationDomain& d, std::span<Fr> a) {
  if (Status s = check_size(d, a, "intt"); !s) return s;
  detail::bit_reverse(a);
  detail::dit(d.plan(), d.plan().inverse, &d.plan().inverse_scale, a);
  return Status::ok_status();
}

Status coset_ntt(const EvaluationDomain& d, std::span<Fr> a) {
  if (Status s = check_size(d, a, "coset_ntt"); !s) return s;
  detail::dif(d.plan(), d.plan().forward, &d.plan().coset_forward, a);
  detail::bit_reverse(a);
  return Status::ok_status();
}

Status coset_intt(const EvaluationDomain& d, std::span<Fr> a) {
  if (Status s = check_size(d, a, "coset_intt"); !s) return s;
  detail::bit_reverse(a);
  detail::dit(d.plan(), d.plan().inverse, &d.plan().coset_inverse, a);
  return Status::ok_status();
}

Status ntt_to_bitrev(const EvaluationDomain& d, std::span<Fr> a) {
  if (Status s = check_size(d, a, "ntt_to_bitrev"); !s) return s;
  detail::dif(d.plan(), d.plan().forward, nullptr, a);
  return Status::ok_status();
}

Status coset_ntt_to_bitrev(const EvaluationDomain& d, std::span<Fr> a) {
  if (Status s = check_size(d, a, "coset_ntt_to_bitrev"); !s) return s;
  detail::dif(d.plan(), d.plan().forward, &d.plan().coset_forward, a);
  return Status::ok_status();
}

Status intt_from_bitrev(const EvaluationDomain& d, std::span<Fr> a) {
  if (Status s = check_size(d, a, "intt_from_bitrev"); !s) return s;
  detail::dit(d.plan(), d.plan().inverse, &d.plan().inverse_scale, a);
  return Status::ok_status();
}

Status coset_intt_from_bitrev(const EvaluationDomain& d, std::span<Fr> a) {
  if (Status s = check_size(d, a, "coset_intt_from_bitrev"); !s) return s;
  detail::dit(d.plan(), d.plan().inverse, &d.plan().coset_inverse, a);
  return Status::ok_status();
}

Status ntt_dif(const EvaluationDomain& d, std::span<Fr> a, NttDirection direction) {
  if (Status s = check_size(d, a, "ntt_dif"); !s) return s;
  const auto& tw = direction == NttDirection::kForward ? d.plan().forward : d.plan().inverse;
  detail::dif(d.plan(), tw, nullptr, a);
  return Status::ok_status();
}

Status ntt_dit(const EvaluationDomain& d, std::span<Fr> a, NttDirection direction) {
  if (Status s = check_size(d, a, "ntt_dit"); !s) return s;
  const auto& tw = direction == NttDirection::kForward ? d.plan().forward : d.plan().inverse;
  detail::dit(d.plan(), tw, nullptr, a);
  return Status::ok_status();
}

Status bit_reverse_permute(std::span<Fr> a) {
  if (!std::has_single_bit(a.size())) {
    return Error{"bit_reverse_permute: size " + std::to_string(a.size()) + " is not a power of two"};
  }
  detail::bit_reverse(a);
  return Status::ok_status();
}

}  // namespace verdict::poly
