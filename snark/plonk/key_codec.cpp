// Byte formats of the keys (docs/formats.md, "Plonk keys and proofs"). All integers
// big-endian (base/codec.hpp); field elements 32 bytes canonical big-endian; G1 points
// compressed (32 bytes), G2 points compressed (64 bytes).
#include <cstring>

#include "base/codec.hpp"
#include "snark/hash/keccak256.hpp"
#include "snark/plonk/expression_codec.hpp"
#include "snark/plonk/keys.hpp"
#include "snark/poly/ntt.hpp"

namespace verdict::plonk {

namespace {

constexpr char kVkMagic[4] = {'V', 'P', 'V', 'K'};
constexpr char kPkMagic[4] = {'V', 'P', 'P', 'K'};
constexpr std::uint16_t kVersion = 2;
constexpr std::uint32_t kMaxColumns = 4096;
constexpr std::uint32_t kMaxGates = 4096;
constexpr std::uint32_t kMaxConstraints = 4096;
constexpr std::size_t kMaxName = 256;

void put_column(codec::Writer& w, Column c) {
  w.u8(std::uint8_t(c.kind));
  w.u32(c.index);
}

Result<Column> get_column(codec::Reader& r) {
  std::uint8_t kind = r.u8();
  std::uint32_t index = r.u32();
  if (kind >= kNumColumnKinds) return Error{"column kind " + std::to_string(kind) + " is unknown"};
  return Column{ColumnKind(kind), index};
}

void put_g1(codec::Writer& w, const G1Affine& p) { w.fixed(curve::g1_to_bytes_compressed(p)); }
void put_g2(codec::Writer& w, const G2Affine& p) { w.fixed(curve::g2_to_bytes_compressed(p)); }

void write_cs(codec::Writer& w, const ConstraintSystem& cs) {
  w.u32(std::uint32_t(cs.num_fixed()));
  for (std::size_t i = 0; i < cs.num_fixed(); ++i) w.u8(std::uint8_t(cs.fixed_role(std::uint32_t(i))));
  w.u32(std::uint32_t(cs.num_advice()));
  for (std::size_t i = 0; i < cs.num_advice(); ++i) w.u8(std::uint8_t(cs.advice_phase(std::uint32_t(i))));
  w.u32(std::uint32_t(cs.num_instance()));
  w.u32(std::uint32_t(cs.num_committed()));
  w.u32(std::uint32_t(cs.num_challenges()));
  for (std::size_t i = 0; i < cs.num_challenges(); ++i) w.u8(std::uint8_t(cs.challenge_phase(std::uint32_t(i))));
  w.u32(std::uint32_t(cs.equality_columns().size()));
  for (const Column& c : cs.equality_columns()) put_column(w, c);
  w.u32(std::uint32_t(cs.gates().size()));
  for (const Gate& g : cs.gates()) {
    w.str(g.name);
    w.u32(std::uint32_t(g.constraints.size()));
    for (std::size_t i = 0; i < g.constraints.size(); ++i) {
      w.str(g.constraint_names[i]);
      encode_expression(w, g.constraints[i]);
    }
  }
  w.u32(std::uint32_t(cs.lookups().size()));
  for (const Lookup& l : cs.lookups()) {
    w.str(l.name);
    w.u32(std::uint32_t(l.table.size()));
    w.u32(std::uint32_t(l.inputs.size()));
    for (const auto& tuple : l.inputs)
      for (const Expression& e : tuple) encode_expression(w, e);
    for (const Column& t : l.table) w.u32(t.index);
  }
}

Result<ConstraintSystem> read_cs(codec::Reader& r) {
  ConstraintSystem cs;
  std::uint32_t nf = r.count(kMaxColumns);
  for (std::uint32_t i = 0; i < nf; ++i) {
    std::uint8_t role = r.u8();
    if (role == std::uint8_t(FixedRole::kFixed)) cs.fixed_column();
    else if (role == std::uint8_t(FixedRole::kSelector)) cs.selector();
    else if (role == std::uint8_t(FixedRole::kTable)) cs.table_column();
    else return Error{"fixed column " + std::to_string(i) + " has unknown role " + std::to_string(role)};
  }
  std::uint32_t na = r.count(kMaxColumns);
  for (std::uint32_t i = 0; i < na; ++i) cs.advice_column(r.u8());
  std::uint32_t ni = r.u32();
  if (ni > kMaxColumns) return Error{"too many instance columns"};
  for (std::uint32_t i = 0; i < ni; ++i) cs.instance_column();
  std::uint32_t ncm = r.u32();
  if (ncm > kMaxColumns) return Error{"too many committed columns"};
  for (std::uint32_t i = 0; i < ncm; ++i) cs.committed_column();
  std::uint32_t nc = r.count(kMaxColumns);
  for (std::uint32_t i = 0; i < nc; ++i) cs.challenge(r.u8());
  std::uint32_t ne = r.count(kMaxColumns, 5);
  for (std::uint32_t i = 0; i < ne; ++i) {
    auto c = get_column(r);
    if (!c.ok()) return c.error().context("equality column " + std::to_string(i));
    cs.enable_equality(*c);
  }
  if (cs.equality_columns().size() != ne) return Error{"an equality column is listed twice"};
  std::uint32_t ng = r.count(kMaxGates, 8);
  for (std::uint32_t g = 0; g < ng && r.ok(); ++g) {
    std::string name = r.str(kMaxName);
    std::uint32_t m = r.count(kMaxConstraints, 5);
    std::vector<std::pair<std::string, Expression>> constraints;
    for (std::uint32_t i = 0; i < m && r.ok(); ++i) {
      std::string cname = r.str(kMaxName);
      auto e = decode_expression(r);
      if (!e.ok()) return e.error().context("gate " + std::to_string(g) + " constraint " + std::to_string(i));
      constraints.emplace_back(std::move(cname), std::move(*e));
    }
    cs.create_gate(std::move(name), std::move(constraints));
  }
  std::uint32_t nl = r.count(kMaxGates, 8);
  for (std::uint32_t l = 0; l < nl && r.ok(); ++l) {
    std::string name = r.str(kMaxName);
    std::uint32_t arity = r.count(16, 5);
    std::uint32_t tuples = r.count(8, 5);
    std::vector<std::vector<Expression>> inputs(tuples);
    for (std::uint32_t t = 0; t < tuples && r.ok(); ++t)
      for (std::uint32_t i = 0; i < arity && r.ok(); ++i) {
        auto e = decode_expression(r);
        if (!e.ok())
          return e.error().context("lookup " + std::to_string(l) + " tuple " + std::to_string(t) + " input " +
                                   std::to_string(i));
        inputs[t].push_back(std::move(*e));
      }
    std::vector<Column> table;
    for (std::uint32_t i = 0; i < arity; ++i) table.push_back({ColumnKind::kFixed, r.u32()});
    cs.lookup_batched(std::move(name), std::move(inputs), std::move(table));
  }
  if (!r.ok()) return r.finish().error();
  if (auto st = cs.validate(); !st.ok()) return st.error();
  return cs;
}

std::vector<std::uint8_t> fr_vector_bytes(const std::vector<Fr>& v) {
  std::vector<std::uint8_t> out(v.size() * 32);
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto b = v[i].to_bytes_be();
    std::memcpy(out.data() + 32 * i, b.data(), 32);
  }
  return out;
}

}  // namespace

