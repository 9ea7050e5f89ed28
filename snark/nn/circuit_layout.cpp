#include "snark/nn/circuit_layout.hpp"

#include <algorithm>
#include <map>

#include "snark/hash/poseidon_sponge.hpp"

namespace verdict::nn::detail {

Cell TensorLoc::at(std::size_t flat) const {
  switch (kind) {
    case kLanes: {
      const std::size_t c = flat / positions, p = flat % positions;
      return {lane_q(unsigned(c % 2)), std::uint32_t(row0 + (c / 2) * positions + p)};
    }
    case kBytes: return {lane_q(unsigned(flat % 2)), std::uint32_t(row0 + flat / 2)};
    case kRows: return {kMaxOut, std::uint32_t(row0 + flat)};
  }
  return {};
}

std::size_t Layout::rows_needed() const {
  return std::max<std::size_t>({main_rows, weight_rows, std::size_t(1) << kTableBits});
}

namespace {

const char* kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::kConv: return "conv";
    case LayerKind::kGemm: return "gemm";
    case LayerKind::kAdd: return "add";
    case LayerKind::kAvgPool: return "avgpool";
    case LayerKind::kGlobalAvgPool: return "globalavgpool";
    case LayerKind::kMaxPool: return "maxpool";
    case LayerKind::kReshape: return "reshape";
  }
  return "?";
}

std::uint32_t ceil_div(std::size_t a, std::size_t b) { return std::uint32_t((a + b - 1) / b); }

constexpr std::uint64_t kMaxCells = std::uint64_t(1) << 30;  // 2^26 rows of 16 cells

class Planner {
 public:
  Planner(const Model& model, Layout& out) : m_(model), L_(out) {}

  Cell constant(std::int64_t v) {
    auto [it, fresh] = small_.try_emplace(v, std::uint32_t(L_.constants.size()));
    if (fresh) L_.constants.push_back(Fr::from_i64(v));
    return {kKC, it->second};
  }
  Cell constant_fr(const Fr& v) {
    L_.constants.push_back(v);
    return {kKC, std::uint32_t(L_.constants.size() - 1)};
  }

  Status run();

 private:
  Status check_requant(const Layer& l, std::size_t i) const {
    if (l.clamp_lo != 0 || l.clamp_hi != 255)
      return error(l, i, "clamp [" + std::to_string(l.clamp_lo) + ", " + std::to_string(l.clamp_hi) +
                             "] is not supported by the circuit (only [0, 255])");
    return {};
  }
  Error error(const Layer& l, std::size_t i, const std::string& why) const {
    return Error{"layer " + std::to_string(i) + " '" + l.name + "' (" + kind_name(l.kind) + "): " + why};
  }
  std::int64_t scaled(std::int64_t m) const { return m << (kShift - m_.shift); }

  void plan_linear(const Layer& l, std::size_t i, LayerRows& lr);
  void plan_pool_sum(const Layer& l, std::size_t i, LayerRows& lr);
  Status plan_max(const Layer& l, std::size_t i, LayerRows& lr);
  void plan_add(const Layer& l, std::size_t i, LayerRows& lr);

  const Model& m_;
  Layout& L_;
  std::map<std::int64_t, std::uint32_t> small_;
  std::uint32_t row_ = 0, wrow_ = 0;
};

