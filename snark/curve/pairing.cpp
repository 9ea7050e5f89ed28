#include "snark/curve/pairing.hpp"

#include <array>

namespace verdict::curve {

namespace {

using field::Fq6;
using field::u128;

// Signed binary (NAF) digits of 6u + 2, least significant first.
struct AteLoop {
  std::array<signed char, 70> digit{};
  int length = 0;
};
constexpr AteLoop make_ate_loop() {
  AteLoop l;
  u128 n = u128(6) * kBnU + 2;
  while (n != 0) {
    signed char d = 0;
    if (n & 1) {
      d = static_cast<signed char>(2 - int(n & 3));  // n mod 4 = 1 -> 1, 3 -> -1
      n = d == 1 ? n - 1 : n + 1;
    }
    l.digit[l.length++] = d;
    n >>= 1;
  }
  return l;
}
constexpr AteLoop kAteLoop = make_ate_loop();
constexpr bool check_ate_loop() {
  u128 sum = 0;
  for (int i = kAteLoop.length - 1; i >= 0; --i) {
    sum = sum * 2;
    if (kAteLoop.digit[i] == 1) sum += 1;
    if (kAteLoop.digit[i] == -1) sum -= 1;
  }
  return sum == u128(6) * kBnU + 2 && kAteLoop.digit[kAteLoop.length - 1] == 1;
}
static_assert(check_ate_loop(), "NAF of 6u+2");

constexpr Fq kTwoInv = Fq::from_u64(2).inverse();
constexpr Fq2 kTwistB = G2Config::kB;
constexpr Fq2 kFrobX = field::detail::kFrobeniusGamma[1].square();                                     // xi^((p-1)/3)
constexpr Fq2 kFrobY = field::detail::kFrobeniusGamma[1].square() * field::detail::kFrobeniusGamma[1];  // xi^((p-1)/2)

struct HomProjective {
  Fq2 x, y, z;
};

G2Prepared::Line doubling_step(HomProjective& r) {
  Fq2 a = (r.x * r.y).mul_by_fq(kTwoInv);
  Fq2 b = r.y.square();
  Fq2 c = r.z.square();
  Fq2 e = kTwistB * (c.dbl() + c);
  Fq2 f = e.dbl() + e;
  Fq2 g = (b + f).mul_by_fq(kTwoInv);
  Fq2 h = (r.y + r.z).square() - (b + c);
  Fq2 i = e - b;
  Fq2 j = r.x.square();
  Fq2 e2 = e.square();
  r.x = a * (b - f);
  r.y = g.square() - (e2.dbl() + e2);
  r.z = b * h;
  return {-h, j.dbl() + j, i};
}

G2Prepared::Line addition_step(HomProjective& r, const G2Affine& q) {
  Fq2 theta = r.y - q.y * r.z;
  Fq2 lambda = r.x - q.x * r.z;
  Fq2 c = theta.square();
  Fq2 d = lambda.square();
  Fq2 e = lambda * d;
  Fq2 f = r.z * c;
  Fq2 g = r.x * d;
  Fq2 h = e + f - g.dbl();
  r.x = lambda * h;
  r.y = theta * (g - h) - e * r.y;
  r.z = r.z * e;
  Fq2 j = theta * q.x - lambda * q.y;
  return {lambda, -theta, j};
}

G2Affine frobenius_on_twist(const G2Affine& q) {
  return G2Affine::from_xy_unchecked(q.x.conjugate() * kFrobX, q.y.conjugate() * kFrobY);
}

void ell(Fq12& f, const G2Prepared::Line& line, const G1Affine& p) {
  f = f.mul_by_034(line.c0.mul_by_fq(p.y), line.c1.mul_by_fq(p.x), line.c2);
}

}  // namespace

G2Prepared G2Prepared::from(const G2Affine& q) {
  G2Prepared out;
  if (q.infinity) return out;
  out.infinity = false;
  out.lines.reserve(2 * kAteLoop.length + 2);
  HomProjective r{q.x, q.y, Fq2::one()};
  G2Affine neg_q = -q;
  for (int i = kAteLoop.length - 2; i >= 0; --i) {
    out.lines.push_back(doubling_step(r));
    if (kAteLoop.digit[i] == 1) out.lines.push_back(addition_step(r, q));
    if (kAteLoop.digit[i] == -1) out.lines.push_back(addition_step(r, neg_q));
  }
  G2Affine q1 = frobenius_on_twist(q);
  G2Affine q2 = -frobenius_on_twist(q1);
  out.lines.push_back(addition_step(r, q1));
  out.lines.push_back(addition_step(r, q2));
  return out;
}

Fq12 miller_loop(std::span<const std::pair<G1Affine, const G2Prepared*>> pairs) {
  // Pairs with an identity on either side contribute 1 and are skipped.
  std::vector<std::pair<const G1Affine*, const G2Prepared*>> live;
  for (const auto& [p, q] : pairs) {
    if (!p.infinity && !q->infinity) live.emplace_back(&p, q);
  }
  std::vector<std::size_t> idx(live.size(), 0);
  Fq12 f = Fq12::one();
  for (int i = kAteLoop.length - 2; i >= 0; --i) {
    if (i != kAteLoop.length - 2) f = f.square();
    for (std::size_t k = 0; k < live.size(); ++k) ell(f, live[k].second->lines[idx[k]++], *live[k].first);
    if (kAteLoop.digit[i] != 0) {
      for (std::size_t k = 0; k < live.size(); ++k) ell(f, live[k].second->lines[idx[k]++], *live[k].first);
    }
  }
  for (std::size_t k = 0; k < live.size(); ++k) ell(f, live[k].second->lines[idx[k]++], *live[k].first);
  for (std::size_t k = 0; k < live.size(); ++k) ell(f, live[k].second->lines[idx[k]++], *live[k].first);
  return f;
}

namespace {
// f^(-u) for f in the cyclotomic subgroup (u > 0, so f^u then conjugate).
Fq12 exp_by_neg_u(const Fq12& f) { return f.cyclotomic_pow(kBnU).conjugate(); }
}  // namespace

Fq12 final_exponentiation(const Fq12& f) {
  // Easy part: r = f^((p^6 - 1)(p^2 + 1)).
  Fq12 r = f.conjugate() * f.inverse();
  r = r.frobenius(2) * r;
  // Hard part.
  Fq12 y0 = exp_by_neg_u(r);
  Fq12 y1 = y0.cyclotomic_square();
  Fq12 y2 = y1.cyclotomic_square();
  Fq12 y3 = y2 * y1;
  Fq12 y4 = exp_by_neg_u(y3);
  Fq12 y5 = y4.cyclotomic_square();
  Fq12 y6 = exp_by_neg_u(y5);
  y3 = y3.conjugate();
  y6 = y6.conjugate();
  Fq12 y7 = y6 * y4;
  Fq12 y8 = y7 * y3;
  Fq12 y9 = y8 * y1;
  Fq12 y10 = y8 * y4;
  Fq12 y11 = y10 * r;
  Fq12 y12 = y9.frobenius(1);
  Fq12 y13 = y12 * y11;
  Fq12 y14 = y8.frobenius(2) * y13;
  Fq12 y15 = (r.conjugate() * y9).frobenius(3);
  return y15 * y14;
}

Fq12 pairing(const G1Affine& p, const G2Affine& q) {
  G2Prepared prepared = G2Prepared::from(q);
  std::pair<G1Affine, const G2Prepared*> pair{p, &prepared};
  return final_exponentiation(miller_loop(std::span(&pair, 1)));
}

bool pairing_product_is_one(std::span<const std::pair<G1Affine, const G2Prepared*>> pairs) {
  return final_exponentiation(miller_loop(pairs)).is_one();
}

bool pairing_product_is_one(std::span<const std::pair<G1Affine, G2Affine>> pairs) {
  std::vector<G2Prepared> prepared;
  prepared.reserve(pairs.size());
  std::vector<std::pair<G1Affine, const G2Prepared*>> refs;
  refs.reserve(pairs.size());
  for (const auto& [p, q] : pairs) prepared.push_back(G2Prepared::from(q));
  for (std::size_t i = 0; i < pairs.size(); ++i) refs.emplace_back(pairs[i].first, &prepared[i]);
  return pairing_product_is_one(std::span<const std::pair<G1Affine, const G2Prepared*>>(refs));
}

}  // namespace verdict::curve
