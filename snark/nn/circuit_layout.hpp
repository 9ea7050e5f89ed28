#pragma once
// Where every value of a model's proof lives: the layout of the model circuit
// (docs/nn.md, "Circuit layout"). Planned once from the model's shapes and weights;
// key generation and proving both walk the same plan.
//
// Two tracks share the rows:
//   main track    phase-0 advice A0..A17, phase-1 advice H0..H3, the committed lane
//                 multipliers KM0..KM2 and fixed columns; regions one after the other:
//                 the powers of beta, the input bytes, the input sponge, and per layer
//                 its gathers, element rows, alpha chains, dot products and max pools
//   weight track  committed KW0..KW3 (four weights a row) and the phase-1 chain HW
//
// Element rows hold two output elements (lanes 0 and 1: channels 2i and 2i+1 at the
// same position). Lane l uses a = A[7l], b = A[7l+1], q = A[7l+2] (the output byte),
// r = A[7l+3], the remainder's byte limbs A[7l+4..7l+6], t = A[14+2l], s = A[15+2l],
// and the chain cy = H[2l] over a. The lookups read r, the limbs, t and s of both lanes
// on every usable row, so every region keeps those cells in their tables (zero when
// unused).
//
// A convolution (and a fully connected layer, P = 1) with output channels O of a group,
// inputs j < K (channel, dy, dx of the group) and output positions p < P is checked by
// a Freivalds identity with the phase-1 challenges alpha, beta:
//   sum_o alpha^(O-1-o) sum_p beta^(P-1-p) a[o][p]
//     = sum_j A_j B_j + A_bias T_P,   A_j = sum_o alpha^(O-1-o) w[o][j] (weight track),
//   B_j = sum_p beta^(P-1-p) x[j][p] (gathers of the im2col entries, padding = z_in),
//   A_bias = sum_o alpha^(O-1-o) (bias[o] - z_in sum_j w[o][j]), T_P = sum_{p<P} beta^p,
// so the cost is the tensor sizes (O K weights, K P entries, O P outputs), not O K P.

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "snark/field/fr.hpp"
#include "snark/nn/model.hpp"

