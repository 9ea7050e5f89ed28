#pragma once
// out[i] = a[i] * b[i] over a whole array: the throughput form of field
// multiplication (pointwise polynomial products, batch scalings). With AVX-512 IFMA
// eight products run per instruction sequence: the IFMA product is a b / T with
// T = 2^260 = 16 R, and times16 (a shift and conditional subtractions, cheaper than a
// second product) restores the R-form: 16 (a b / 16R) = a b / R. Otherwise, and for
// the tail, the scalar product. Constant time. out may alias a or b.

#include <cassert>
#include <span>

#include "snark/field/ifma8.hpp"

namespace verdict::field {

template <class F>
void mul_batch(std::span<F> out, std::span<const F> a, std::span<const F> b) {
  assert(out.size() == a.size() && a.size() == b.size());
  std::size_t i = 0;
#ifdef VERDICT_HAVE_IFMA8
  for (; i + 16 <= out.size(); i += 16) {
    ifma8::Vec8 p0 = ifma8::mul<F>(ifma8::load(&a[i]), ifma8::load(&b[i]));
    ifma8::Vec8 p1 = ifma8::mul<F>(ifma8::load(&a[i + 8]), ifma8::load(&b[i + 8]));
    ifma8::store(&out[i], ifma8::times16<F>(p0));
    ifma8::store(&out[i + 8], ifma8::times16<F>(p1));
  }
#endif
  for (; i < out.size(); ++i) out[i] = a[i] * b[i];
}

}  // namespace verdict::field
