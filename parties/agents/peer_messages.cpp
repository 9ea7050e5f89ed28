#include "parties/agents/peer_messages.hpp"

#include "base/codec.hpp"

namespace verdict::agents {

namespace {
constexpr std::size_t kMaxBytes = std::size_t(64) << 20;
constexpr const char* kTypes[] = {"accuracy.model_commitment", "accuracy.test_set_commitment", "accuracy.subset",
                                  "accuracy.rest", "accuracy.proofs"};
}  // namespace

const char* message_type(const accuracy::Message& m) { return kTypes[m.index()]; }

std::vector<std::uint8_t> encode_message(const accuracy::Message& m) {
  codec::Writer w;
  if (auto* a = std::get_if<accuracy::ModelCommitment>(&m)) {
    w.fixed(a->model_commitment);
  } else if (auto* b = std::get_if<accuracy::TestSetCommitment>(&m)) {
    w.fixed(b->root);
    w.u32(b->n);
    w.fixed(b->seed_commitment);
  } else if (auto* c = std::get_if<accuracy::SubsetBatch>(&m)) {
    w.fixed(c->mc_seed);
    w.bytes(c->sealed);
  } else if (auto* d = std::get_if<accuracy::RestBatch>(&m)) {
    w.bytes(d->sealed);
  } else if (auto* e = std::get_if<accuracy::ProofBundle>(&m)) {
    w.u32(static_cast<std::uint32_t>(e->proofs.size()));
    for (const auto& p : e->proofs) w.bytes(p.to_bytes());
  }
  return w.take();
}

Result<accuracy::Message> decode_message(const std::string& type, std::span<const std::uint8_t> body) {
  codec::Reader r(body);
  accuracy::Message out;
  if (type == kTypes[0]) {
    out = accuracy::ModelCommitment{r.fixed<32>()};
  } else if (type == kTypes[1]) {
    accuracy::TestSetCommitment t;
    t.root = r.fixed<32>();
    t.n = r.u32();
    t.seed_commitment = r.fixed<32>();
    out = t;
  } else if (type == kTypes[2]) {
    accuracy::SubsetBatch s;
    s.mc_seed = r.fixed<32>();
    s.sealed = r.bytes(kMaxBytes);
    out = std::move(s);
  } else if (type == kTypes[3]) {
    out = accuracy::RestBatch{r.bytes(kMaxBytes)};
  } else if (type == kTypes[4]) {
    accuracy::ProofBundle b;
    const std::uint32_t n = r.count(1u << 20, 4);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
      const std::vector<std::uint8_t> bytes = r.bytes(kMaxBytes);
      if (!r.ok()) break;
      auto p = nn::ModelProof::from_bytes(bytes);
      if (!p.ok()) return p.error().context("proof " + std::to_string(i));
      b.proofs.push_back(std::move(*p));
    }
    out = std::move(b);
  } else {
    return Error{"unknown message type " + type};
  }
  if (Status s = r.finish(); !s.ok()) return s.error().context(type);
  return out;
}

}  // namespace verdict::agents