Status Planner::run() {
  L_.tensors.assign(m_.tensors.size(), TensorLoc{});
  L_.requant.assign(m_.layers.size(), Requant{});
  constant(0);
  constant(-1);

  // The powers of beta, as far as the largest convolution output.
  std::uint32_t max_p = 1;
  for (const Layer& l : m_.layers)
    if (l.kind == LayerKind::kConv) {
      const Shape& s = m_.tensors[l.output].shape;
      max_p = std::max(max_p, s.h * s.w);
    }
  L_.powers_region = std::uint32_t(L_.regions.size());
  L_.regions.push_back(PowersRegion{row_, max_p});
  row_ += max_p;

  // The input bytes, packed when hidden, and their sponge.
  const std::size_t bytes = m_.tensors[m_.input].shape.size();
  InputRegion in;
  in.row0 = row_;
  in.bytes = std::uint32_t(bytes);
  in.packed = L_.options.input == InputVisibility::kHidden;
  in.elements = ceil_div(bytes, kBytesPerElement);
  in.rows = in.packed ? in.elements * kRowsPerElement : ceil_div(bytes, 2);
  L_.tensors[m_.input] = TensorLoc{TensorLoc::kBytes, row_, 1};
  L_.input_region = std::uint32_t(L_.regions.size());
  L_.regions.push_back(in);
  row_ += in.rows;
  if (in.packed) {
    SpongeRegion sp;
    sp.row0 = row_;
    sp.messages = in.elements + 1;
    sp.perms = ceil_div(sp.messages, 4);
    L_.sponge_region = std::uint32_t(L_.regions.size());
    L_.regions.push_back(sp);
    row_ += sp.rows();
    constant_fr(hash::poseidon_sponge_tag(sp.messages));
  }

  for (std::size_t i = 0; i < m_.layers.size(); ++i) {
    const Layer& l = m_.layers[i];
    LayerRows lr;
    lr.name = l.name;
    lr.kind = kind_name(l.kind);
    lr.in = m_.tensors[l.inputs[0]].shape;
    lr.out = m_.tensors[l.output].shape;
    lr.parameters = l.weights.size() + l.bias.size();
    // Cells this layer can need (an upper bound): refuse what no domain could hold before
    // allocating for it.
    const std::uint64_t window = std::uint64_t(l.kernel_h) * l.kernel_w;
    const std::uint64_t positions = std::uint64_t(lr.out.h) * lr.out.w;
    const std::uint64_t entries =
        l.kind == LayerKind::kGemm ? lr.in.size() : std::uint64_t(lr.in.c) * window * positions;  // gathers, windows
    const std::uint64_t cells = entries + lr.out.size() + l.weights.size();
    if (cells > kMaxCells || row_ > kMaxCells || wrow_ > kMaxCells)
      return error(l, i, "too large for the circuit (more than 2^26 rows)");
    const std::uint32_t before = row_, wbefore = wrow_;
    const std::uint64_t copies_before = L_.copies;
    switch (l.kind) {
      case LayerKind::kConv:
      case LayerKind::kGemm:
        if (auto st = check_requant(l, i); !st.ok()) return st;
        plan_linear(l, i, lr);
        break;
      case LayerKind::kAdd:
        if (auto st = check_requant(l, i); !st.ok()) return st;
        plan_add(l, i, lr);
        break;
      case LayerKind::kAvgPool:
      case LayerKind::kGlobalAvgPool:
        if (auto st = check_requant(l, i); !st.ok()) return st;
        plan_pool_sum(l, i, lr);
        break;
      case LayerKind::kMaxPool:
        if (auto st = plan_max(l, i, lr); !st.ok()) return st;
        break;
      case LayerKind::kReshape:
        L_.tensors[l.output] = L_.tensors[l.inputs[0]];
        break;
    }
    lr.other_rows = (row_ - before) - lr.element_rows - lr.gather_rows - lr.dot_rows;
    lr.weight_rows = wrow_ - wbefore;
    lr.copies = L_.copies - copies_before;
    lr.lookups = 8 * std::uint64_t(row_ - before);
    L_.layer_rows.push_back(std::move(lr));
  }

  const std::size_t outputs = m_.tensors[m_.output].shape.size();
  L_.output_offset = in.packed ? 1 : bytes;
  L_.instance_size = L_.output_offset + outputs;
  L_.copies += L_.instance_size;
  L_.main_rows = row_;
  L_.weight_rows = wrow_;
  return {};
}

