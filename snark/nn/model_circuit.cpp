#include "snark/nn/model_circuit.hpp"

#include <algorithm>

#include "snark/hash/poseidon.hpp"
#include "snark/hash/poseidon_sponge.hpp"

namespace verdict::nn {

using field::Fr;
using plonk::Column;
using plonk::Expression;
using namespace detail;

namespace {

using Poseidon5 = hash::Poseidon<5>;
constexpr std::size_t kFullHalf = Poseidon5::kFullRounds / 2;

bool full_round(std::size_t k) { return k < kFullHalf || k >= kFullHalf + Poseidon5::kPartialRounds; }

Fr pow2(unsigned e) { return Fr::from_u64(2).pow(e); }

Result<std::uint32_t> constant_row(const Layout& L, const Fr& v) {
  for (std::size_t i = 0; i < L.constants.size(); ++i)
    if (L.constants[i] == v) return std::uint32_t(i);
  return Error{"internal: constant missing from the layout"};
}

}  // namespace

Fr input_commitment(std::span<const std::uint8_t> input, const Fr& salt) {
  std::vector<Fr> m;
  for (std::size_t e = 0; e * kBytesPerElement < input.size(); ++e) {
    std::array<std::uint8_t, 32> be{};
    for (std::size_t i = 0; i < kBytesPerElement; ++i) {
      const std::size_t at = e * kBytesPerElement + i;
      be[2 + i] = at < input.size() ? input[at] : 0;
    }
    m.push_back(Fr::from_bytes_be(be).value());
  }
  m.push_back(salt);
  return hash::poseidon_hash_many(m);
}

struct ModelCircuit::Columns {
  std::array<Column, kNumA> a;
  std::array<Column, 4> h;
  Column hw, kc, inst;
  std::array<Column, 4> kw;
  std::array<Column, 3> km;
  Column cont, cont_w, off;
  std::array<Column, 5> f;
  Column s_elem, s_cy, s_in, s_pack, s_gather, s_gsum, s_alpha, s_dot, s_pow, s_max, s_full, s_part, s_absorb, s_weight;
  Column tx, ts, tc;
  std::uint32_t alpha = 0, beta = 0;