std::vector<std::uint8_t> constraint_system_bytes(const ConstraintSystem& cs) {
  codec::Writer w;
  write_cs(w, cs);
  return w.take();
}

void VerifyingKey::finalize() {
  std::vector<std::uint8_t> bytes = to_bytes();
  hash::Keccak256 h;
  h.update(std::string_view("verdict/plonk/vk/v1"));
  h.update(bytes);
  digest = h.finalize();
  kzg.g1 = G1Affine::generator();
  kzg.g2 = g2;
  kzg.tau_g2 = tau_g2;
  kzg.g2_prepared = curve::G2Prepared::from(g2);
  kzg.tau_g2_prepared = curve::G2Prepared::from(tau_g2);
  if (cs.num_committed() > 0) {
    zb_prepared = curve::G2Prepared::from(zb_g2);
    zh_prepared = curve::G2Prepared::from(zh_g2);
  }
}

std::vector<std::uint8_t> VerifyingKey::to_bytes() const {
  codec::Writer w;
  w.raw(std::span(reinterpret_cast<const std::uint8_t*>(kVkMagic), 4));
  w.u16(kVersion);
  w.u8(std::uint8_t(k));
  write_cs(w, cs);
  w.u32(std::uint32_t(fixed_commitments.size()));
  for (const auto& c : fixed_commitments) put_g1(w, c);
  w.u32(std::uint32_t(permutation_commitments.size()));
  for (const auto& c : permutation_commitments) put_g1(w, c);
  put_g2(w, g2);
  put_g2(w, tau_g2);
  if (cs.num_committed() > 0) {
    for (const auto& c : committed_commitments) put_g1(w, c);
    put_g2(w, zb_g2);
    put_g2(w, zh_g2);
  }
  return w.take();
}