// Convolutions and fully connected layers: element rows, gathers of B_j, the weight
// track's A_j, the alpha chain over the outputs' beta chains, and one dot block per group.
void Planner::plan_linear(const Layer& l, std::size_t i, LayerRows& lr) {
  const bool gemm = l.kind == LayerKind::kGemm;
  const TensorInfo& ti = m_.tensors[l.inputs[0]];
  const Shape is = ti.shape, os = m_.tensors[l.output].shape;
  const TensorLoc src = L_.tensors[l.inputs[0]];
  const std::uint32_t groups = gemm ? 1 : l.groups;
  const std::uint32_t og = os.c / groups;
  const std::uint32_t cig = gemm ? std::uint32_t(is.size()) : is.c / groups;
  const std::uint32_t kk = gemm ? 1 : l.kernel_h * l.kernel_w;
  const std::uint32_t K = cig * kk;
  const std::uint32_t P = gemm ? 1 : os.h * os.w;
  const std::int64_t z_in = ti.zero_point;
  lr.macs = std::uint64_t(os.c) * K * P;

  Requant rq;
  for (std::int64_t m : l.mult) rq.mult.push_back(scaled(m));
  rq.off = (std::int64_t(1) << (kShift - 1)) + std::int64_t(m_.tensors[l.output].zero_point) * (std::int64_t(1) << kShift);
  L_.requant[i] = rq;

  ElementRegion e;
  e.source = ElementRegion::kFree;
  e.layer = std::uint32_t(i);
  e.row0 = row_;
  e.channels = os.c;
  e.positions = P;
  row_ += e.rows();
  lr.element_rows = e.rows();
  L_.tensors[l.output] = TensorLoc{TensorLoc::kLanes, e.row0, P};
  L_.regions.push_back(e);

  GatherRegion gr;
  gr.row0 = row_;
  gr.block_row.push_back(row_);
  WeightRegion wr;
  wr.row0 = wrow_;
  wr.block_row.push_back(wrow_);
  AlphaRegion ar;
  ar.block_offset.push_back(0);
  DotRegion dr;
  dr.block_offset.push_back(0);
  const Cell zero = constant(0), minus_one = constant(-1), pad = constant(z_in);
  const PowersRegion pw = std::get<PowersRegion>(L_.regions[L_.powers_region]);

  auto weight = [&](std::uint32_t o, std::uint32_t j) -> std::int64_t { return l.weights[std::size_t(o) * K + j]; };
  auto weight_block = [&](auto&& value_of) {
    const std::uint32_t rows = ceil_div(og, kWeightWidth);
    const std::uint32_t front = rows * kWeightWidth - og;
    for (std::uint32_t f = 0; f < front; ++f) wr.values.push_back(0);
    for (std::uint32_t o = 0; o < og; ++o) wr.values.push_back(value_of(o));
    wrow_ += rows;
    wr.block_row.push_back(wrow_);
  };

  for (std::uint32_t g = 0; g < groups; ++g) {
    std::vector<Cell> b(K);
    for (std::uint32_t j = 0; j < K; ++j) {
      if (gemm) {
        b[j] = src.at(j);
        continue;
      }
      const std::uint32_t ci = j / kk, dy = (j % kk) / l.kernel_w, dx = j % l.kernel_w;
      const std::uint32_t channel = g * cig + ci;
      const std::uint32_t rows = ceil_div(P, kGatherWidth);
      for (std::uint32_t f = 0; f < rows * kGatherWidth - P; ++f) gr.entries.push_back(zero);
      for (std::uint32_t oy = 0; oy < os.h; ++oy)
        for (std::uint32_t ox = 0; ox < os.w; ++ox) {
          const std::int64_t iy = std::int64_t(oy) * l.stride_h + dy - l.pad_t;
          const std::int64_t ix = std::int64_t(ox) * l.stride_w + dx - l.pad_l;
          if (iy < 0 || ix < 0 || iy >= is.h || ix >= is.w) {
            gr.entries.push_back(pad);
          } else {
            gr.entries.push_back(src.at((std::size_t(channel) * is.h + std::size_t(iy)) * is.w + std::size_t(ix)));
          }
        }
      row_ += rows;
      gr.block_row.push_back(row_);
      b[j] = gr.block_end(gr.block_row.size() - 2);
    }
    const std::size_t wblock0 = wr.block_row.size() - 1;
    for (std::uint32_t j = 0; j < K; ++j) weight_block([&](std::uint32_t o) { return weight(g * og + o, j); });
    weight_block([&](std::uint32_t o) {
      std::int64_t sum = 0;
      for (std::uint32_t j = 0; j < K; ++j) sum += weight(g * og + o, j);
      return std::int64_t(l.bias[g * og + o]) - z_in * sum;
    });
    for (std::uint32_t o = 0; o < og; ++o) ar.inputs.push_back(e.cy_end(g * og + o));
    ar.block_offset.push_back(std::uint32_t(ar.inputs.size()));
    for (std::uint32_t j = 0; j < K; ++j) dr.terms.push_back({wr.block_end(wblock0 + j), b[j]});
    dr.terms.push_back({wr.block_end(wblock0 + K), pw.sum_end(P)});
    dr.terms.push_back({Cell{}, minus_one});  // the alpha chain's end, set below
    dr.block_offset.push_back(std::uint32_t(dr.terms.size()));
  }
  lr.gather_rows = row_ - gr.row0;
  L_.copies += gr.entries.size();
  if (!gemm) L_.regions.push_back(std::move(gr));
  ar.row0 = row_;
  row_ += std::uint32_t(ar.inputs.size());
  for (std::uint32_t g = 0; g < groups; ++g) dr.terms[dr.block_offset[g + 1] - 1][0] = ar.block_end(g);  // now that row0 is known
  L_.copies += ar.inputs.size();
  dr.row0 = row_;
  row_ += std::uint32_t(dr.terms.size());
  lr.dot_rows = dr.terms.size();
  L_.copies += 2 * dr.terms.size() + groups;
  L_.regions.push_back(std::move(wr));
  L_.regions.push_back(std::move(ar));
  L_.regions.push_back(std::move(dr));
}

