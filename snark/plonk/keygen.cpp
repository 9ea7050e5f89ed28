#include <numeric>

#include "base/parallel.hpp"
#include "snark/plonk/keys.hpp"
#include "snark/poly/ntt.hpp"

namespace verdict::plonk {

Fr permutation_delta() {
  Fr d = Fr::from_u64(poly::EvaluationDomain::kCosetShift);
  for (unsigned i = 0; i < Fr::kTwoAdicity; ++i) d = d.square();
  return d;
}

namespace detail {

Result<std::vector<std::vector<Fr>>> build_permutation(const ConstraintSystem& cs, unsigned k,
                                                       const std::vector<std::pair<Cell, Cell>>& copies) {
  const std::size_t n = std::size_t(1) << k;
  const auto& eq = cs.equality_columns();
  const std::size_t m = eq.size();
  auto column_slot = [&](Column c) -> std::size_t {
    for (std::size_t i = 0; i < m; ++i)
      if (eq[i] == c) return i;
    return m;
  };
  // Union-find over cells id = i * n + r, then cycles in id order.
  std::vector<std::uint32_t> parent(m * n);
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const auto& [a, b] : copies) {
    std::size_t ia = column_slot(a.column), ib = column_slot(b.column);
    if (ia == m || ib == m) return Error{"copy constraint on a column without equality"};
    if (a.row >= n || b.row >= n) return Error{"copy constraint outside the domain"};
    std::uint32_t ra = find(std::uint32_t(ia * n + a.row)), rb = find(std::uint32_t(ib * n + b.row));
    if (ra != rb) parent[ra] = rb;
  }
  // sigma(cell) = next cell of the same class in id order (wrapping to the first).
  std::vector<std::uint32_t> first(m * n, UINT32_MAX), last(m * n, UINT32_MAX), next(m * n);
  for (std::uint32_t id = 0; id < m * n; ++id) {
    std::uint32_t root = find(id);
    if (first[root] == UINT32_MAX) {
      first[root] = id;
    } else {
      next[last[root]] = id;
    }
    last[root] = id;
  }
  for (std::uint32_t id = 0; id < m * n; ++id) {
    std::uint32_t root = find(id);
    if (last[root] == id) next[id] = first[root];
  }
  // Labels delta^i omega^r.
  auto domain = poly::EvaluationDomain::create(k);
  if (!domain.ok()) return domain.error();
  std::vector<Fr> omega_pow(n);
  omega_pow[0] = Fr::one();
  for (std::size_t r = 1; r < n; ++r) omega_pow[r] = omega_pow[r - 1] * domain->omega();
  std::vector<Fr> delta_pow(m);
  Fr delta = permutation_delta();
  if (m) delta_pow[0] = Fr::one();
  for (std::size_t i = 1; i < m; ++i) delta_pow[i] = delta_pow[i - 1] * delta;
  std::vector<std::vector<Fr>> sigma(m, std::vector<Fr>(n));
  parallel_for(m * n, 1 << 14, [&](std::size_t b, std::size_t e) {
    for (std::size_t id = b; id < e; ++id) {
      std::uint32_t to = next[id];
      sigma[id / n][id % n] = delta_pow[to / n] * omega_pow[to % n];
    }
  });
  return sigma;
}

std::vector<Fr> blinding_vanishing(const poly::EvaluationDomain& domain, std::size_t usable) {
  std::vector<Fr> z = {Fr::one()};
  for (std::size_t r = usable + 1; r < domain.size(); ++r) {
    // z *= (X - omega^r)
    const Fr root = domain.element(r);
    z.push_back(Fr::zero());
    for (std::size_t i = z.size() - 1; i > 0; --i) z[i] = z[i - 1] - root * z[i];
    z[0] = -root * z[0];
  }
  return z;
}

void lagrange_selectors(const poly::EvaluationDomain& domain, std::size_t usable, std::vector<Fr>& l0,
                        std::vector<Fr>& l_last, std::vector<Fr>& l_active) {
  const std::size_t n = domain.size();
  l0.assign(n, Fr::zero());
  l_last.assign(n, Fr::zero());
  l_active.assign(n, Fr::zero());
  l0[0] = Fr::one();
  l_last[usable] = Fr::one();
  for (std::size_t r = 0; r < usable; ++r) l_active[r] = Fr::one();
  (void)poly::intt(domain, l0);
  (void)poly::intt(domain, l_last);
  (void)poly::intt(domain, l_active);
}

}  // namespace detail