Result<VerifyingKey> VerifyingKey::from_bytes(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  auto magic = r.fixed<4>();
  if (!r.ok() || std::memcmp(magic.data(), kVkMagic, 4) != 0) return Error{"verifying key: bad magic"};
  std::uint16_t version = r.u16();
  if (version != kVersion) return Error{"verifying key: unsupported version " + std::to_string(version)};
  VerifyingKey vk;
  vk.k = r.u8();
  if (vk.k < 2 || vk.k > 26) return Error{"verifying key: k = " + std::to_string(vk.k) + " outside [2, 26]"};
  auto cs = read_cs(r);
  if (!cs.ok()) return cs.error().context("verifying key");
  vk.cs = std::move(*cs);
  if (vk.cs.usable_rows(vk.k) == 0) return Error{"verifying key: no usable rows"};
  auto read_points = [&](std::size_t expected, const char* what) -> Result<std::vector<G1Affine>> {
    std::uint32_t count = r.count(kMaxColumns, 32);
    if (count != expected)
      return Error{std::string("verifying key: ") + std::to_string(count) + " " + what + " commitments, expected " +
                   std::to_string(expected)};
    std::vector<G1Affine> out;
    for (std::uint32_t i = 0; i < count; ++i) {
      auto b = r.fixed<32>();
      auto p = curve::g1_from_bytes_compressed(b);
      if (!p.ok()) return p.error().context(std::string("verifying key ") + what + " commitment " + std::to_string(i));
      out.push_back(*p);
    }
    return out;
  };
  auto fixed = read_points(vk.cs.num_fixed(), "fixed");
  if (!fixed.ok()) return fixed.error();
  vk.fixed_commitments = std::move(*fixed);
  auto perm = read_points(vk.cs.equality_columns().size(), "permutation");
  if (!perm.ok()) return perm.error();
  vk.permutation_commitments = std::move(*perm);
  auto read_g2 = [&](G2Affine& out) -> Status {
    auto b = r.fixed<64>();
    auto q = curve::g2_from_bytes_compressed(b);
    if (!q.ok()) return q.error().context("verifying key G2 point");
    out = *q;
    return {};
  };
  for (G2Affine* p : {&vk.g2, &vk.tau_g2})
    if (auto st = read_g2(*p); !st.ok()) return st.error();
  if (vk.cs.num_committed() > 0) {
    for (std::size_t i = 0; i < vk.cs.num_committed(); ++i) {
      auto b = r.fixed<32>();
      auto p = curve::g1_from_bytes_compressed(b);
      if (!p.ok()) return p.error().context("verifying key committed column commitment " + std::to_string(i));
      vk.committed_commitments.push_back(*p);
    }
    for (G2Affine* p : {&vk.zb_g2, &vk.zh_g2})
      if (auto st = read_g2(*p); !st.ok()) return st.error();
    if (vk.zb_g2.is_identity() || vk.zh_g2.is_identity())
      return Error{"verifying key: a committed-column G2 point is the identity"};
  }
  if (auto st = r.finish(); !st.ok()) return st.error().context("verifying key");
  if (!(vk.g2 == G2Affine::generator())) return Error{"verifying key: [1]_2 is not the G2 generator"};
  vk.finalize();
  return vk;
}

std::vector<std::uint8_t> ProvingKey::to_bytes() const {
  codec::Writer w;
  w.raw(std::span(reinterpret_cast<const std::uint8_t*>(kPkMagic), 4));
  w.u16(kVersion);
  w.bytes(vk.to_bytes());
  w.u32(std::uint32_t(fixed_values.size()));
  for (const auto& v : fixed_values) w.raw(fr_vector_bytes(v));
  w.u32(std::uint32_t(sigma_values.size()));
  for (const auto& v : sigma_values) w.raw(fr_vector_bytes(v));
  w.u32(std::uint32_t(committed_values.size()));
  for (const auto& v : committed_values) w.raw(fr_vector_bytes(v));
  w.u32(std::uint32_t(blinding_lagrange.size()));
  for (const auto& p : blinding_lagrange) put_g1(w, p);
  auto digest = hash::keccak256(w.data());
  w.fixed(digest);
  return w.take();
}

