#include "snark/commit/ptau.hpp"

#include <array>
#include <cstring>
#include <mutex>

#include "base/parallel.hpp"
#include "snark/field/fq.hpp"

namespace verdict::commit {

namespace {

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
std::uint64_t le64(const std::uint8_t* p) { return std::uint64_t(le32(p)) | std::uint64_t(le32(p + 4)) << 32; }

Error at(const ByteSource& s, const std::string& what) { return Error{s.name() + ": " + what}; }

using curve::G1Affine;
using curve::G2Affine;
using field::Fq;
using field::Fq2;
using field::Limbs;

Limbs limbs_le(const std::uint8_t* p) {
  Limbs l{};
  for (int i = 0; i < 32; ++i) l[i / 8] |= std::uint64_t(p[i]) << (8 * (i % 8));
  return l;
}

// A Montgomery-form little-endian coordinate, as .ptau stores them. Since the file's
// Montgomery radix is 2^256 like ours, the limbs are our representation once checked.
Result<Fq> ptau_fq(const std::uint8_t* p) {
  auto f = Fq::from_montgomery(limbs_le(p));
  if (!f) return Error{"coordinate is not below the field modulus"};
  return *f;
}

bool all_zero(const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (p[i]) return false;
  return true;
}

Result<G1Affine> ptau_g1(const std::uint8_t* p) {
  if (all_zero(p, 64)) return Error{"is the point at infinity"};
  auto x = ptau_fq(p);
  if (!x.ok()) return x.error();
  auto y = ptau_fq(p + 32);
  if (!y.ok()) return y.error();
  G1Affine pt = G1Affine::from_xy_unchecked(*x, *y);
  if (!pt.is_on_curve()) return Error{"is not on the curve"};
  return pt;
}

Result<G2Affine> ptau_g2(const std::uint8_t* p) {
  if (all_zero(p, 128)) return Error{"is the point at infinity"};
  Fq c[4];
  for (int i = 0; i < 4; ++i) {
    auto v = ptau_fq(p + 32 * i);
    if (!v.ok()) return v.error();
    c[i] = *v;
  }
  auto pt = curve::g2_from_coordinates(Fq2{c[0], c[1]}, Fq2{c[2], c[3]});
  if (!pt.ok()) return pt.error();
  return *pt;
}


const char* section_name(std::uint32_t id) {
  switch (id) {
    case kPtauSectionTauG1: return "tauG1";
    case kPtauSectionTauG2: return "tauG2";
    case kPtauSectionAlphaTauG1: return "alphaTauG1";
    case kPtauSectionBetaTauG1: return "betaTauG1";
    case kPtauSectionBetaG2: return "betaG2";
    default: return "points";
  }
}

template <class Point, std::size_t kSize>
Result<std::vector<Point>> read_points(const ByteSource& source, const PtauLayout& layout, std::uint32_t section,
                                       std::size_t count, Result<Point> (*decode)(const std::uint8_t*)) {
  auto it = layout.sections.find(section);
  if (it == layout.sections.end()) return at(source, "ptau section " + std::to_string(section) + " is missing");
  if (count > it->second.length / kSize)
    return at(source, "ptau section " + std::to_string(section) + " holds fewer than " + std::to_string(count) + " points");
  std::vector<std::uint8_t> raw(count * kSize);
  if (auto st = source.read(it->second.offset, raw); !st.ok()) return st.error();
  std::vector<Point> out(count);
  std::mutex failure_mutex;
  std::size_t first_bad = SIZE_MAX;  // guarded by failure_mutex
  std::string failure;
  parallel_for(count, 2048, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      auto p = decode(raw.data() + kSize * i);
      if (!p.ok()) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (i < first_bad) first_bad = i, failure = p.error().message;
        return;
      }
      out[i] = *p;
    }
  });
  if (first_bad != SIZE_MAX)
    return at(source, std::string("ptau ") + section_name(section) + "[" + std::to_string(first_bad) + "] " + failure);
  return out;
}

