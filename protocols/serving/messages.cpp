#include "protocols/serving/messages.hpp"

#include "base/codec.hpp"

namespace verdict::serving {

namespace {

constexpr const char* kTypes[] = {
    "serving.model_commitment", "serving.round_open", "serving.inputs", "serving.input_commitments",
    "serving.predictions",      "serving.contest",    "serving.proofs"};
static_assert(std::size(kTypes) == std::variant_size_v<Message>);

void put_fr(codec::Writer& w, const field::Fr& x) { w.fixed(x.to_bytes_be()); }

field::Fr get_fr(codec::Reader& r, const char* what) {
  const auto b = r.fixed<32>();
  if (!r.ok()) return field::Fr{};
  auto x = field::Fr::from_bytes_be(b);
  if (!x.ok()) {
    r.fail(std::string(what) + ": " + x.error().message);
    return field::Fr{};
  }
  return *x;
}

}  // namespace

const char* message_type(const Message& m) { return kTypes[m.index()]; }

std::vector<std::uint8_t> encode_message(const Message& m) {
  codec::Writer w;
  if (const auto* a = std::get_if<ModelCommitment>(&m)) {
    w.fixed(a->model_commitment);
  } else if (const auto* b = std::get_if<RoundOpen>(&m)) {
    w.fixed(b->round_id);
    w.fixed(b->seed_commitment);
  } else if (const auto* c = std::get_if<Inputs>(&m)) {
    // A well-formed Inputs has as many salts as inputs; encode pairs up to the shorter.
    const std::size_t n = std::min(c->inputs.size(), c->salts.size());
    w.u32(static_cast<std::uint32_t>(n));
    for (std::size_t i = 0; i < n; ++i) {
      w.bytes(c->inputs[i]);
      put_fr(w, c->salts[i]);
    }
  } else if (const auto* d = std::get_if<InputCommitments>(&m)) {
    w.u32(static_cast<std::uint32_t>(d->commitments.size()));
    for (const field::Fr& x : d->commitments) put_fr(w, x);
    w.fixed(d->seed_commitment);
  } else if (const auto* e = std::get_if<Predictions>(&m)) {
    w.u32(static_cast<std::uint32_t>(e->outputs.size()));
    for (const Bytes& y : e->outputs) w.bytes(y);
  } else if (const auto* f = std::get_if<Contest>(&m)) {
    w.fixed(f->seed);
  } else if (const auto* g = std::get_if<ProofBundle>(&m)) {
    w.u32(static_cast<std::uint32_t>(g->proofs.size()));
    for (const nn::ModelProof& p : g->proofs) w.bytes(p.to_bytes());
  }
  return w.take();
}

Result<Message> decode_message(const std::string& type, std::span<const std::uint8_t> body) {
  codec::Reader r(body);
  Message out;
  if (type == kTypes[0]) {
    out = ModelCommitment{r.fixed<32>()};
  } else if (type == kTypes[1]) {
    RoundOpen o;
    o.round_id = r.fixed<16>();
    o.seed_commitment = r.fixed<32>();
    out = o;
  } else if (type == kTypes[2]) {
    Inputs in;
    const std::uint32_t n = r.count(kMaxMessageItems, 4 + 32);
    in.inputs.reserve(n);
    in.salts.reserve(n);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
      in.inputs.push_back(r.bytes(kMaxTensorBytes));
      in.salts.push_back(get_fr(r, "salt"));
    }
    out = std::move(in);
  } else if (type == kTypes[3]) {
    InputCommitments c;
    const std::uint32_t n = r.count(kMaxMessageItems, 32);
    c.commitments.reserve(n);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) c.commitments.push_back(get_fr(r, "input commitment"));
    c.seed_commitment = r.fixed<32>();
    out = std::move(c);
  } else if (type == kTypes[4]) {
    Predictions p;
    const std::uint32_t n = r.count(kMaxMessageItems, 4);
    p.outputs.reserve(n);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) p.outputs.push_back(r.bytes(kMaxTensorBytes));
    out = std::move(p);
  } else if (type == kTypes[5]) {
    out = Contest{r.fixed<32>()};
  } else if (type == kTypes[6]) {
    ProofBundle b;
    const std::uint32_t n = r.count(kMaxMessageItems, 4);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
      const Bytes bytes = r.bytes(kMaxProofBytes);
      if (!r.ok()) break;
      auto p = nn::ModelProof::from_bytes(bytes);
      if (!p.ok()) return p.error().context(type + ": proof " + std::to_string(i));
      if (p->to_bytes() != bytes) return Error{type + ": proof " + std::to_string(i) + " is not canonically encoded"};
      b.proofs.push_back(std::move(*p));
    }
    out = std::move(b);
  } else {
    return Error{"unknown message type " + type};
  }
  if (Status s = r.finish(); !s.ok()) return s.error().context(type);
  return out;
}

}  // namespace verdict::serving
