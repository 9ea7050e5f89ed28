#include "snark/commit/srs.hpp"

#include <fstream>

#include "base/parallel.hpp"
#include "snark/commit/ptau.hpp"
#include "snark/curve/fixed_base.hpp"
#include "snark/curve/msm.hpp"
#include "snark/curve/pairing.hpp"

namespace verdict::commit {

using curve::G1;
using curve::G2;
using field::Fq;
using field::Fq2;
using field::Limbs;

namespace {

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(std::uint8_t(v >> (8 * i)));
}
void put64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(std::uint8_t(v >> (8 * i)));
}
void put_fq(std::uint8_t* out, const Fq& f) {
  const Limbs& m = f.montgomery_limbs();
  for (int i = 0; i < 32; ++i) out[i] = std::uint8_t(m[i / 8] >> (8 * (i % 8)));
}
void put_g1(std::uint8_t* out, const G1Affine& p) {
  put_fq(out, p.x);
  put_fq(out + 32, p.y);
}
void put_g2(std::uint8_t* out, const G2Affine& p) {
  put_fq(out, p.x.c0);
  put_fq(out + 32, p.x.c1);
  put_fq(out + 64, p.y.c0);
  put_fq(out + 96, p.y.c1);
}

}  // namespace

Result<Srs> load_srs(const ByteSource& source, const SrsLoadOptions& options, Rng& rng) {
  auto layout = read_ptau_layout(source);
  if (!layout.ok()) return layout.error();
  if (layout->insecure_dev && !options.allow_insecure_dev) {
    return Error{source.name() +
                 " is an insecure development SRS (made by `verdict srs dev`; its tau is not secret); refusing it. "
                 "Tests may load it by asking for it explicitly (--insecure-dev-srs)."};
  }
  const std::uint64_t available = layout->num_g1_powers();
  const std::uint64_t n = options.num_g1_powers == 0 ? layout->num_g2_powers() : options.num_g1_powers;
  if (n < 2) return Error{source.name() + ": at least 2 G1 powers are needed, " + std::to_string(n) + " requested"};
  if (n > available)
    return Error{source.name() + ": " + std::to_string(n) + " G1 powers requested, the file (power " +
                 std::to_string(layout->power) + ") holds " + std::to_string(available)};

  Srs srs;
  srs.file_power = layout->power;
  srs.insecure_dev = layout->insecure_dev;

  auto g1 = read_ptau_g1(source, *layout, kPtauSectionTauG1, n);
  if (!g1.ok()) return g1.error();
  srs.g1_powers = std::move(*g1);
  auto g2 = read_ptau_g2(source, *layout, kPtauSectionTauG2, std::min<std::size_t>(Srs::kSmallG2Powers, layout->num_g2_powers()));
  if (!g2.ok()) return g2.error();
  srs.g2 = (*g2)[0];
  srs.tau_g2 = (*g2)[1];
  for (std::size_t i = 2; i < g2->size(); ++i) srs.g2_powers.push_back({i, (*g2)[i]});
  {  // [tau^(2^j)]_2 for the larger powers of two the file holds
    const PtauSection& sec = layout->sections.at(kPtauSectionTauG2);
    for (std::size_t p = Srs::kSmallG2Powers; p < layout->num_g2_powers(); p *= 2) {
      std::vector<std::uint8_t> raw(128);
      if (auto st = source.read(sec.offset + 128 * p, raw); !st.ok()) return st.error();
      MemoryByteSource one(raw);
      PtauLayout single = *layout;
      single.sections[kPtauSectionTauG2] = PtauSection{0, 128};
      auto q = read_ptau_g2(one, single, kPtauSectionTauG2, 1);
      if (!q.ok()) return Error{source.name() + ": ptau tauG2[" + std::to_string(p) + "]: " + q.error().message};
      srs.g2_powers.push_back({p, (*q)[0]});
    }
  }
  if (!(srs.g1_powers[0] == G1Affine::generator())) return Error{source.name() + ": ptau tauG1[0] is not the G1 generator"};
  if (!(srs.g2 == G2Affine::generator())) return Error{source.name() + ": ptau tauG2[0] is not the G2 generator"};

  // Consistency: with P_i = tauG1[i] and a random rho, C = sum_i rho^i P_i gives
  //   sum_{i<n-1} rho^i P_{i+1} = rho^{-1} (C - P_0)   and   sum_{i<n-1} rho^i P_i = C - rho^{n-1} P_{n-1},
  // and P_{i+1} = [sigma] P_i for all i with [sigma]G2 = tauG2[1] iff (up to probability
  // n/r over rho) e(C - P_0, G2) = e([rho](C - rho^{n-1} P_{n-1}), tauG2[1]).
  Fr rho = Fr::random(rng);
  while (rho.is_zero()) rho = Fr::random(rng);
  std::vector<Fr> powers(n);
  powers[0] = Fr::one();
  for (std::size_t i = 1; i < n; ++i) powers[i] = powers[i - 1] * rho;
  G1 c = curve::msm_vartime(srs.g1_powers, powers);
  G1 left = c + (-G1::from_affine(srs.g1_powers[0]));
  G1 right = (c + (-G1::from_affine(srs.g1_powers[n - 1]).mul_vartime(powers[n - 1]))).mul_vartime(rho);
  std::pair<G1Affine, G2Affine> check[2] = {{left.to_affine(), srs.g2}, {(-right).to_affine(), srs.tau_g2}};
  if (!curve::pairing_product_is_one(check))
    return Error{source.name() + ": ptau powers are inconsistent: tauG1[i+1] != tau * tauG1[i] for the tau of tauG2[1]"};
  return srs;
}