// Parses section 7 (contributions) leniently enough for names, strictly for bounds.
Status read_contributions(const ByteSource& source, const PtauSection& sec, PtauLayout& layout) {
  if (sec.length < 4) return at(source, "ptau section 7 (contributions) is shorter than its count");
  std::vector<std::uint8_t> body(sec.length);
  if (auto st = source.read(sec.offset, body); !st.ok()) return st;
  std::uint32_t count = le32(body.data());
  std::size_t off = 4;
  // Fixed part of a record: 5 points (64+128+64+64+128) + public key (768) + hashes
  // (216 + 64) + type (4) + parameter length (4).
  constexpr std::size_t kFixed = 448 + 768 + 216 + 64;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (body.size() - off < kFixed + 8) return at(source, "ptau contribution " + std::to_string(i) + " is truncated");
    off += kFixed;
    off += 4;  // type
    std::uint32_t param_len = le32(body.data() + off);
    off += 4;
    if (param_len > body.size() - off)
      return at(source, "ptau contribution " + std::to_string(i) + " parameters run past the section");
    std::size_t p = off, end = off + param_len;
    std::string name;
    while (p < end) {
      std::uint8_t id = body[p++];
      if (id == 1 || id == 3) {  // name or beacon hash: u8 length + bytes
        if (p >= end) return at(source, "ptau contribution parameter is truncated");
        std::uint8_t len = body[p++];
        if (len > end - p) return at(source, "ptau contribution parameter is truncated");
        if (id == 1) name.assign(reinterpret_cast<const char*>(body.data() + p), len);
        p += len;
      } else if (id == 2) {  // numIterationsExp: u8
        if (p >= end) return at(source, "ptau contribution parameter is truncated");
        ++p;
      } else {
        return at(source, "ptau contribution has unknown parameter id " + std::to_string(id));
      }
    }
    layout.contributor_names.push_back(name);
    off = end;
  }
  layout.contributions = count;
  return {};
}

}  // namespace

