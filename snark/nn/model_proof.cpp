#include "snark/nn/model_proof.hpp"

#include <bit>
#include <cstring>

#include "base/codec.hpp"
#include "snark/hash/keccak256.hpp"
#include "snark/nn/model_circuit.hpp"
#include "snark/plonk/verifier.hpp"

namespace verdict::nn {

using field::Fr;

namespace {

constexpr char kVkMagic[4] = {'V', 'N', 'V', 'K'};
constexpr char kPkMagic[4] = {'V', 'N', 'P', 'K'};
constexpr char kProofMagic[4] = {'V', 'N', 'P', 'F'};
constexpr std::uint16_t kVersion = 1;
constexpr std::uint32_t kMaxDim = 1u << 16;
constexpr std::size_t kMaxTensorBytes = std::size_t(1) << 24;
constexpr std::size_t kMaxKeyBytes = std::size_t(1) << 30;

std::span<const std::uint8_t> magic_span(const char (&m)[4]) { return {reinterpret_cast<const std::uint8_t*>(m), 4}; }

bool read_magic(codec::Reader& r, const char (&m)[4], const char* what) {
  const auto got = r.fixed<4>();
  if (!r.ok()) return false;
  if (std::memcmp(got.data(), m, 4) != 0) {
    r.fail(std::string("not a verdict ") + what + " (bad magic)");
    return false;
  }
  const std::uint16_t v = r.u16();
  if (r.ok() && v != kVersion) {
    r.fail(std::string(what) + " version " + std::to_string(v) + " is not supported (expected 1)");
    return false;
  }
  return r.ok();
}

void write_shape(codec::Writer& w, const Shape& s) {
  w.u32(s.c);
  w.u32(s.h);
  w.u32(s.w);
}
Shape read_shape(codec::Reader& r) {
  Shape s{r.u32(), r.u32(), r.u32()};
  if (r.ok() && (s.c == 0 || s.h == 0 || s.w == 0 || s.c > kMaxDim || s.h > kMaxDim || s.w > kMaxDim ||
                 s.size() > kMaxTensorBytes))
    r.fail("tensor shape " + s.to_string() + " is out of range");
  return s;
}

Digest model_digest(const Model& m) { return hash::keccak256(m.to_bytes()); }

std::vector<Fr> instance_of(const PublicValues& v) {
  std::vector<Fr> inst;
  if (v.input == InputVisibility::kHidden) inst.push_back(v.input_commitment);
  for (auto b : v.input_bytes) inst.push_back(Fr::from_u64(b));
  for (auto b : v.output) inst.push_back(Fr::from_u64(b));
  return inst;
}

}  // namespace

// ---- verifying key ----

Digest ModelVerifyingKey::model_commitment() const {
  const std::string dom = "verdict-model-commitment-v1";
  std::vector<std::uint8_t> data(dom.begin(), dom.end());
  const auto b = to_bytes();
  data.insert(data.end(), b.begin(), b.end());
  return hash::keccak256(data);
}

std::vector<std::uint8_t> ModelVerifyingKey::to_bytes() const {
  codec::Writer w;
  w.raw(magic_span(kVkMagic));
  w.u16(kVersion);
  w.u8(std::uint8_t(input));
  write_shape(w, input_shape);
  write_shape(w, output_shape);
  w.u32(std::uint32_t(output_zero_point));
  w.u64(std::bit_cast<std::uint64_t>(output_scale));
  w.bytes(vk.to_bytes());
  return w.take();
}

Result<ModelVerifyingKey> ModelVerifyingKey::from_bytes(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  ModelVerifyingKey k;
  if (!read_magic(r, kVkMagic, "model verifying key")) return r.finish().error();
  const std::uint8_t vis = r.u8();
  if (r.ok() && vis > 1) r.fail("input visibility " + std::to_string(vis) + " is neither 0 (hidden) nor 1 (public)");
  k.input = InputVisibility(vis);
  k.input_shape = read_shape(r);
  k.output_shape = read_shape(r);
  const std::uint32_t z = r.u32();
  if (r.ok() && z > 255) r.fail("output zero point " + std::to_string(z) + " is not a byte");
  k.output_zero_point = std::int32_t(z);
  k.output_scale = std::bit_cast<double>(r.u64());
  if (r.ok() && !(k.output_scale > 0 && k.output_scale < 1e30)) r.fail("output scale is not a positive finite number");
  const auto vkb = r.bytes(kMaxKeyBytes);
  if (auto st = r.finish(); !st.ok()) return st.error().context("model verifying key");
  auto vk = plonk::VerifyingKey::from_bytes(vkb);
  if (!vk.ok()) return vk.error().context("model verifying key");
  k.vk = std::move(vk).value();
  const std::size_t expect = (k.input == InputVisibility::kHidden ? 1 : k.input_shape.size()) + k.output_shape.size();
  if (k.vk.cs.num_instance() != 1 || expect > k.vk.usable_rows())
    return Error{"model verifying key: the circuit does not fit the declared input and output shapes"};
  return k;
}

// ---- proving key ----

std::vector<std::uint8_t> ModelProvingKey::to_bytes() const {
  codec::Writer w;
  w.raw(magic_span(kPkMagic));
  w.u16(kVersion);
  w.fixed(model_digest);
  w.bytes(mvk.to_bytes());
  const auto pkb = pk.to_bytes();
  w.raw(pkb);
  return w.take();
}

Result<ModelProvingKey> ModelProvingKey::from_bytes(std::span<const std::uint8_t> bytes, std::shared_ptr<const commit::Srs> srs) {
  codec::Reader r(bytes);
  ModelProvingKey k;
  if (!read_magic(r, kPkMagic, "model proving key")) return r.finish().error();
  k.model_digest = r.fixed<32>();
  const auto mvkb = r.bytes(kMaxKeyBytes);
  if (!r.ok()) return r.finish().error().context("model proving key");
  const std::size_t rest = r.remaining();
  auto mvk = ModelVerifyingKey::from_bytes(mvkb);
  if (!mvk.ok()) return mvk.error().context("model proving key");
  k.mvk = std::move(mvk).value();
  auto pk = plonk::ProvingKey::from_bytes(bytes.subspan(bytes.size() - rest), std::move(srs));
  if (!pk.ok()) return pk.error().context("model proving key");
  k.pk = std::move(pk).value();
  if (k.pk.vk.digest != k.mvk.vk.digest) return Error{"model proving key: its Plonk key and its verifying key differ"};
  return k;
}

Result<ModelVerifyingKey> ModelProvingKey::verifying_key_of(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  if (!read_magic(r, kPkMagic, "model proving key")) return r.finish().error();
  r.fixed<32>();
  const auto mvkb = r.bytes(kMaxKeyBytes);
  if (!r.ok()) return r.finish().error().context("model proving key");
  return ModelVerifyingKey::from_bytes(mvkb);
}

// ---- proof ----

std::vector<std::uint8_t> ModelProof::to_bytes() const {
  codec::Writer w;
  w.raw(magic_span(kProofMagic));
  w.u16(kVersion);
  w.fixed(values.model_commitment);
  w.u8(std::uint8_t(values.input));
  if (values.input == InputVisibility::kHidden) w.fixed(values.input_commitment.to_bytes_be());
  else w.bytes(values.input_bytes);
  w.bytes(values.output);
  w.bytes(proof);
  return w.take();
}

Result<ModelProof> ModelProof::from_bytes(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  ModelProof p;
  if (!read_magic(r, kProofMagic, "model proof")) return r.finish().error();
  p.values.model_commitment = r.fixed<32>();
  const std::uint8_t vis = r.u8();
  if (r.ok() && vis > 1) r.fail("input visibility " + std::to_string(vis) + " is neither 0 (hidden) nor 1 (public)");
  p.values.input = InputVisibility(vis);
  if (r.ok() && p.values.input == InputVisibility::kHidden) {
    auto c = Fr::from_bytes_be(r.fixed<32>());
    if (r.ok() && !c.ok()) r.fail("input commitment: " + c.error().message);
    if (c.ok()) p.values.input_commitment = c.value();
  } else if (r.ok()) {
    p.values.input_bytes = r.bytes(kMaxTensorBytes);
  }
  p.values.output = r.bytes(kMaxTensorBytes);
  p.proof = r.bytes(kMaxKeyBytes);
  if (auto st = r.finish(); !st.ok()) return st.error().context("model proof");
  return p;
}

// ---- setup, prove, verify ----

Result<unsigned> circuit_k(const Model& model, const CircuitOptions& options) {
  auto layout = detail::plan_layout(model, options);
  if (!layout.ok()) return layout.error();
  const std::size_t rows = layout.value().rows_needed();
  ModelCircuit circuit(std::make_shared<const Model>(model), std::make_shared<const detail::Layout>(std::move(layout).value()));
  plonk::ConstraintSystem cs;
  circuit.configure(cs);
  return cs.min_k(rows);
}

Result<ModelProvingKey> setup(const Model& model, const CircuitOptions& options, std::shared_ptr<const commit::Srs> srs,
                              Rng& rng, const Progress& progress) {
  if (progress) progress("planning the circuit");
  auto layout = detail::plan_layout(model, options);
  if (!layout.ok()) return layout.error();
  auto lp = std::make_shared<const detail::Layout>(std::move(layout).value());
  ModelCircuit circuit(std::make_shared<const Model>(model), lp);
  plonk::ConstraintSystem cs;
  circuit.configure(cs);
  const unsigned k = cs.min_k(lp->rows_needed());
  if (progress) progress("key generation at 2^" + std::to_string(k) + " rows");
  auto pk = plonk::keygen(circuit, std::move(srs), k, &rng);
  if (!pk.ok()) return pk.error().context("setup");
  ModelProvingKey key;
  key.model_digest = model_digest(model);
  key.mvk.input = options.input;
  key.mvk.input_shape = model.tensors[model.input].shape;
  key.mvk.output_shape = model.tensors[model.output].shape;
  key.mvk.output_zero_point = model.tensors[model.output].zero_point;
  key.mvk.output_scale = model.tensors[model.output].scale > 0 ? model.tensors[model.output].scale : 1.0;
  key.mvk.vk = pk.value().vk;
  key.pk = std::move(pk).value();
  return key;
}

Result<ModelProof> prove(const ModelProvingKey& key, const Model& model, std::span<const std::uint8_t> input,
                         const Fr& salt, Rng& rng, plonk::ProverStats* stats, const Progress& progress) {
  if (model_digest(model) != key.model_digest) return Error{"the model is not the one the proving key was made for"};
  const Shape in = model.tensors[model.input].shape;
  if (input.size() != in.size())
    return Error{"input has " + std::to_string(input.size()) + " bytes; the model takes " + in.to_string() + " = " +
                 std::to_string(in.size())};
  auto layout = detail::plan_layout(model, {key.mvk.input});
  if (!layout.ok()) return layout.error();
  ModelCircuit circuit(std::make_shared<const Model>(model), std::make_shared<const detail::Layout>(std::move(layout).value()));
  if (progress) progress("witness (integer inference)");
  if (auto st = circuit.set_input(input, salt); !st.ok()) return st.error();
  if (progress) progress("proving at 2^" + std::to_string(key.pk.vk.k) + " rows");
  auto proof = plonk::prove(key.pk, circuit, {circuit.instance()}, rng, {}, stats);
  if (!proof.ok()) return proof.error().context("prove");
  ModelProof out;
  out.values.model_commitment = key.mvk.model_commitment();
  out.values.input = key.mvk.input;
  if (key.mvk.input == InputVisibility::kHidden) out.values.input_commitment = circuit.instance()[0];
  else out.values.input_bytes.assign(input.begin(), input.end());
  out.values.output = circuit.output();
  out.proof = proof.value().to_bytes();
  return out;
}

Status verify(const ModelVerifyingKey& key, const ModelProof& proof) {
  const PublicValues& v = proof.values;
  if (v.model_commitment != key.model_commitment())
    return Error{"the proof is for another model (its model commitment differs from the verifying key's)"};
  if (v.input != key.input)
    return Error{std::string("the proof has a ") + (v.input == InputVisibility::kHidden ? "hidden" : "public") +
                 " input; the key is for a " + (key.input == InputVisibility::kHidden ? "hidden" : "public") + " input"};
  if (v.input == InputVisibility::kPublic && v.input_bytes.size() != key.input_shape.size())
    return Error{"the proof's public input has " + std::to_string(v.input_bytes.size()) + " bytes; the model takes " +
                 std::to_string(key.input_shape.size())};
  if (v.output.size() != key.output_shape.size())
    return Error{"the proof claims " + std::to_string(v.output.size()) + " output bytes; the model has " +
                 std::to_string(key.output_shape.size())};
  return plonk::verify_bytes(key.vk, {instance_of(v)}, proof.proof);
}

}  // namespace verdict::nn