namespace verdict::nn {

enum class InputVisibility : std::uint8_t { kHidden = 0, kPublic = 1 };

struct CircuitOptions {
  InputVisibility input = InputVisibility::kHidden;
};

namespace detail {

using field::Fr;

// Columns of the model circuit, as small codes (ModelCircuit maps them to plonk columns).
enum Col : std::uint8_t {
  kA0 = 0,     // .. kA0 + 17: phase-0 advice
  kH0 = 18,    // .. kH0 + 3: phase-1 advice
  kHW = 22,    // phase-1 advice: the weight track's chain
  kKC = 23,    // fixed constants (equality)
  kInst = 24,  // the instance column
  kNumCellCols = 25
};
inline constexpr unsigned kNumA = kH0;
inline constexpr unsigned kLanes = 2;
inline constexpr unsigned kGatherWidth = 12;  // entries per gather row: A0..A11
inline constexpr unsigned kWeightWidth = 4;
inline constexpr unsigned kBytesPerElement = 30;  // input packing: 30 bytes per field element
inline constexpr unsigned kRowsPerElement = kBytesPerElement / kLanes;
inline constexpr unsigned kSpongeRounds = 68;  // Poseidon<5>: 8 full + 60 partial
inline constexpr unsigned kTableBits = 9;      // lookup tables of 2^9 rows: x in [-256, 256)
inline constexpr unsigned kLimbs = 3;          // the requantization remainder: three byte limbs
inline constexpr std::int64_t kTableHalf = std::int64_t(1) << (kTableBits - 1);
inline constexpr unsigned kShift = 24;  // the circuit's requantization shift

constexpr std::uint8_t lane_a(unsigned l) { return std::uint8_t(7 * l); }
constexpr std::uint8_t lane_b(unsigned l) { return std::uint8_t(7 * l + 1); }
constexpr std::uint8_t lane_q(unsigned l) { return std::uint8_t(7 * l + 2); }
constexpr std::uint8_t lane_r(unsigned l) { return std::uint8_t(7 * l + 3); }
constexpr std::uint8_t lane_limb(unsigned l, unsigned i) { return std::uint8_t(7 * l + 4 + i); }
constexpr std::uint8_t lane_t(unsigned l) { return std::uint8_t(14 + 2 * l); }
constexpr std::uint8_t lane_s(unsigned l) { return std::uint8_t(15 + 2 * l); }
constexpr std::uint8_t lane_cy(unsigned l) { return std::uint8_t(kH0 + 2 * l); }
// Sponge rows: the state (5 lanes) and the squares / absorbed messages.
constexpr std::array<std::uint8_t, 5> kSpongeState = {lane_a(0), lane_b(0), lane_q(0), lane_a(1), lane_b(1)};
constexpr std::array<std::uint8_t, 5> kSpongeSquare = {lane_q(1), kH0, kH0 + 1, kH0 + 2, kH0 + 3};
// Max-pool rows: window entries, output, differences (range-checked by the limb lookups).
constexpr std::array<std::uint8_t, 4> kMaxEntries = {lane_a(0), lane_b(0), lane_a(1), lane_b(1)};
constexpr std::uint8_t kMaxOut = lane_q(0);
constexpr std::array<std::uint8_t, 4> kMaxDiffs = {lane_limb(0, 0), lane_limb(0, 1), lane_limb(1, 0), lane_limb(1, 1)};

struct Cell {
  std::uint8_t col = 0;
  std::uint32_t row = 0;
};

// Where a tensor's elements are (flat index in channel-major order).
struct TensorLoc {
  enum Kind : std::uint8_t { kLanes, kBytes, kRows } kind = kLanes;
  std::uint32_t row0 = 0, positions = 1;
  Cell at(std::size_t flat) const;
};

// --- regions, in the order they are created (which is the order values flow) ---

struct PowersRegion {  // H0 = beta^i, H1 = sum_{k <= i} beta^k on rows row0 + i
  std::uint32_t row0 = 0, len = 0;
  Cell sum_end(std::uint32_t p) const { return {kH0 + 1, row0 + p - 1}; }  // T_p
};
struct InputRegion {  // two bytes a row in q0 q1 (r = q); a0 packs 30 bytes a field element
  std::uint32_t row0 = 0, bytes = 0, rows = 0, elements = 0;
  bool packed = false;
  Cell element_end(std::size_t e) const {
    return {lane_a(0), std::uint32_t(row0 + e * kRowsPerElement + kRowsPerElement - 1)};
  }
};
struct SpongeRegion {  // Poseidon<5> sponge over the packed input and the salt
  std::uint32_t row0 = 0, perms = 0, messages = 0;  // messages = elements + 1 (the salt)
  std::uint32_t absorb_row(std::size_t perm) const { return std::uint32_t(row0 + perm * (kSpongeRounds + 1)); }
  std::uint32_t output_row() const { return absorb_row(perms); }
  std::uint32_t rows() const { return perms * (kSpongeRounds + 1) + 1; }
};
struct GatherRegion {  // blocks of entries, twelve a row, chained with beta^12 (or summed)
  std::uint32_t row0 = 0;
  bool sum = false;
  std::vector<Cell> entries;                // one source per entry, front-padded per block
  std::vector<std::uint32_t> block_row;     // first row of block i; one past the last block at the end
  Cell block_end(std::size_t i) const { return {kH0, block_row[i + 1] - 1}; }
  std::uint32_t rows() const { return block_row.back() - row0; }
};
struct ElementRegion {  // a layer's output, requantized
  enum Source : std::uint8_t { kFree, kAdd, kSum } source = kFree;
  std::uint32_t layer = 0, row0 = 0, channels = 0, positions = 0;
  std::uint32_t sum_region = 0;  // kSum: the region of the sums (block c * P + p)
  std::uint32_t rows() const { return ((channels + 1) / 2) * positions; }
  Cell cy_end(std::size_t c) const {
    return {lane_cy(unsigned(c % 2)), std::uint32_t(row0 + (c / 2) * positions + positions - 1)};
  }
};
struct AlphaRegion {  // chains H1 = sum alpha^(N-1-i) H0_i over copies of the inputs of each block
  std::uint32_t row0 = 0;
  std::vector<Cell> inputs;
  std::vector<std::uint32_t> block_offset;  // block i: inputs [block_offset[i], block_offset[i+1])
  Cell block_end(std::size_t i) const { return {kH0 + 1, std::uint32_t(row0 + block_offset[i + 1] - 1)}; }
};
struct DotRegion {  // per block H2 = sum H0_i H1_i over copies of its terms; each block ends at 0
  std::uint32_t row0 = 0;
  std::vector<std::array<Cell, 2>> terms;
  std::vector<std::uint32_t> block_offset;  // block i: terms [block_offset[i], block_offset[i+1])
};
struct MaxRegion {  // one output per row: the max of four (repeated) entries
  std::uint32_t row0 = 0;
  std::vector<std::array<Cell, 4>> windows;
};
struct WeightRegion {  // weight track: blocks of committed weights, four a row, chained with alpha^4
  std::uint32_t row0 = 0;
  std::vector<std::int64_t> values;      // 4 per row, front-padded with zeros per block
  std::vector<std::uint32_t> block_row;  // first row of each block, then one past the end
  Cell block_end(std::size_t i) const { return {kHW, block_row[i + 1] - 1}; }
};

using Region = std::variant<PowersRegion, InputRegion, SpongeRegion, GatherRegion, ElementRegion, AlphaRegion,
                            DotRegion, MaxRegion, WeightRegion>;

// Per-layer accounting, for `verdict inspect` and the benchmark's breakdown.
struct LayerRows {
  std::string name, kind;
  Shape in, out;
  std::uint64_t element_rows = 0, gather_rows = 0, dot_rows = 0, other_rows = 0, weight_rows = 0;
  std::uint64_t copies = 0, lookups = 0, parameters = 0, macs = 0;
};

// Requantization of one layer in the circuit's fixed-point form:
//   y = a * m' + b * mb + off = 2^32 t + 2^24 r + 2^16 l2 + 2^8 l1 + l0,  out = clamp(256 t + r, 0, 255)
struct Requant {
  std::vector<std::int64_t> mult;  // m' per output channel (one value for add and pools)
  std::int64_t mb = 0;             // add: the second input's multiplier
  std::int64_t off = 0;
};

struct Layout {
  CircuitOptions options;
  std::vector<Region> regions;
  std::vector<TensorLoc> tensors;  // per model tensor
  std::vector<Requant> requant;    // per model layer (element layers)
  std::vector<Fr> constants;       // KC row i holds constants[i]
  std::uint32_t main_rows = 0, weight_rows = 0;
  std::uint32_t input_region = UINT32_MAX, sponge_region = UINT32_MAX, powers_region = UINT32_MAX;
  std::vector<LayerRows> layer_rows;
  std::size_t instance_size = 0;  // commitment or input bytes, then output bytes
  std::size_t output_offset = 0;  // instance index of the first output byte
  std::uint64_t copies = 0;

  // Usable rows needed: both tracks and the lookup tables.
  std::size_t rows_needed() const;
};

// Plans the layout. Errors name the layer and why the circuit cannot prove it (an
// unsupported clamp, a max-pool window above 2x2, a shift above 24).
Result<Layout> plan_layout(const Model& model, const CircuitOptions& options);

}  // namespace detail
}  // namespace verdict::nn