void Planner::plan_add(const Layer& l, std::size_t i, LayerRows& lr) {
  const TensorInfo& t0 = m_.tensors[l.inputs[0]];
  const TensorInfo& t1 = m_.tensors[l.inputs[1]];
  const Shape os = m_.tensors[l.output].shape;
  Requant rq;
  const std::int64_t m0 = scaled(l.mult[0]), m1 = scaled(l.mult[1]);
  rq.mult = {m0};
  rq.mb = m1;
  rq.off = (std::int64_t(1) << (kShift - 1)) + std::int64_t(m_.tensors[l.output].zero_point) * (std::int64_t(1) << kShift) -
           std::int64_t(t0.zero_point) * m0 - std::int64_t(t1.zero_point) * m1;
  L_.requant[i] = rq;
  ElementRegion e;
  e.source = ElementRegion::kAdd;
  e.layer = std::uint32_t(i);
  e.row0 = row_;
  e.channels = os.c;
  e.positions = os.h * os.w;
  row_ += e.rows();
  lr.element_rows = e.rows();
  lr.macs = 2 * os.size();
  L_.copies += 2 * os.size();
  L_.tensors[l.output] = TensorLoc{TensorLoc::kLanes, e.row0, e.positions};
  L_.regions.push_back(e);
}

// Average and global average pooling: a sum gather per output element, then element rows.
void Planner::plan_pool_sum(const Layer& l, std::size_t i, LayerRows& lr) {
  const TensorInfo& ti = m_.tensors[l.inputs[0]];
  const Shape is = ti.shape, os = m_.tensors[l.output].shape;
  const TensorLoc src = L_.tensors[l.inputs[0]];
  const bool global = l.kind == LayerKind::kGlobalAvgPool;
  const std::uint32_t kh = global ? is.h : l.kernel_h, kw = global ? is.w : l.kernel_w;
  const std::uint32_t sh = global ? 1 : l.stride_h, sw = global ? 1 : l.stride_w;
  const std::uint32_t count = kh * kw;  // no padding (validate() rejects padded average pooling)
  const Cell zero = constant(0);
  GatherRegion gr;
  gr.row0 = row_;
  gr.sum = true;
  gr.block_row.push_back(row_);
  const std::uint32_t rows = ceil_div(count, kGatherWidth);
  for (std::uint32_t c = 0; c < os.c; ++c)
    for (std::uint32_t oy = 0; oy < os.h; ++oy)
      for (std::uint32_t ox = 0; ox < os.w; ++ox) {
        for (std::uint32_t f = 0; f < rows * kGatherWidth - count; ++f) gr.entries.push_back(zero);
        for (std::uint32_t dy = 0; dy < kh; ++dy)
          for (std::uint32_t dx = 0; dx < kw; ++dx)
            gr.entries.push_back(src.at((std::size_t(c) * is.h + oy * sh + dy) * is.w + ox * sw + dx));
        row_ += rows;
        gr.block_row.push_back(row_);
      }
  lr.gather_rows = row_ - gr.row0;
  lr.macs = os.size() * count;
  L_.copies += gr.entries.size() + os.size();
  Requant rq;
  const std::int64_t m = scaled(l.mult[0]);
  rq.mult = {m};
  rq.off = (std::int64_t(1) << (kShift - 1)) + std::int64_t(m_.tensors[l.output].zero_point) * (std::int64_t(1) << kShift) -
           std::int64_t(ti.zero_point) * count * m;
  L_.requant[i] = rq;
  const std::uint32_t sum_region = std::uint32_t(L_.regions.size());
  L_.regions.push_back(std::move(gr));
  ElementRegion e;
  e.source = ElementRegion::kSum;
  e.layer = std::uint32_t(i);
  e.row0 = row_;
  e.channels = os.c;
  e.positions = os.h * os.w;
  e.sum_region = sum_region;
  row_ += e.rows();
  lr.element_rows = e.rows();
  L_.tensors[l.output] = TensorLoc{TensorLoc::kLanes, e.row0, e.positions};
  L_.regions.push_back(e);
}