  Column of(std::uint8_t code) const {
    if (code < kNumA) return a[code];
    if (code < kHW) return h[code - kH0];
    if (code == kHW) return hw;
    if (code == kKC) return kc;
    return inst;
  }
};

ModelCircuit::ModelCircuit(std::shared_ptr<const Model> model, std::shared_ptr<const Layout> layout)
    : model_(std::move(model)), layout_(std::move(layout)), cols_(std::make_shared<Columns>()) {}

void ModelCircuit::configure(plonk::ConstraintSystem& cs) {
  Columns& c = *cols_;
  for (auto& col : c.a) col = cs.advice_column(0);
  c.alpha = cs.challenge(0);
  c.beta = cs.challenge(0);
  for (auto& col : c.h) col = cs.advice_column(1);
  c.hw = cs.advice_column(1);
  c.kc = cs.fixed_column();
  c.inst = cs.instance_column();
  for (auto& col : c.kw) col = cs.committed_column();
  for (auto& col : c.km) col = cs.committed_column();
  c.cont = cs.fixed_column();
  c.cont_w = cs.fixed_column();
  c.off = cs.fixed_column();
  for (auto& col : c.f) col = cs.fixed_column();
  for (Column* s : {&c.s_elem, &c.s_cy, &c.s_in, &c.s_pack, &c.s_gather, &c.s_gsum, &c.s_alpha, &c.s_dot, &c.s_pow,
                    &c.s_max, &c.s_full, &c.s_part, &c.s_absorb, &c.s_weight})
    *s = cs.selector();
  c.tx = cs.table_column();
  c.ts = cs.table_column();
  c.tc = cs.table_column();
  for (unsigned i = 0; i < 12; ++i) cs.enable_equality(c.a[i]);
  for (auto& col : c.h) cs.enable_equality(col);
  cs.enable_equality(c.hw);
  cs.enable_equality(c.kc);
  cs.enable_equality(c.inst);

  auto q = [](Column col, std::int32_t rot = 0) { return Expression::query(col, rot); };
  auto A = [&](std::uint8_t i, std::int32_t rot = 0) { return q(c.of(i), rot); };
  auto k = [](std::int64_t v) { return Expression::constant(v); };
  const Expression alpha = Expression::challenge(c.alpha), beta = Expression::challenge(c.beta);
  std::vector<Expression> beta_pow{k(1)}, alpha_pow{k(1)};
  for (unsigned i = 1; i <= kGatherWidth; ++i) beta_pow.push_back(beta_pow.back() * beta);
  for (unsigned i = 1; i <= kWeightWidth; ++i) alpha_pow.push_back(alpha_pow.back() * alpha);
  const Expression cont = q(c.cont), one = k(1);

  {  // element rows: requantization and clamp, both lanes
    std::vector<std::pair<std::string, Expression>> cons;
    const Expression se = q(c.s_elem);
    for (unsigned l = 0; l < kLanes; ++l) {
      const std::string n = std::to_string(l);
      const Expression y = A(lane_a(l)) * q(c.km[l]) + A(lane_b(l)) * q(c.km[2]) + q(c.off);
      const Expression limbs = A(lane_t(l)).scaled(pow2(32)) + A(lane_r(l)).scaled(pow2(24)) +
                               A(lane_limb(l, 2)).scaled(pow2(16)) + A(lane_limb(l, 1)).scaled(pow2(8)) + A(lane_limb(l, 0));
      const Expression s = A(lane_s(l)), s2 = s * s;
      cons.emplace_back("requant" + n, se * (y - limbs));
      cons.emplace_back("clamp" + n, se * (A(lane_q(l)).scaled(Fr::from_u64(2)) -
                                           (one - s2) * A(lane_r(l)).scaled(Fr::from_u64(2)) - (s2 + s).scaled(Fr::from_u64(255))));
    }
    cs.create_gate("element", std::move(cons));
  }
  cs.create_gate("beta chain", {{"cy0", q(c.s_cy) * (A(lane_cy(0)) - (cont * beta * A(lane_cy(0), -1) + A(lane_a(0))))},
                                {"cy1", q(c.s_cy) * (A(lane_cy(1)) - (cont * beta * A(lane_cy(1), -1) + A(lane_a(1))))}});
  cs.create_gate("input byte", {{"q0=r0", q(c.s_in) * (A(lane_q(0)) - A(lane_r(0)))},
                                {"q1=r1", q(c.s_in) * (A(lane_q(1)) - A(lane_r(1)))}});
  cs.create_gate("input pack", {{"pack", q(c.s_pack) * (A(lane_a(0)) - (cont * A(lane_a(0), -1).scaled(Fr::from_u64(65536)) +
                                                                         A(lane_q(0)).scaled(Fr::from_u64(256)) + A(lane_q(1))))}});
  {
    Expression horner, sum;
    for (unsigned i = 0; i < kGatherWidth; ++i) {
      horner = horner + A(std::uint8_t(i)) * beta_pow[kGatherWidth - 1 - i];
      sum = sum + A(std::uint8_t(i));
    }
    cs.create_gate("gather", {{"beta", q(c.s_gather) * (A(kH0) - (cont * beta_pow[kGatherWidth] * A(kH0, -1) + horner))}});
    cs.create_gate("gather sum", {{"sum", q(c.s_gsum) * (A(kH0) - (cont * A(kH0, -1) + sum))}});
  }
  cs.create_gate("alpha chain", {{"alpha", q(c.s_alpha) * (A(kH0 + 1) - (cont * alpha * A(kH0 + 1, -1) + A(kH0)))}});
  cs.create_gate("dot", {{"dot", q(c.s_dot) * (A(kH0 + 2) - (cont * A(kH0 + 2, -1) + A(kH0) * A(kH0 + 1)))}});
  cs.create_gate("powers", {{"power", q(c.s_pow) * (A(kH0) - (cont * beta * A(kH0, -1) + one - cont))},
                            {"sum", q(c.s_pow) * (A(kH0 + 1) - (cont * A(kH0 + 1, -1) + A(kH0)))}});
  {
    std::vector<std::pair<std::string, Expression>> cons;
    Expression prod = one;
    for (unsigned i = 0; i < 4; ++i) {
      cons.emplace_back("diff" + std::to_string(i), q(c.s_max) * (A(kMaxDiffs[i]) - (A(kMaxOut) - A(kMaxEntries[i]))));
      prod = prod * A(kMaxDiffs[i]);
    }
    cons.emplace_back("attained", q(c.s_max) * prod);
    cs.create_gate("max", std::move(cons));
  }
  {  // Poseidon<5> rounds and absorption
    std::array<Expression, 5> x, sq, y_full, y_part;
    for (unsigned i = 0; i < 5; ++i) {
      x[i] = A(kSpongeState[i]) + q(c.f[i]);
      sq[i] = A(kSpongeSquare[i]);
      y_full[i] = sq[i] * sq[i] * x[i];
      y_part[i] = i == 0 ? y_full[0] : x[i];
    }
    std::vector<std::pair<std::string, Expression>> full, part, absorb;
    for (unsigned i = 0; i < 5; ++i) {
      Expression mf, mp;
      for (unsigned j = 0; j < 5; ++j) {
        mf = mf + y_full[j].scaled(Poseidon5::mds(i, j));
        mp = mp + y_part[j].scaled(Poseidon5::mds(i, j));
      }
      full.emplace_back("square" + std::to_string(i), q(c.s_full) * (sq[i] - x[i] * x[i]));
      full.emplace_back("next" + std::to_string(i), q(c.s_full) * (A(kSpongeState[i], 1) - mf));
      part.emplace_back("next" + std::to_string(i), q(c.s_part) * (A(kSpongeState[i], 1) - mp));
      absorb.emplace_back("lane" + std::to_string(i),
                          q(c.s_absorb) * (A(kSpongeState[i], 1) - A(kSpongeState[i]) - (i == 0 ? Expression() : sq[i - 1])));
    }
    part.emplace_back("square0", q(c.s_part) * (sq[0] - x[0] * x[0]));
    cs.create_gate("poseidon full", std::move(full));
    cs.create_gate("poseidon partial", std::move(part));
    cs.create_gate("sponge absorb", std::move(absorb));
  }
  {
    Expression horner;
    for (unsigned i = 0; i < kWeightWidth; ++i) horner = horner + q(c.kw[i]) * alpha_pow[kWeightWidth - 1 - i];
    cs.create_gate("weight chain",
                   {{"alpha4", q(c.s_weight) * (q(c.hw) - (q(c.cont_w) * alpha_pow[kWeightWidth] * q(c.hw, -1) + horner))}});
  }
  // Bytes: (v, v) is a row of (x, clamp(x, 0, 255)) iff v is in [0, 255].
  cs.lookup_batched("sign", {{A(lane_t(0)), A(lane_s(0))}, {A(lane_t(1)), A(lane_s(1))}}, {c.tx, c.ts});
  const std::array<std::uint8_t, 8> bytes = {lane_r(0), lane_limb(0, 0), lane_limb(0, 1), lane_limb(0, 2),
                                             lane_r(1), lane_limb(1, 0), lane_limb(1, 1), lane_limb(1, 2)};
  for (unsigned i = 0; i < bytes.size(); i += 2)
    cs.lookup_batched("bytes" + std::to_string(i / 2), {{A(bytes[i]), A(bytes[i])}, {A(bytes[i + 1]), A(bytes[i + 1])}},
                      {c.tx, c.tc});
}

// ---- key generation: selectors, constants, tables, weights, copies ----

Status ModelCircuit::assign_fixed(plonk::FixedAssignment& fx) const {
  const Columns& c = *cols_;
  const Layout& L = *layout_;
  const Model& M = *model_;
  Status st;
  auto set = [&](Column col, std::size_t row, const Fr& v) {
    if (st.ok()) st = col.kind == plonk::ColumnKind::kCommitted ? fx.assign_committed(col, row, v) : fx.assign(col, row, v);
  };
  auto on = [&](Column col, std::size_t row) { set(col, row, Fr::one()); };
  auto copy = [&](Cell x, Cell y) {
    if (st.ok()) st = fx.copy(c.of(x.col), x.row, c.of(y.col), y.row);
  };
  for (std::size_t i = 0; i < L.constants.size(); ++i) set(c.kc, i, L.constants[i]);
  for (std::int64_t i = 0; i < (std::int64_t(1) << kTableBits); ++i) {
    const std::int64_t x = i - kTableHalf;
    set(c.tx, std::size_t(i), Fr::from_i64(x));
    set(c.ts, std::size_t(i), Fr::from_i64(x > 0 ? 1 : x < 0 ? -1 : 0));
    set(c.tc, std::size_t(i), Fr::from_i64(std::clamp<std::int64_t>(x, 0, 255)));
  }
  const Cell zero{kKC, 0};

  std::vector<std::vector<Fr>> weights(kWeightWidth, std::vector<Fr>(L.weight_rows));
  std::vector<std::pair<std::uint32_t, bool>> weight_rows;  // (row, block start)
  for (const Region& region : L.regions) {
    if (!st.ok()) break;
    if (auto* r = std::get_if<PowersRegion>(&region)) {
      for (std::uint32_t i = 0; i < r->len; ++i) {
        on(c.s_pow, r->row0 + i);
        if (i > 0) on(c.cont, r->row0 + i);
      }
    } else if (auto* r = std::get_if<InputRegion>(&region)) {
      for (std::uint32_t i = 0; i < r->rows; ++i) {
        on(c.s_in, r->row0 + i);
        if (r->packed) {
          on(c.s_pack, r->row0 + i);
          if (i % kRowsPerElement != 0) on(c.cont, r->row0 + i);
        }
      }
      if (!r->packed)
        for (std::uint32_t i = 0; i < r->bytes; ++i) copy(L.tensors[M.input].at(i), Cell{kInst, i});
    } else if (auto* r = std::get_if<SpongeRegion>(&region)) {
      const auto& in = std::get<InputRegion>(L.regions[L.input_region]);
      auto tag_row = constant_row(L, hash::poseidon_sponge_tag(r->messages));
      if (!tag_row.ok()) return tag_row.error();
      copy({kSpongeState[0], r->row0}, {kKC, tag_row.value()});
      for (unsigned i = 1; i < 5; ++i) copy({kSpongeState[i], r->row0}, zero);
      for (std::uint32_t p = 0; p < r->perms; ++p) {
        const std::uint32_t ar = r->absorb_row(p);
        on(c.s_absorb, ar);
        for (unsigned i = 0; i < 4; ++i) {
          const std::size_t mi = 4 * std::size_t(p) + i;
          if (mi < in.elements) copy({kSpongeSquare[i], ar}, in.element_end(mi));
          else if (mi > in.elements) copy({kSpongeSquare[i], ar}, zero);  // mi == elements: the salt
        }
        for (std::size_t k = 0; k < kSpongeRounds; ++k) {
          const std::uint32_t row = ar + 1 + std::uint32_t(k);
          on(full_round(k) ? c.s_full : c.s_part, row);
          for (unsigned i = 0; i < 5; ++i) set(c.f[i], row, Poseidon5::round_constant(k, i));
        }
      }
      copy({kSpongeState[1], r->output_row()}, {kInst, 0});
    } else if (auto* r = std::get_if<GatherRegion>(&region)) {
      for (std::size_t b = 0; b + 1 < r->block_row.size(); ++b)
        for (std::uint32_t row = r->block_row[b]; row < r->block_row[b + 1]; ++row) {
          on(r->sum ? c.s_gsum : c.s_gather, row);
          if (row != r->block_row[b]) on(c.cont, row);
        }
      for (std::size_t e = 0; e < r->entries.size(); ++e)
        copy({std::uint8_t(e % kGatherWidth), std::uint32_t(r->row0 + e / kGatherWidth)}, r->entries[e]);
    } else if (auto* r = std::get_if<ElementRegion>(&region)) {
      const Layer& layer = M.layers[r->layer];
      const Requant& rq = L.requant[r->layer];
      for (std::uint32_t pair = 0; pair * 2 < r->channels; ++pair)
        for (std::uint32_t p = 0; p < r->positions; ++p) {
          const std::uint32_t row = r->row0 + pair * r->positions + p;
          on(c.s_elem, row);
          set(c.off, row, Fr::from_i64(rq.off));
          set(c.km[2], row, Fr::from_i64(rq.mb));
          if (r->source == ElementRegion::kFree) {
            on(c.s_cy, row);
            if (p > 0) on(c.cont, row);
          }
          for (unsigned l = 0; l < kLanes; ++l) {
            const std::uint32_t ch = 2 * pair + l;
            if (ch >= r->channels) continue;
            set(c.km[l], row, Fr::from_i64(rq.mult.size() == 1 ? rq.mult[0] : rq.mult[ch]));
            const std::size_t flat = std::size_t(ch) * r->positions + p;
            if (r->source == ElementRegion::kAdd) {
              copy({lane_a(l), row}, L.tensors[layer.inputs[0]].at(flat));
              copy({lane_b(l), row}, L.tensors[layer.inputs[1]].at(flat));
            } else if (r->source == ElementRegion::kSum) {
              copy({lane_a(l), row}, std::get<GatherRegion>(L.regions[r->sum_region]).block_end(flat));
            }
          }
        }
    } else if (auto* r = std::get_if<AlphaRegion>(&region)) {
      for (std::size_t b = 0; b + 1 < r->block_offset.size(); ++b)
        for (std::uint32_t i = r->block_offset[b]; i < r->block_offset[b + 1]; ++i) {
          on(c.s_alpha, r->row0 + i);
          if (i != r->block_offset[b]) on(c.cont, r->row0 + i);
          copy({kH0, r->row0 + i}, r->inputs[i]);
        }
    } else if (auto* r = std::get_if<DotRegion>(&region)) {
      for (std::size_t b = 0; b + 1 < r->block_offset.size(); ++b) {
        for (std::uint32_t i = r->block_offset[b]; i < r->block_offset[b + 1]; ++i) {
          on(c.s_dot, r->row0 + i);
          if (i != r->block_offset[b]) on(c.cont, r->row0 + i);
          copy({kH0, r->row0 + i}, r->terms[i][0]);
          copy({kH0 + 1, r->row0 + i}, r->terms[i][1]);
        }
        copy({kH0 + 2, r->row0 + r->block_offset[b + 1] - 1}, zero);
      }
    } else if (auto* r = std::get_if<MaxRegion>(&region)) {
      for (std::size_t w = 0; w < r->windows.size(); ++w) {
        on(c.s_max, r->row0 + w);
        for (unsigned i = 0; i < 4; ++i) copy({kMaxEntries[i], std::uint32_t(r->row0 + w)}, r->windows[w][i]);
      }
    } else if (auto* r = std::get_if<WeightRegion>(&region)) {
      for (std::size_t b = 0; b + 1 < r->block_row.size(); ++b)
        for (std::uint32_t row = r->block_row[b]; row < r->block_row[b + 1]; ++row) weight_rows.push_back({row, row == r->block_row[b]});
      for (std::size_t v = 0; v < r->values.size(); ++v)
        weights[v % kWeightWidth][r->row0 + v / kWeightWidth] = Fr::from_i64(r->values[v]);
    }
  }
  for (auto [row, start] : weight_rows) {
    on(c.s_weight, row);
    if (!start) on(c.cont_w, row);
  }
  if (tamper_weights) tamper_weights(weights);
  for (unsigned i = 0; i < kWeightWidth; ++i)
    for (std::uint32_t row = 0; row < L.weight_rows; ++row)
      if (!weights[i][row].is_zero()) set(c.kw[i], row, weights[i][row]);
  const TensorLoc out = L.tensors[M.output];
  for (std::size_t i = 0; i < L.instance_size - L.output_offset; ++i)
    copy(out.at(i), Cell{kInst, std::uint32_t(L.output_offset + i)});
  return st;
}

// ---- the witness ----

Fr ModelCircuit::cell_value(const Cell& cell) const {
  if (cell.col == kKC) return layout_->constants[cell.row];
  if (cell.col == kInst) return instance_[cell.row];
  return tables_[cell.col][cell.row];
}

namespace {

// Pre-activation accumulators of a convolution or a fully connected layer, [C_out][P].
std::vector<std::int64_t> accumulators(const Model& M, const Layer& l, const std::vector<std::uint8_t>& x) {
  const TensorInfo& ti = M.tensors[l.inputs[0]];
  const Shape is = ti.shape, os = M.tensors[l.output].shape;
  const std::int64_t zx = ti.zero_point;
  std::vector<std::int64_t> acc(os.size());
  if (l.kind == LayerKind::kGemm) {
    const std::size_t k = is.size();
    for (std::uint32_t co = 0; co < os.c; ++co) {
      std::int64_t a = l.bias[co];
      for (std::size_t j = 0; j < k; ++j) a += std::int64_t(l.weights[co * k + j]) * (std::int64_t(x[j]) - zx);
      acc[co] = a;
    }
    return acc;
  }
  const std::uint32_t cig = is.c / l.groups, cog = os.c / l.groups;
  for (std::uint32_t co = 0; co < os.c; ++co) {
    const std::uint32_t g = co / cog;
    for (std::uint32_t oy = 0; oy < os.h; ++oy)
      for (std::uint32_t ox = 0; ox < os.w; ++ox) {
        std::int64_t a = l.bias[co];
        for (std::uint32_t ci = 0; ci < cig; ++ci)
          for (std::uint32_t dy = 0; dy < l.kernel_h; ++dy)
            for (std::uint32_t dx = 0; dx < l.kernel_w; ++dx) {
              const std::int64_t iy = std::int64_t(oy) * l.stride_h + dy - l.pad_t;
              const std::int64_t ix = std::int64_t(ox) * l.stride_w + dx - l.pad_l;
              if (iy < 0 || ix < 0 || iy >= is.h || ix >= is.w) continue;
              const std::int64_t w = l.weights[((std::size_t(co) * cig + ci) * l.kernel_h + dy) * l.kernel_w + dx];
              a += w * (std::int64_t(x[(std::size_t(g * cig + ci) * is.h + std::size_t(iy)) * is.w + std::size_t(ix)]) - zx);
            }
        acc[(std::size_t(co) * os.h + oy) * os.w + ox] = a;
      }
  }
  return acc;
}

}  // namespace

Status ModelCircuit::set_input(std::span<const std::uint8_t> input, const Fr& salt) {
  const Model& M = *model_;
  const Layout& L = *layout_;
  auto ref = run_reference(M, input);
  if (!ref.ok()) return ref.error();
  const auto& t = ref.value();
  const std::size_t rows = std::max(L.main_rows, L.weight_rows);
  tables_.assign(kHW + 1, std::vector<Fr>(rows));
  auto put = [&](std::uint8_t col, std::uint32_t row, const Fr& v) { tables_[col][row] = v; };
  auto byte_at = [&](const Cell& cl) -> std::int64_t {
    const auto limbs = cell_value(cl).to_canonical();
    return std::int64_t(limbs[0]);
  };

  std::vector<Fr> elements;
  for (std::size_t ri = 0; ri < L.regions.size(); ++ri) {
    const Region& region = L.regions[ri];
    if (auto* r = std::get_if<InputRegion>(&region)) {
      Fr acc;
      for (std::uint32_t i = 0; i < r->rows; ++i) {
        const std::uint32_t row = r->row0 + i;
        std::uint8_t q[2];
        for (unsigned l = 0; l < kLanes; ++l) {
          const std::size_t at = 2 * std::size_t(i) + l;
          q[l] = at < r->bytes ? input[at] : 0;
          put(lane_q(l), row, Fr::from_u64(q[l]));
          put(lane_r(l), row, Fr::from_u64(q[l]));
        }
        if (r->packed) {
          if (i % kRowsPerElement == 0) acc = Fr::zero();
          acc = acc * Fr::from_u64(65536) + Fr::from_u64(256u * q[0] + q[1]);
          put(lane_a(0), row, acc);
          if (i % kRowsPerElement == kRowsPerElement - 1) elements.push_back(acc);
        }
      }
    } else if (auto* r = std::get_if<SpongeRegion>(&region)) {
      std::vector<Fr> msgs = elements;
      msgs.push_back(salt);
      std::array<Fr, 5> s{hash::poseidon_sponge_tag(r->messages), Fr::zero(), Fr::zero(), Fr::zero(), Fr::zero()};
      auto put_state = [&](std::uint32_t row) {
        for (unsigned i = 0; i < 5; ++i) put(kSpongeState[i], row, s[i]);
      };
      for (std::uint32_t p = 0; p < r->perms; ++p) {
        const std::uint32_t ar = r->absorb_row(p);
        put_state(ar);
        for (unsigned i = 0; i < 4; ++i) {
          const std::size_t mi = 4 * std::size_t(p) + i;
          const Fr m = mi < msgs.size() ? msgs[mi] : Fr::zero();
          put(kSpongeSquare[i], ar, m);
          s[1 + i] += m;
        }
        for (std::size_t k = 0; k < kSpongeRounds; ++k) {
          const std::uint32_t row = ar + 1 + std::uint32_t(k);
          put_state(row);
          std::array<Fr, 5> x, y;
          for (unsigned i = 0; i < 5; ++i) x[i] = s[i] + Poseidon5::round_constant(k, i);
          for (unsigned i = 0; i < 5; ++i) {
            if (i == 0 || full_round(k)) {
              const Fr sq = x[i].square();
              put(kSpongeSquare[i], row, sq);
              y[i] = sq.square() * x[i];
            } else {
              y[i] = x[i];
            }
          }
          for (unsigned i = 0; i < 5; ++i) {
            Fr v;
            for (unsigned j = 0; j < 5; ++j) v += Poseidon5::mds(i, j) * y[j];
            s[i] = v;
          }
        }
      }
      put_state(r->output_row());
      if (!(s[1] == input_commitment(input, salt))) return Error{"internal: the in-circuit sponge differs from input_commitment"};
    } else if (auto* r = std::get_if<GatherRegion>(&region)) {
      for (std::size_t e = 0; e < r->entries.size(); ++e)
        put(std::uint8_t(e % kGatherWidth), std::uint32_t(r->row0 + e / kGatherWidth), cell_value(r->entries[e]));
    } else if (auto* r = std::get_if<ElementRegion>(&region)) {
      const Layer& layer = M.layers[r->layer];
      const Requant& rq = L.requant[r->layer];
      const std::vector<std::uint8_t>& expect = t[layer.output];
      std::vector<std::int64_t> acc;
      if (r->source == ElementRegion::kFree) acc = accumulators(M, layer, t[layer.inputs[0]]);
      for (std::uint32_t pair = 0; pair * 2 < r->channels; ++pair)
        for (std::uint32_t p = 0; p < r->positions; ++p) {
          const std::uint32_t row = r->row0 + pair * r->positions + p;
          for (unsigned l = 0; l < kLanes; ++l) {
            const std::uint32_t ch = 2 * pair + l;
            const bool used = ch < r->channels;
            const std::size_t flat = std::size_t(ch) * r->positions + p;
            std::int64_t a = 0, b = 0, m = 0;
            if (used) {
              m = rq.mult.size() == 1 ? rq.mult[0] : rq.mult[ch];
              if (r->source == ElementRegion::kFree) {
                a = acc[flat];
              } else if (r->source == ElementRegion::kAdd) {
                a = t[layer.inputs[0]][flat];
                b = t[layer.inputs[1]][flat];
              } else {
                const auto& g = std::get<GatherRegion>(L.regions[r->sum_region]);
                const std::size_t e0 = std::size_t(g.block_row[flat] - g.row0) * kGatherWidth;
                const std::size_t e1 = std::size_t(g.block_row[flat + 1] - g.row0) * kGatherWidth;
                for (std::size_t e = e0; e < e1; ++e) a += byte_at(g.entries[e]);
              }
            }
            const __int128 y = __int128(a) * m + __int128(b) * (used ? rq.mb : 0) + rq.off;
            const __int128 tq = y >> 32;  // floor
            if (tq < -kTableHalf || tq >= kTableHalf)
              return Error{"layer " + std::to_string(r->layer) + " '" + layer.name +
                           "': a pre-activation leaves the circuit's requantization range (256 times the output range)"};
            const std::int64_t tv = std::int64_t(tq);
            const std::int64_t rem = std::int64_t(y - (__int128(tv) << 32));
            const std::int64_t rv = rem >> 24;
            const std::int64_t sv = tv > 0 ? 1 : tv < 0 ? -1 : 0;
            const std::int64_t qv = std::clamp<std::int64_t>(256 * tv + rv, 0, 255);
            if (used && qv != expect[flat])
              return Error{"internal: layer " + std::to_string(r->layer) + " '" + layer.name + "': witness differs from the reference"};
            put(lane_a(l), row, Fr::from_i64(a));
            put(lane_b(l), row, Fr::from_i64(b));
            put(lane_q(l), row, Fr::from_i64(qv));
            put(lane_r(l), row, Fr::from_i64(rv));
            for (unsigned i = 0; i < kLimbs; ++i) put(lane_limb(l, i), row, Fr::from_i64((rem >> (8 * i)) & 255));
            put(lane_t(l), row, Fr::from_i64(tv));
            put(lane_s(l), row, Fr::from_i64(sv));
          }
        }
    } else if (auto* r = std::get_if<MaxRegion>(&region)) {
      for (std::size_t w = 0; w < r->windows.size(); ++w) {
        const std::uint32_t row = std::uint32_t(r->row0 + w);
        std::int64_t best = -1;
        std::array<std::int64_t, 4> x{};
        for (unsigned i = 0; i < 4; ++i) {
          x[i] = byte_at(r->windows[w][i]);
          best = std::max(best, x[i]);
          put(kMaxEntries[i], row, Fr::from_i64(x[i]));
        }
        put(kMaxOut, row, Fr::from_i64(best));
        for (unsigned i = 0; i < 4; ++i) put(kMaxDiffs[i], row, Fr::from_i64(best - x[i]));
      }
    }
  }
  // The outputs, and the instance column.
  const TensorLoc out = L.tensors[M.output];
  const std::vector<std::uint8_t>& expect = t[M.output];
  output_ = expect;
  instance_.assign(L.instance_size, Fr::zero());
  if (L.options.input == InputVisibility::kHidden) {
    instance_[0] = input_commitment(input, salt);
  } else {
    for (std::size_t i = 0; i < input.size(); ++i) instance_[i] = Fr::from_u64(input[i]);
  }
  for (std::size_t i = 0; i < expect.size(); ++i) {
    instance_[L.output_offset + i] = Fr::from_u64(expect[i]);
    if (byte_at(out.at(i)) != expect[i]) return Error{"internal: output witness differs from the reference"};
  }
  has_witness_ = true;
  return {};
}

Status ModelCircuit::assign_advice(unsigned phase, std::span<const Fr> challenges, plonk::AdviceAssignment& adv) const {
  if (!has_witness_) return Error{"the model circuit has no input (set_input was not called)"};
  const Columns& c = *cols_;
  const Layout& L = *layout_;
  const std::size_t rows = std::max(L.main_rows, L.weight_rows);
  if (phase == 1) {
    const Fr alpha = challenges[c.alpha], beta = challenges[c.beta];
    const Fr beta12 = beta.pow(kGatherWidth), alpha4 = alpha.pow(kWeightWidth);
    std::array<Fr, kGatherWidth> bp;
    bp[kGatherWidth - 1] = Fr::one();
    for (int i = int(kGatherWidth) - 2; i >= 0; --i) bp[i] = bp[i + 1] * beta;
    auto& T = tables_;
    for (const Region& region : L.regions) {
      if (auto* r = std::get_if<PowersRegion>(&region)) {
        Fr pw = Fr::one(), sum;
        for (std::uint32_t i = 0; i < r->len; ++i) {
          if (i > 0) pw *= beta;
          sum += pw;
          T[kH0][r->row0 + i] = pw;
          T[kH0 + 1][r->row0 + i] = sum;
        }
      } else if (auto* r = std::get_if<ElementRegion>(&region)) {
        if (r->source != ElementRegion::kFree) continue;
        for (std::uint32_t row = r->row0; row < r->row0 + r->rows(); ++row) {
          const bool first = (row - r->row0) % r->positions == 0;
          for (unsigned l = 0; l < kLanes; ++l)
            T[lane_cy(l)][row] = (first ? Fr::zero() : beta * T[lane_cy(l)][row - 1]) + T[lane_a(l)][row];
        }
      } else if (auto* r = std::get_if<GatherRegion>(&region)) {
        for (std::size_t b = 0; b + 1 < r->block_row.size(); ++b)
          for (std::uint32_t row = r->block_row[b]; row < r->block_row[b + 1]; ++row) {
            Fr v = row == r->block_row[b] ? Fr::zero() : (r->sum ? T[kH0][row - 1] : beta12 * T[kH0][row - 1]);
            for (unsigned i = 0; i < kGatherWidth; ++i) v += r->sum ? T[i][row] : bp[i] * T[i][row];
            T[kH0][row] = v;
          }
      } else if (auto* r = std::get_if<WeightRegion>(&region)) {
        for (std::size_t b = 0; b + 1 < r->block_row.size(); ++b)
          for (std::uint32_t row = r->block_row[b]; row < r->block_row[b + 1]; ++row) {
            Fr h;
            for (unsigned i = 0; i < kWeightWidth; ++i) {  // the committed values, as the key holds them
              auto w = adv.value(c.kw[i], row);
              if (!w.ok()) return w.error();
              h = h * alpha + w.value();
            }
            const Fr v = (row == r->block_row[b] ? Fr::zero() : alpha4 * T[kHW][row - 1]) + h;
            T[kHW][row] = v;
          }
      }
    }
    for (const Region& region : L.regions)
      if (auto* r = std::get_if<AlphaRegion>(&region))
        for (std::size_t b = 0; b + 1 < r->block_offset.size(); ++b)
          for (std::uint32_t i = r->block_offset[b]; i < r->block_offset[b + 1]; ++i) {
            const std::uint32_t row = r->row0 + i;
            T[kH0][row] = cell_value(r->inputs[i]);
            T[kH0 + 1][row] = (i == r->block_offset[b] ? Fr::zero() : alpha * T[kH0 + 1][row - 1]) + T[kH0][row];
          }
    for (const Region& region : L.regions)
      if (auto* r = std::get_if<DotRegion>(&region))
        for (std::size_t b = 0; b + 1 < r->block_offset.size(); ++b)
          for (std::uint32_t i = r->block_offset[b]; i < r->block_offset[b + 1]; ++i) {
            const std::uint32_t row = r->row0 + i;
            T[kH0][row] = cell_value(r->terms[i][0]);
            T[kH0 + 1][row] = cell_value(r->terms[i][1]);
            T[kH0 + 2][row] = (i == r->block_offset[b] ? Fr::zero() : T[kH0 + 2][row - 1]) + T[kH0][row] * T[kH0 + 1][row];
          }
  }
  if (tamper_advice) tamper_advice(phase, tables_);
  const std::uint8_t first = phase == 0 ? kA0 : kH0, last = phase == 0 ? kH0 : kHW + 1;
  for (std::uint8_t col = first; col < last; ++col)
    for (std::size_t row = 0; row < rows; ++row)
      if (!tables_[col][row].is_zero())
        if (auto st = adv.assign(c.of(col), row, tables_[col][row]); !st.ok()) return st;
  return {};
}

}  // namespace verdict::nn
