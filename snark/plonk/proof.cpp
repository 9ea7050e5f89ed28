#include "snark/plonk/proof.hpp"

#include <cstring>

#include "base/codec.hpp"

namespace verdict::plonk {

namespace {
constexpr char kMagic[4] = {'V', 'P', 'P', 'F'};
constexpr std::uint16_t kVersion = 2;

void put_points(codec::Writer& w, const std::vector<G1Affine>& ps) {
  w.u32(std::uint32_t(ps.size()));
  for (const auto& p : ps) w.fixed(curve::g1_to_bytes_compressed(p));
}
void put_scalars(codec::Writer& w, const std::vector<Fr>& vs) {
  w.u32(std::uint32_t(vs.size()));
  for (const auto& v : vs) w.fixed(v.to_bytes_be());
}
Status get_points(codec::Reader& r, std::size_t expected, std::vector<G1Affine>& out, const char* what) {
  std::uint32_t count = r.u32();
  if (!r.ok()) return Error{std::string("proof truncated before the ") + what + " commitments"};
  if (count != expected)
    return Error{std::string("proof has ") + std::to_string(count) + " " + what + " commitments, the key expects " +
                 std::to_string(expected)};
  for (std::uint32_t i = 0; i < count; ++i) {
    auto b = r.fixed<32>();
    if (!r.ok()) return Error{std::string("proof truncated in the ") + what + " commitments"};
    auto p = curve::g1_from_bytes_compressed(b);
    if (!p.ok()) return p.error().context(std::string("proof ") + what + " commitment " + std::to_string(i));
    out.push_back(*p);
  }
  return {};
}
Status get_scalars(codec::Reader& r, std::size_t expected, std::vector<Fr>& out, const char* what) {
  std::uint32_t count = r.u32();
  if (!r.ok()) return Error{std::string("proof truncated before the ") + what + " evaluations"};
  if (count != expected)
    return Error{std::string("proof has ") + std::to_string(count) + " " + what + " evaluations, the key expects " +
                 std::to_string(expected)};
  for (std::uint32_t i = 0; i < count; ++i) {
    auto b = r.fixed<32>();
    if (!r.ok()) return Error{std::string("proof truncated in the ") + what + " evaluations"};
    auto v = Fr::from_bytes_be(b);
    if (!v.ok()) return v.error().context(std::string("proof ") + what + " evaluation " + std::to_string(i));
    out.push_back(*v);
  }
  return {};
}
}  // namespace

ProofShape ProofShape::of(const VerifyingKey& vk) {
  const ConstraintSystem& cs = vk.cs;
  ProofShape s;
  s.committed = cs.num_committed();
  s.committed_evals = cs.queries(ColumnKind::kCommitted).size();
  s.advice = cs.num_advice();
  s.lookups = cs.lookups().size();
  s.chunks = cs.num_permutation_chunks();
  s.quotient = cs.degree() - 1;
  s.advice_evals = cs.queries(ColumnKind::kAdvice).size();
  s.fixed_evals = cs.queries(ColumnKind::kFixed).size();
  s.sigma_evals = cs.equality_columns().size();
  s.permutation_evals = s.chunks == 0 ? 0 : 3 * s.chunks - 1;
  return s;
}

std::vector<std::uint8_t> Proof::to_bytes() const {
  codec::Writer w;
  w.raw(std::span(reinterpret_cast<const std::uint8_t*>(kMagic), 4));
  w.u16(kVersion);
  put_points(w, committed_blinding);
  put_points(w, committed_quotient);
  put_points(w, advice_commitments);
  put_points(w, lookup_m_commitments);
  put_points(w, permutation_commitments);
  put_points(w, lookup_phi_commitments);
  put_points(w, quotient_commitments);
  put_scalars(w, advice_evals);
  put_scalars(w, committed_evals);
  put_scalars(w, fixed_evals);
  put_scalars(w, sigma_evals);
  put_scalars(w, permutation_evals);
  put_scalars(w, lookup_evals);
  w.bytes(opening.to_bytes());
  return w.take();
}

Result<Proof> Proof::from_bytes(std::span<const std::uint8_t> bytes, const VerifyingKey& vk) {
  codec::Reader r(bytes);
  auto magic = r.fixed<4>();
  if (!r.ok() || std::memcmp(magic.data(), kMagic, 4) != 0) return Error{"proof: bad magic (not a verdict plonk proof)"};
  std::uint16_t version = r.u16();
  if (version != kVersion) return Error{"proof: unsupported version " + std::to_string(version)};
  const ProofShape s = ProofShape::of(vk);
  Proof p;
  Status st;
  if (!(st = get_points(r, s.committed, p.committed_blinding, "committed blinding")).ok()) return st.error();
  if (!(st = get_points(r, s.committed, p.committed_quotient, "committed quotient")).ok()) return st.error();
  if (!(st = get_points(r, s.advice, p.advice_commitments, "advice")).ok()) return st.error();
  if (!(st = get_points(r, s.lookups, p.lookup_m_commitments, "lookup multiplicity")).ok()) return st.error();
  if (!(st = get_points(r, s.chunks, p.permutation_commitments, "permutation")).ok()) return st.error();
  if (!(st = get_points(r, s.lookups, p.lookup_phi_commitments, "lookup sum")).ok()) return st.error();
  if (!(st = get_points(r, s.quotient, p.quotient_commitments, "quotient")).ok()) return st.error();
  if (!(st = get_scalars(r, s.advice_evals, p.advice_evals, "advice")).ok()) return st.error();
  if (!(st = get_scalars(r, s.committed_evals, p.committed_evals, "committed")).ok()) return st.error();
  if (!(st = get_scalars(r, s.fixed_evals, p.fixed_evals, "fixed")).ok()) return st.error();
  if (!(st = get_scalars(r, s.sigma_evals, p.sigma_evals, "permutation sigma")).ok()) return st.error();
  if (!(st = get_scalars(r, s.permutation_evals, p.permutation_evals, "permutation product")).ok()) return st.error();
  if (!(st = get_scalars(r, 3 * s.lookups, p.lookup_evals, "lookup")).ok()) return st.error();
  auto opening_bytes = r.bytes(4 + 32 * commit::KzgBatchProof::kMaxPoints);
  if (!r.ok()) return Error{"proof truncated in the opening proof"};
  auto opening = commit::KzgBatchProof::from_bytes(opening_bytes);
  if (!opening.ok()) return opening.error().context("proof opening");
  p.opening = std::move(*opening);
  if (auto fin = r.finish(); !fin.ok()) return fin.error().context("proof");
  return p;
}

}  // namespace verdict::plonk