Result<ProvingKey> ProvingKey::from_bytes(std::span<const std::uint8_t> bytes, std::shared_ptr<const commit::Srs> srs) {
  if (bytes.size() < 32 + 6) return Error{"proving key: too short"};
  auto body = bytes.subspan(0, bytes.size() - 32);
  auto digest = hash::keccak256(body);
  if (std::memcmp(digest.data(), bytes.data() + body.size(), 32) != 0)
    return Error{"proving key: digest mismatch (corrupted or truncated file)"};
  codec::Reader r(body);
  auto magic = r.fixed<4>();
  if (std::memcmp(magic.data(), kPkMagic, 4) != 0) return Error{"proving key: bad magic"};
  if (r.u16() != kVersion) return Error{"proving key: unsupported version"};
  auto vk = VerifyingKey::from_bytes(r.bytes(std::size_t(64) << 20));
  if (!vk.ok()) return vk.error().context("proving key");
  ProvingKey pk;
  pk.vk = std::move(*vk);
  const std::size_t n = pk.vk.n();
  auto read_columns = [&](std::size_t expected, std::vector<std::vector<Fr>>& out, const char* what) -> Status {
    std::uint32_t count = r.u32();
    if (count != expected) return Error{std::string("proving key: ") + std::to_string(count) + " " + what + " columns"};
    if (r.remaining() / 32 / n < count) return Error{std::string("proving key: ") + what + " columns are truncated"};
    for (std::uint32_t i = 0; i < count; ++i) {
      std::vector<Fr> v(n);
      for (std::size_t j = 0; j < n; ++j) {
        auto b = r.fixed<32>();
        auto f = Fr::from_bytes_be(b);
        if (!f.ok()) return f.error().context(std::string("proving key ") + what + " column " + std::to_string(i));
        v[j] = *f;
      }
      out.push_back(std::move(v));
    }
    return {};
  };
  if (auto st = read_columns(pk.vk.cs.num_fixed(), pk.fixed_values, "fixed"); !st.ok()) return st.error();
  if (auto st = read_columns(pk.vk.cs.equality_columns().size(), pk.sigma_values, "sigma"); !st.ok()) return st.error();
  if (auto st = read_columns(pk.vk.cs.num_committed(), pk.committed_values, "committed"); !st.ok()) return st.error();
  {
    const std::size_t expected = pk.vk.cs.num_committed() > 0 ? n - pk.vk.usable_rows() - 1 : 0;
    std::uint32_t count = r.u32();
    if (count != expected)
      return Error{"proving key: " + std::to_string(count) + " blinding Lagrange points, expected " + std::to_string(expected)};
    for (std::uint32_t i = 0; i < count; ++i) {
      auto b = r.fixed<32>();
      auto p = curve::g1_from_bytes_compressed(b);
      if (!p.ok()) return p.error().context("proving key blinding Lagrange point " + std::to_string(i));
      pk.blinding_lagrange.push_back(*p);
    }
  }
  if (auto st = r.finish(); !st.ok()) return st.error().context("proving key");
  if (!srs || srs->size() < n + 1) return Error{"proving key: the SRS is too small for 2^" + std::to_string(pk.vk.k) + " rows"};
  if (!(srs->tau_g2 == pk.vk.tau_g2)) return Error{"proving key: the SRS's [tau]_2 differs from the key's"};
  auto domain = poly::EvaluationDomain::create(pk.vk.k);
  if (!domain.ok()) return domain.error();
  pk.domain = std::move(*domain);
  pk.srs = std::move(srs);
  for (const auto& v : pk.fixed_values) {
    pk.fixed_polys.push_back(v);
    (void)poly::intt(*pk.domain, pk.fixed_polys.back());
  }
  for (const auto& v : pk.sigma_values) {
    pk.sigma_polys.push_back(v);
    (void)poly::intt(*pk.domain, pk.sigma_polys.back());
  }
  for (std::size_t i = 0; i < pk.committed_values.size(); ++i) {
    pk.committed_polys.push_back(pk.committed_values[i]);
    (void)poly::intt(*pk.domain, pk.committed_polys.back());
  }
  detail::lagrange_selectors(*pk.domain, pk.vk.usable_rows(), pk.l0, pk.l_last, pk.l_active);
  return pk;
}

}  // namespace verdict::plonk
