#pragma once
// 4-limb Montgomery multiplication with MULX/ADCX/ADOX (BMI2 + ADX), used by
// MontgomeryField at run time when the target has both extensions.
//
// Same algorithm as MontgomeryField::mont_mul (CIOS, no final carry word, valid for a
// modulus whose top limb is < 2^62), written so that each of the four rounds runs two
// independent carry chains: ADOX carries the low halves of the partial products, ADCX
// the high halves. Round i adds a*b[i] into the accumulator (t0..t3, top word t4), then
// adds m*p with m = t0 * (-p^{-1}) mod 2^64, which zeroes t0; the accumulator then
// shifts down one word by renaming registers instead of moving them. A final
// subtraction of p, kept or discarded with CMOV, brings the result below p. No branch
// or memory access depends on the operands.

#include <cstdint>

#if defined(__x86_64__) && defined(__ADX__) && defined(__BMI2__)
#define VERDICT_HAVE_ADX 1

namespace verdict::field::detail {

// acc (w0..w3) += a * b[i]; the carry word goes to w4 (overwritten).
#define VERDICT_MULADD(i, w0, w1, w2, w3, w4)                                 \
  "movq " #i "*8(%[b]), %%rdx\n\t"                                            \
  "xorl %%eax, %%eax\n\t"                                                     \
  "mulxq %[a0], %[lo], %[hi]\n\t"                                           \
  "adoxq %[lo], %[" #w0 "]\n\t"                                               \
  "adcxq %[hi], %[" #w1 "]\n\t"                                               \
  "mulxq %[a1], %[lo], %[hi]\n\t"                                           \
  "adoxq %[lo], %[" #w1 "]\n\t"                                               \
  "adcxq %[hi], %[" #w2 "]\n\t"                                               \
  "mulxq %[a2], %[lo], %[hi]\n\t"                                          \
  "adoxq %[lo], %[" #w2 "]\n\t"                                               \
  "adcxq %[hi], %[" #w3 "]\n\t"                                               \
  "mulxq %[a3], %[lo], %[" #w4 "]\n\t"                                     \
  "adoxq %[lo], %[" #w3 "]\n\t"                                               \
  "adoxq %%rax, %[" #w4 "]\n\t"                                               \
  "adcxq %%rax, %[" #w4 "]\n\t"

// acc (w0..w4) += m * p with m chosen so that w0 becomes zero.
#define VERDICT_REDUCE(w0, w1, w2, w3, w4)                                    \
  "movq %[" #w0 "], %%rdx\n\t"                                                \
  "imulq %[inv], %%rdx\n\t"                                                   \
  "xorl %%eax, %%eax\n\t"                                                     \
  "mulxq %[p0], %[lo], %[hi]\n\t"                                             \
  "adoxq %[lo], %[" #w0 "]\n\t"                                               \
  "adcxq %[hi], %[" #w1 "]\n\t"                                               \
  "mulxq %[p1], %[lo], %[hi]\n\t"                                             \
  "adoxq %[lo], %[" #w1 "]\n\t"                                               \
  "adcxq %[hi], %[" #w2 "]\n\t"                                               \
  "mulxq %[p2], %[lo], %[hi]\n\t"                                             \
  "adoxq %[lo], %[" #w2 "]\n\t"                                               \
  "adcxq %[hi], %[" #w3 "]\n\t"                                               \
  "mulxq %[p3], %[lo], %[hi]\n\t"                                             \
  "adoxq %[lo], %[" #w3 "]\n\t"                                               \
  "adcxq %[hi], %[" #w4 "]\n\t"                                               \
  "adoxq %%rax, %[" #w4 "]\n\t"

// Returns a * b * 2^-256 mod p (limbs, least significant first), for a, b < p.
struct Limbs4 {
  std::uint64_t v[4];
};

[[gnu::always_inline]] inline Limbs4 mont_mul_adx(const std::uint64_t* a, const std::uint64_t* b, const std::uint64_t* p,
                           std::uint64_t inv) {
  std::uint64_t t0, t1, t2, t3, t4, lo, hi, ax, dx;
  __asm__(
      // round 0: the accumulator starts at a * b[0]
      "movq 0(%[b]), %%rdx\n\t"
      "mulxq %[a0], %[t0], %[t1]\n\t"
      "mulxq %[a1], %%rax, %[t2]\n\t"
      "addq %%rax, %[t1]\n\t"
      "mulxq %[a2], %%rax, %[t3]\n\t"
      "adcq %%rax, %[t2]\n\t"
      "mulxq %[a3], %%rax, %[t4]\n\t"
      "adcq %%rax, %[t3]\n\t"
      "adcq $0, %[t4]\n\t"
      VERDICT_REDUCE(t0, t1, t2, t3, t4)
      // rounds 1..3, the accumulator rotating through the registers
      VERDICT_MULADD(1, t1, t2, t3, t4, t0)
      VERDICT_REDUCE(t1, t2, t3, t4, t0)
      VERDICT_MULADD(2, t2, t3, t4, t0, t1)
      VERDICT_REDUCE(t2, t3, t4, t0, t1)
      VERDICT_MULADD(3, t3, t4, t0, t1, t2)
      VERDICT_REDUCE(t3, t4, t0, t1, t2)
      // result (t4, t0, t1, t2) < 2p: subtract p unless that borrows
      "movq %[t4], %[t3]\n\t"
      "subq %[p0], %[t3]\n\t"
      "movq %[t0], %[lo]\n\t"
      "sbbq %[p1], %[lo]\n\t"
      "movq %[t1], %[hi]\n\t"
      "sbbq %[p2], %[hi]\n\t"
      "movq %[t2], %%rax\n\t"
      "sbbq %[p3], %%rax\n\t"
      "cmovcq %[t4], %[t3]\n\t"
      "cmovcq %[t0], %[lo]\n\t"
      "cmovcq %[t1], %[hi]\n\t"
      "cmovcq %[t2], %%rax\n\t"
      : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [lo] "=&r"(lo),
        [hi] "=&r"(hi), "=&a"(ax), "=&d"(dx)
      : [a0] "rm"(a[0]), [a1] "rm"(a[1]), [a2] "rm"(a[2]), [a3] "rm"(a[3]), [b] "r"(b),
        "m"(*reinterpret_cast<const std::uint64_t(*)[4]>(b)), [p0] "m"(p[0]), [p1] "m"(p[1]), [p2] "m"(p[2]),
        [p3] "m"(p[3]), [inv] "m"(inv)
      : "cc");
  return Limbs4{{t3, lo, hi, ax}};
}

#undef VERDICT_MULADD
#undef VERDICT_REDUCE

}  // namespace verdict::field::detail

#endif