Status Planner::plan_max(const Layer& l, std::size_t i, LayerRows& lr) {
  if (l.kernel_h * l.kernel_w > 4) return error(l, i, "max pooling windows above 4 elements are not supported");
  if (l.clamp_lo > 0 || l.clamp_hi < 255) return error(l, i, "a clamped max pooling is not supported");
  const Shape is = m_.tensors[l.inputs[0]].shape, os = m_.tensors[l.output].shape;
  const TensorLoc src = L_.tensors[l.inputs[0]];
  MaxRegion mr;
  mr.row0 = row_;
  for (std::uint32_t c = 0; c < os.c; ++c)
    for (std::uint32_t oy = 0; oy < os.h; ++oy)
      for (std::uint32_t ox = 0; ox < os.w; ++ox) {
        std::vector<Cell> cells;
        for (std::uint32_t dy = 0; dy < l.kernel_h; ++dy)
          for (std::uint32_t dx = 0; dx < l.kernel_w; ++dx) {
            const std::int64_t iy = std::int64_t(oy) * l.stride_h + dy - l.pad_t;
            const std::int64_t ix = std::int64_t(ox) * l.stride_w + dx - l.pad_l;
            if (iy < 0 || ix < 0 || iy >= is.h || ix >= is.w) continue;
            cells.push_back(src.at((std::size_t(c) * is.h + std::size_t(iy)) * is.w + std::size_t(ix)));
          }
        if (cells.empty()) return error(l, i, "a max pooling window lies entirely in the padding");
        std::array<Cell, 4> w;
        for (std::size_t k = 0; k < 4; ++k) w[k] = cells[std::min(k, cells.size() - 1)];
        mr.windows.push_back(w);
      }
  row_ += std::uint32_t(mr.windows.size());
  lr.other_rows = mr.windows.size();
  L_.copies += 4 * mr.windows.size();
  L_.tensors[l.output] = TensorLoc{TensorLoc::kRows, mr.row0, 1};
  L_.regions.push_back(std::move(mr));
  return {};
}

}  // namespace

Result<Layout> plan_layout(const Model& model, const CircuitOptions& options) {
  if (auto st = model.validate(); !st.ok()) return st.error();
  if (model.shift > kShift)
    return Error{"model shift " + std::to_string(model.shift) + " is above the circuit's 24 (re-quantize with --shift 24)"};
  Layout L;
  L.options = options;
  Planner planner(model, L);
  if (auto st = planner.run(); !st.ok()) return st.error();
  return L;
}

}  // namespace verdict::nn::detail