Result<Srs> load_srs(const std::filesystem::path& path, const SrsLoadOptions& options, Rng& rng) {
  auto source = FileByteSource::open(path);
  if (!source.ok()) return source.error();
  return load_srs(**source, options, rng);
}

std::optional<G2Affine> Srs::g2_power(std::size_t i) const {
  if (i == 0) return g2;
  if (i == 1) return tau_g2;
  for (const auto& [index, point] : g2_powers)
    if (index == i) return point;
  return std::nullopt;
}

namespace {
// The G2 powers an Srs carries beyond [1]_2 and [tau]_2: small ones and powers of two
// below `limit`.
std::vector<std::size_t> extra_g2_indices(std::size_t limit) {
  std::vector<std::size_t> out;
  for (std::size_t i = 2; i < Srs::kSmallG2Powers && i < limit; ++i) out.push_back(i);
  for (std::size_t p = Srs::kSmallG2Powers; p < limit; p *= 2)
    if ((p & (p - 1)) == 0) out.push_back(p);
  return out;
}
}  // namespace

Srs insecure_srs_from_tau(std::size_t n, const Fr& tau) {
  std::vector<Fr> powers(n);
  powers[0] = Fr::one();
  for (std::size_t i = 1; i < n; ++i) powers[i] = powers[i - 1] * tau;
  curve::FixedBaseTable<curve::G1Config> table(G1::generator(), n >= (1u << 14) ? 12 : 8);
  Srs srs;
  srs.g1_powers = table.mul_many_vartime(powers);
  srs.g2 = G2Affine::generator();
  srs.tau_g2 = G2::generator().mul_vartime(tau).to_affine();
  for (std::size_t i : extra_g2_indices(std::size_t(1) << 28))
    srs.g2_powers.push_back({i, G2::generator().mul_vartime(tau.pow(field::Limbs{i, 0, 0, 0})).to_affine()});
  srs.insecure_dev = true;
  return srs;
}

Status write_dev_ptau(const std::filesystem::path& path, unsigned power, Rng& tau_rng, const std::string& note) {
  if (power < 1 || power > kPtauMaxPower) return Error{"dev SRS power must be in [1, 28], got " + std::to_string(power)};
  const std::uint64_t n = std::uint64_t(1) << power;
  Fr tau = Fr::random(tau_rng);
  while (tau.is_zero() || tau.is_one()) tau = Fr::random(tau_rng);

  std::vector<Fr> powers(2 * n - 1);
  powers[0] = Fr::one();
  for (std::size_t i = 1; i < powers.size(); ++i) powers[i] = powers[i - 1] * tau;
  unsigned window = power >= 16 ? 12 : 8;
  curve::FixedBaseTable<curve::G1Config> g1_table(G1::generator(), window);
  std::vector<G1Affine> g1 = g1_table.mul_many_vartime(powers);
  curve::FixedBaseTable<curve::G2Config> g2_table(G2::generator(), window);
  std::vector<G2Affine> g2 = g2_table.mul_many_vartime(std::span<const Fr>(powers.data(), n));

  std::filesystem::path tmp = path;
  tmp += ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return Error{"cannot create " + tmp.string()};
  auto write = [&](const std::vector<std::uint8_t>& bytes) {
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  };
  auto section = [&](std::uint32_t id, const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> h;
    put32(h, id);
    put64(h, body.size());
    write(h);
    write(body);
  };
  std::vector<std::uint8_t> head = {'p', 't', 'a', 'u'};
  put32(head, 1);
  put32(head, 8);  // sections 1-7 and 99
  write(head);

  std::vector<std::uint8_t> s1;
  put32(s1, 32);
  for (int i = 0; i < 32; ++i) s1.push_back(std::uint8_t(Fq::kModulus[i / 8] >> (8 * (i % 8))));
  put32(s1, power);
  put32(s1, power);
  section(kPtauSectionHeader, s1);

  std::vector<std::uint8_t> body(g1.size() * 64);
  for (std::size_t i = 0; i < g1.size(); ++i) put_g1(body.data() + 64 * i, g1[i]);
  section(kPtauSectionTauG1, body);
  std::vector<std::uint8_t> body2(n * 128);
  for (std::size_t i = 0; i < n; ++i) put_g2(body2.data() + 128 * i, g2[i]);
  section(kPtauSectionTauG2, body2);
  body.resize(n * 64);  // alpha = beta = 1: alphaTauG1 = betaTauG1 = the first N tauG1
  section(kPtauSectionAlphaTauG1, body);
  section(kPtauSectionBetaTauG1, body);
  std::vector<std::uint8_t> beta_g2(128);
  put_g2(beta_g2.data(), G2Affine::generator());
  section(kPtauSectionBetaG2, beta_g2);
  std::vector<std::uint8_t> contributions;
  put32(contributions, 0);
  section(kPtauSectionContributions, contributions);
  std::string marker = std::string(kPtauInsecureDevMagic) + "\n" + note.substr(0, 1000);
  section(kPtauSectionInsecureDev, std::vector<std::uint8_t>(marker.begin(), marker.end()));
  out.close();
  if (!out) return Error{"error writing " + tmp.string()};
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error{"cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message()};
  return {};
}

}  // namespace verdict::commit
