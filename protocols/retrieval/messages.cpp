#include "protocols/retrieval/messages.hpp"

#include "base/codec.hpp"
#include "escrow/codec/sha256.hpp"

namespace verdict::retrieval {

namespace {

constexpr const char* kRuleNames[] = {
    "wrong_count",     "proof_invalid",    "wrong_model", "public_input",    "root_mismatch",
    "input_commitment_mismatch", "opening_mismatch", "withheld_positive", "not_positive", "junk",
    "missing_opening", "unexpected_opening", "missing_response", "missing_openings",
};
constexpr std::size_t kRules = sizeof(kRuleNames) / sizeof(kRuleNames[0]);
static_assert(kRules == static_cast<std::size_t>(Rule::kMissingOpenings) + 1);

constexpr const char* kTypes[] = {"retrieval.corpus", "retrieval.request", "retrieval.response", "retrieval.openings",
                                  "retrieval.dispute"};
static_assert(std::size(kTypes) == std::variant_size_v<Message>);

// Fixed part of an Opening: index, x length, attestation, salt, path count.
constexpr std::size_t kOpeningMin = 4 + 4 + 64 + 32 + 4;

void put_opening(codec::Writer& w, const Opening& o) {
  w.u32(o.index);
  w.bytes(o.input);
  w.fixed(o.attestation);
  w.fixed(o.salt.to_bytes_be());
  w.u32(static_cast<std::uint32_t>(o.path.size()));
  for (const Digest& d : o.path) w.fixed(d);
}

void put_openings(codec::Writer& w, const std::vector<Opening>& os) {
  w.u32(static_cast<std::uint32_t>(os.size()));
  for (const Opening& o : os) put_opening(w, o);
}

std::vector<Opening> get_openings(codec::Reader& r) {
  const std::uint32_t count = r.count(kMaxCorpus, kOpeningMin);
  std::vector<Opening> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    Opening o;
    o.index = r.u32();
    o.input = r.bytes(kMaxInputSize);
    o.attestation = r.fixed<64>();
    const auto salt = r.fixed<32>();
    const std::uint32_t plen = r.count(kMaxPath, 32);
    for (std::uint32_t j = 0; j < plen && r.ok(); ++j) o.path.push_back(r.fixed<32>());
    if (!r.ok()) break;
    auto s = field::Fr::from_bytes_be(salt);
    if (!s.ok()) {
      r.fail("opening " + std::to_string(i) + ": salt: " + s.error().message);
      break;
    }
    o.salt = *s;
    out.push_back(std::move(o));
  }
  return out;
}

void encode_body(codec::Writer& w, const CorpusCommitment& c) {
  w.fixed(c.root);
  w.u32(c.m);
}
void encode_body(codec::Writer& w, const Request& q) {
  w.fixed(q.model_commitment);
  w.u32(q.positive_class);
  w.fixed(q.seed_commitment);
  w.bytes(q.verifying_key);
  w.bytes(q.proving_key);
  w.bytes(q.model);
}
void encode_body(codec::Writer& w, const Response& p) {
  w.u32(static_cast<std::uint32_t>(p.proofs.size()));
  for (const nn::ModelProof& proof : p.proofs) w.bytes(proof.to_bytes());
  put_openings(w, p.openings);
}
void encode_body(codec::Writer& w, const Openings& o) { put_openings(w, o.openings); }
void encode_body(codec::Writer& w, const Dispute& d) {
  w.u32(static_cast<std::uint32_t>(d.violations.size()));
  for (const Violation& v : d.violations) {
    w.str(rule_name(v.rule));
    w.u32(v.index);
  }
}

template <class Body>
Digest tagged(const char* tag, const Digest& session, const Body& body) {
  codec::Writer w;
  encode_body(w, body);
  codec::Sha256 h;
  return h.update(tag).update(session).update(w.data()).finish();
}

}  // namespace

const char* rule_name(Rule rule) {
  const auto i = static_cast<std::size_t>(rule);
  return i < kRules ? kRuleNames[i] : "?";
}

Result<Rule> rule_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kRules; ++i) {
    if (name == kRuleNames[i]) return static_cast<Rule>(i);
  }
  return Error{"unknown violation rule '" + std::string(name) + "'"};
}

std::string to_string(const Violation& v) {
  std::string s = rule_name(v.rule);
  if (v.index != kNoIndex) s += "@" + std::to_string(v.index);
  return s;
}

const char* message_type(const Message& message) { return kTypes[message.index()]; }

std::vector<std::uint8_t> encode_message(const Message& message) {
  codec::Writer w;
  std::visit([&](const auto& body) { encode_body(w, body); }, message);
  return w.take();
}

Result<Message> decode_message(std::string_view type, std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  Message out;
  if (type == "retrieval.corpus") {
    CorpusCommitment c;
    c.root = r.fixed<32>();
    c.m = r.u32();
    out = c;
  } else if (type == "retrieval.request") {
    Request q;
    q.model_commitment = r.fixed<32>();
    q.positive_class = r.u32();
    q.seed_commitment = r.fixed<32>();
    q.verifying_key = r.bytes(kMaxKeyBytes);
    q.proving_key = r.bytes(kMaxKeyBytes);
    q.model = r.bytes(kMaxModelBytes);
    out = std::move(q);
  } else if (type == "retrieval.response") {
    Response p;
    const std::uint32_t count = r.count(kMaxCorpus, 4);
    p.proofs.reserve(count);
    for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
      const std::vector<std::uint8_t> b = r.bytes(kMaxProofBytes);
      if (!r.ok()) break;
      auto proof = nn::ModelProof::from_bytes(b);
      if (!proof.ok()) {
        r.fail("proof " + std::to_string(i) + ": " + proof.error().message);
        break;
      }
      if (proof->to_bytes() != b) {
        r.fail("proof " + std::to_string(i) + ": not canonically encoded");
        break;
      }
      p.proofs.push_back(std::move(*proof));
    }
    if (r.ok()) p.openings = get_openings(r);
    out = std::move(p);
  } else if (type == "retrieval.openings") {
    Openings o;
    o.openings = get_openings(r);
    out = std::move(o);
  } else if (type == "retrieval.dispute") {
    Dispute d;
    const std::uint32_t count = r.count(kMaxViolations, 4 + 1 + 4);
    d.violations.reserve(count);
    for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
      const std::string name = r.str(64);
      const std::uint32_t index = r.u32();
      if (!r.ok()) break;
      auto rule = rule_from_name(name);
      if (!rule.ok()) {
        r.fail(rule.error().message);
        break;
      }
      d.violations.push_back(Violation{*rule, index});
    }
    out = std::move(d);
  } else {
    return Error{"unknown message type '" + std::string(type) + "'"};
  }
  if (Status st = r.finish(); !st.ok()) return st.error().context(std::string(type));
  return out;
}

Digest response_digest(const Digest& session, const Response& response) {
  return tagged("verdict/retrieval/response/v1", session, response);
}
Digest openings_digest(const Digest& session, const Openings& openings) {
  return tagged("verdict/retrieval/openings/v1", session, openings);
}
Digest dispute_digest(const Digest& session, const Dispute& dispute) {
  return tagged("verdict/retrieval/dispute/v1", session, dispute);
}

}  // namespace verdict::retrieval