Result<PtauLayout> read_ptau_layout(const ByteSource& source) {
  std::array<std::uint8_t, 12> head{};
  if (source.size() < head.size()) return at(source, "too short for a ptau file (" + std::to_string(source.size()) + " bytes)");
  if (auto st = source.read(0, head); !st.ok()) return st.error();
  if (std::memcmp(head.data(), "ptau", 4) != 0) return at(source, "not a ptau file (bad magic)");
  if (le32(head.data() + 4) != 1) return at(source, "unsupported ptau version " + std::to_string(le32(head.data() + 4)));
  std::uint32_t count = le32(head.data() + 8);
  if (count > 64) return at(source, "implausible ptau section count " + std::to_string(count));

  PtauLayout layout;
  std::uint64_t off = 12;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::array<std::uint8_t, 12> sh{};
    if (source.size() - off < sh.size())
      return at(source, "ptau section header " + std::to_string(i) + " is truncated");
    if (auto st = source.read(off, sh); !st.ok()) return st.error();
    std::uint32_t id = le32(sh.data());
    std::uint64_t len = le64(sh.data() + 4);
    off += 12;
    if (len > source.size() - off)
      return at(source, "ptau section " + std::to_string(id) + " is truncated: its header says " + std::to_string(len) +
                            " bytes, " + std::to_string(source.size() - off) + " remain");
    if (!layout.sections.emplace(id, PtauSection{off, len}).second)
      return at(source, "ptau section " + std::to_string(id) + " appears twice");
    off += len;
  }
  if (off != source.size()) return at(source, "ptau file has " + std::to_string(source.size() - off) + " trailing bytes");

  for (std::uint32_t id : {kPtauSectionHeader, kPtauSectionTauG1, kPtauSectionTauG2, kPtauSectionAlphaTauG1,
                           kPtauSectionBetaTauG1, kPtauSectionBetaG2, kPtauSectionContributions}) {
    if (!layout.sections.count(id)) return at(source, "ptau section " + std::to_string(id) + " is missing");
  }

  // Section 1: the header.
  const PtauSection& hs = layout.sections[kPtauSectionHeader];
  if (hs.length != 44) return at(source, "ptau header section has length " + std::to_string(hs.length) + ", expected 44");
  std::array<std::uint8_t, 44> hb{};
  if (auto st = source.read(hs.offset, hb); !st.ok()) return st.error();
  if (le32(hb.data()) != 32) return at(source, "ptau field size n8 = " + std::to_string(le32(hb.data())) + ", expected 32 (BN254)");
  auto q = field::Fq::kModulus;
  for (int i = 0; i < 32; ++i) {
    if (hb[4 + i] != std::uint8_t(q[i / 8] >> (8 * (i % 8)))) return at(source, "ptau file is not for BN254 (its base field modulus differs)");
  }
  layout.power = le32(hb.data() + 36);
  layout.ceremony_power = le32(hb.data() + 40);
  if (layout.power < 1 || layout.power > kPtauMaxPower)
    return at(source, "ptau power " + std::to_string(layout.power) + " is outside [1, 28]");

  // Point sections must have exactly the size the power implies.
  const std::uint64_t n = std::uint64_t(1) << layout.power;
  struct Expect {
    std::uint32_t id;
    std::uint64_t bytes;
    const char* name;
  };
  for (const Expect& e : {Expect{kPtauSectionTauG1, (2 * n - 1) * 64, "tauG1"}, Expect{kPtauSectionTauG2, n * 128, "tauG2"},
                          Expect{kPtauSectionAlphaTauG1, n * 64, "alphaTauG1"}, Expect{kPtauSectionBetaTauG1, n * 64, "betaTauG1"},
                          Expect{kPtauSectionBetaG2, 128, "betaG2"}}) {
    std::uint64_t got = layout.sections[e.id].length;
    if (got != e.bytes)
      return at(source, "ptau section " + std::to_string(e.id) + " (" + e.name + ") has " + std::to_string(got) +
                            " bytes, expected " + std::to_string(e.bytes) + " for power " + std::to_string(layout.power));
  }
  // Optional Lagrange sections (after `prepare phase2`).
  const Expect lagrange[] = {{12, ((n << 2) - 1) * 64, "Lagrange tauG1"}, {13, ((n << 1) - 1) * 128, "Lagrange tauG2"},
                             {14, ((n << 1) - 1) * 64, "Lagrange alphaTauG1"}, {15, ((n << 1) - 1) * 64, "Lagrange betaTauG1"}};
  for (const Expect& e : lagrange) {
    auto it = layout.sections.find(e.id);
    if (it != layout.sections.end() && it->second.length != e.bytes)
      return at(source, "ptau section " + std::to_string(e.id) + " (" + e.name + ") has " + std::to_string(it->second.length) +
                            " bytes, expected " + std::to_string(e.bytes));
  }

  if (auto st = read_contributions(source, layout.sections[kPtauSectionContributions], layout); !st.ok()) return st.error();

  if (auto it = layout.sections.find(kPtauSectionInsecureDev); it != layout.sections.end()) {
    std::size_t mlen = sizeof(kPtauInsecureDevMagic) - 1;
    if (it->second.length < mlen || it->second.length > 4096) return at(source, "ptau section 99 is malformed");
    std::vector<std::uint8_t> body(it->second.length);
    if (auto st = source.read(it->second.offset, body); !st.ok()) return st.error();
    if (std::memcmp(body.data(), kPtauInsecureDevMagic, mlen) != 0) return at(source, "ptau section 99 is malformed");
    layout.insecure_dev = true;
    layout.insecure_dev_note.assign(body.begin() + long(mlen), body.end());
    if (!layout.insecure_dev_note.empty() && layout.insecure_dev_note.front() == '\n') layout.insecure_dev_note.erase(0, 1);
  }
  return layout;
}

Result<std::vector<G1Affine>> read_ptau_g1(const ByteSource& source, const PtauLayout& layout, std::uint32_t section,
                                           std::size_t count) {
  return read_points<G1Affine, 64>(source, layout, section, count, &ptau_g1);
}

Result<std::vector<G2Affine>> read_ptau_g2(const ByteSource& source, const PtauLayout& layout, std::uint32_t section,
                                           std::size_t count) {
  return read_points<G2Affine, 128>(source, layout, section, count, &ptau_g2);
}

}  // namespace verdict::commit