Result<ProvingKey> keygen(Circuit& circuit, std::shared_ptr<const commit::Srs> srs, unsigned k, Rng* rng) {
  ProvingKey pk;
  VerifyingKey& vk = pk.vk;
  vk.k = k;
  circuit.configure(vk.cs);
  if (auto st = vk.cs.validate(); !st.ok()) return st.error().context("keygen: constraint system");
  if (k < 2 || k > 26) return Error{"keygen: k = " + std::to_string(k) + " is outside [2, 26]"};
  const std::size_t n = std::size_t(1) << k;
  if (vk.cs.usable_rows(k) == 0)
    return Error{"keygen: 2^" + std::to_string(k) + " rows leave no usable row after " +
                 std::to_string(vk.cs.blinding_factors()) + " blinding rows"};
  if (!srs || srs->size() < n + 1)
    return Error{"keygen: the SRS has " + std::to_string(srs ? srs->size() : 0) + " powers; 2^" + std::to_string(k) +
                 " rows need " + std::to_string(n + 1)};
  const std::size_t blinding_rows = n - vk.cs.usable_rows(k) - 1;
  std::optional<G2Affine> tau_n_g2;
  if (vk.cs.num_committed() > 0) {
    if (blinding_rows + 1 > commit::Srs::kSmallG2Powers)
      return Error{"keygen: committed columns need [tau^i]_2 up to i = " + std::to_string(blinding_rows) +
                   " (the blinding rows); the SRS carries i < " + std::to_string(commit::Srs::kSmallG2Powers)};
    tau_n_g2 = srs->g2_power(n);
    if (!tau_n_g2)
      return Error{"keygen: committed columns need [tau^" + std::to_string(n) +
                   "]_2, which the SRS does not carry (use a powers-of-tau file of power > " + std::to_string(k) + ")"};
    for (std::size_t i = 0; i <= blinding_rows; ++i)
      if (!srs->g2_power(i)) return Error{"keygen: the SRS lacks [tau^" + std::to_string(i) + "]_2"};
  }
  auto domain = poly::EvaluationDomain::create(k);
  if (!domain.ok()) return domain.error();
  pk.domain = std::move(*domain);
  pk.srs = srs;
  const poly::EvaluationDomain& dom = *pk.domain;

  FixedAssignment fixed(vk.cs, k);
  if (auto st = circuit.assign_fixed(fixed); !st.ok()) return st.error().context("keygen: assign_fixed");
  fixed.pad_tables();
  pk.fixed_values = std::move(fixed.fixed());
  pk.committed_values = std::move(fixed.committed());
  auto sigma = detail::build_permutation(vk.cs, k, fixed.copies());
  if (!sigma.ok()) return sigma.error().context("keygen");
  pk.sigma_values = std::move(*sigma);

  auto to_coeffs = [&](const std::vector<Fr>& values) {
    std::vector<Fr> c = values;
    (void)poly::intt(dom, c);
    return c;
  };
  for (const auto& v : pk.fixed_values) pk.fixed_polys.push_back(to_coeffs(v));
  for (const auto& v : pk.sigma_values) pk.sigma_polys.push_back(to_coeffs(v));
  for (const auto& p : pk.fixed_polys) vk.fixed_commitments.push_back(commit::kzg_commit(*srs, p)->to_affine());
  for (const auto& p : pk.sigma_polys) vk.permutation_commitments.push_back(commit::kzg_commit(*srs, p)->to_affine());
  detail::lagrange_selectors(dom, vk.usable_rows(), pk.l0, pk.l_last, pk.l_active);
  vk.g2 = srs->g2;
  vk.tau_g2 = srs->tau_g2;
  if (vk.cs.num_committed() > 0) {
    OsRng os_rng;
    Rng& r = rng ? *rng : static_cast<Rng&>(os_rng);
    const std::size_t u = vk.usable_rows();
    for (auto& column : pk.committed_values) {
      for (std::size_t row = u + 1; row < n; ++row) column[row] = Fr::random(r);
      pk.committed_polys.push_back(to_coeffs(column));
      vk.committed_commitments.push_back(commit::kzg_commit(*srs, pk.committed_polys.back())->to_affine());
    }
    for (std::size_t row = u + 1; row < n; ++row) {
      std::vector<Fr> unit(n, Fr::zero());
      unit[row] = Fr::one();
      pk.blinding_lagrange.push_back(commit::kzg_commit(*srs, to_coeffs(unit))->to_affine());
    }
    const std::vector<Fr> zb = detail::blinding_vanishing(dom, u);
    curve::G2 acc = curve::G2::identity();
    for (std::size_t i = 0; i < zb.size(); ++i) acc = acc + curve::G2::from_affine(*srs->g2_power(i)).mul_vartime(zb[i]);
    vk.zb_g2 = acc.to_affine();
    vk.zh_g2 = (curve::G2::from_affine(*tau_n_g2) - curve::G2::from_affine(srs->g2)).to_affine();
  }
  vk.finalize();
  return pk;
}

}  // namespace verdict::plonk
