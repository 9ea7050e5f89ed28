// The retrieval messages' codec (round trips, every truncation, trailing bytes, limits,
// non-canonical field elements, unknown names), the digests, the attestation and the
// rule table "retrieval/v1" (analyze, payouts, parameter checks).
#include <gtest/gtest.h>

#include "base/codec.hpp"
#include "escrow/rules.hpp"
#include "protocols/retrieval/protocol.hpp"
#include "protocols/retrieval/testing.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::retrieval {
namespace {

Terms small_terms() {
  Terms t;
  t.params.m = 8;
  t.params.n = 3;
  t.params.z = 10;
  t.params.bond = 500;
  t.params.eps = 2;
  t.positive_class = 1;
  t.input_size = 4;
  return t;
}

nn::ModelProof proof(Rng& rng) {
  nn::ModelProof p;
  rng.fill(p.values.model_commitment);
  p.values.input_commitment = field::Fr::random(rng);
  p.values.output = {1, 9, 3};
  p.proof = {1, 2, 3, 4};
  return p;
}

Opening opening(Rng& rng, std::uint32_t index) {
  Opening o;
  o.index = index;
  o.input = {1, 2, 3, 4};
  rng.fill(o.attestation);
  o.salt = field::Fr::random(rng);
  o.path.resize(3);
  for (auto& d : o.path) rng.fill(d);
  return o;
}

std::vector<Message> samples() {
  ChaChaRng rng(5);
  CorpusCommitment c;
  rng.fill(c.root);
  c.m = 8;
  Request q;
  rng.fill(q.model_commitment);
  q.positive_class = 1;
  rng.fill(q.seed_commitment);
  q.verifying_key = {1, 2};
  q.proving_key = {3};
  q.model = {4, 5, 6};
  Response p;
  for (int i = 0; i < 3; ++i) p.proofs.push_back(proof(rng));
  p.openings = {opening(rng, 1), opening(rng, 2)};
  Openings o{{opening(rng, 0)}};
  Dispute d{{Violation{Rule::kWithheldPositive, 4}, Violation{Rule::kRootMismatch, kNoIndex}}};
  return {c, q, p, o, d};
}

bool same(const Message& a, const Message& b) { return encode_message(a) == encode_message(b); }

TEST(RetrievalMessages, RoundTripEveryType) {
  for (const Message& m : samples()) {
    const auto bytes = encode_message(m);
    auto back = decode_message(message_type(m), bytes);
    ASSERT_TRUE(back.ok()) << message_type(m) << ": " << back.error().message;
    EXPECT_EQ(back->index(), m.index());
    EXPECT_TRUE(same(*back, m)) << message_type(m);
  }
}

TEST(RetrievalMessages, TruncatedAndTrailingBytesAreRefused) {
  for (const Message& m : samples()) {
    const auto bytes = encode_message(m);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_FALSE(decode_message(message_type(m), std::span(bytes.data(), n)).ok()) << message_type(m) << " " << n;
    }
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(decode_message(message_type(m), longer).ok()) << message_type(m);
  }
  EXPECT_FALSE(decode_message("retrieval.nonsense", {}).ok());
  EXPECT_FALSE(decode_message("accuracy.proofs", {}).ok());
}

TEST(RetrievalMessages, LimitsAndCanonicalFieldElements) {
  // A count over the corpus limit.
  codec::Writer w;
  w.u32(kMaxCorpus + 1);
  EXPECT_FALSE(decode_message("retrieval.openings", w.data()).ok());
  // A salt equal to the modulus (non-canonical).
  ChaChaRng rng(6);
  Openings o{{opening(rng, 0)}};
  auto bytes = encode_message(o);
  const std::size_t salt_at = 4 + 4 + 4 + 4 + 64;
  const auto modulus = [] {
    std::array<std::uint8_t, 32> m{};
    const auto& limbs = field::Fr::kModulus;
    for (int i = 0; i < 4; ++i)
      for (int b = 0; b < 8; ++b) m[static_cast<std::size_t>(31 - (8 * i + b))] = static_cast<std::uint8_t>(limbs[static_cast<std::size_t>(i)] >> (8 * b));
    return m;
  }();
  std::copy(modulus.begin(), modulus.end(), bytes.begin() + static_cast<std::ptrdiff_t>(salt_at));
  EXPECT_FALSE(decode_message("retrieval.openings", bytes).ok());
  // A path longer than 64.
  Opening long_path = opening(rng, 0);
  long_path.path.resize(65);
  EXPECT_FALSE(decode_message("retrieval.openings", encode_message(Openings{{long_path}})).ok());
  // An unknown rule name.
  codec::Writer d;
  d.u32(1);
  d.str("not_a_rule");
  d.u32(0);
  EXPECT_FALSE(decode_message("retrieval.dispute", d.data()).ok());
  // A proof whose bytes are not canonical (a trailing byte inside its length).
  Response p{{proof(rng)}, {}};
  codec::Writer pw;
  pw.u32(1);
  auto pbytes = p.proofs[0].to_bytes();
  pbytes.push_back(0);
  pw.bytes(pbytes);
  pw.u32(0);
  EXPECT_FALSE(decode_message("retrieval.response", pw.data()).ok());
}

TEST(RetrievalMessages, RuleNamesAreStable) {
  const char* names[] = {"wrong_count", "proof_invalid", "wrong_model", "public_input", "root_mismatch",
                         "input_commitment_mismatch", "opening_mismatch", "withheld_positive", "not_positive", "junk",
                         "missing_opening", "unexpected_opening", "missing_response", "missing_openings"};
  for (std::size_t i = 0; i < std::size(names); ++i) {
    EXPECT_STREQ(rule_name(static_cast<Rule>(i)), names[i]);
    auto r = rule_from_name(names[i]);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(static_cast<std::size_t>(*r), i);
  }
  EXPECT_EQ(to_string(Violation{Rule::kJunk, 3}), "junk@3");
  EXPECT_EQ(to_string(Violation{Rule::kRootMismatch, kNoIndex}), "root_mismatch");
}

TEST(RetrievalMessages, DigestsBindSessionAndEveryByte) {
  const auto ms = samples();
  const Response& p = std::get<Response>(ms[2]);
  Digest session{};
  const Digest d0 = response_digest(session, p);
  session[0] = 1;
  EXPECT_NE(response_digest(session, p), d0);
  Response q = p;
  q.openings[1].input[3] ^= 1;
  EXPECT_NE(response_digest(session, q), response_digest(session, p));
  const Openings& o = std::get<Openings>(ms[3]);
  const Dispute& d = std::get<Dispute>(ms[4]);
  EXPECT_NE(openings_digest(session, o), openings_digest(Digest{}, o));
  EXPECT_NE(dispute_digest(session, d), dispute_digest(session, Dispute{}));
}

TEST(RetrievalCorpus, AttestationVerifiesOnlyTheSignedDocument) {
  ChaChaRng rng(7);
  testing::Source source(rng);
  std::vector<std::uint8_t> x = {9, 8, 7, 6};
  Signature sig = source.attest(x);
  EXPECT_TRUE(attestation_valid(source.public_key(), x, sig));
  x[0] ^= 1;
  EXPECT_FALSE(attestation_valid(source.public_key(), x, sig));
  x[0] ^= 1;
  sig[10] ^= 1;
  EXPECT_FALSE(attestation_valid(source.public_key(), x, sig));
  sig[10] ^= 1;
  PublicKey other = source.public_key();
  other[0] ^= 1;
  EXPECT_FALSE(attestation_valid(other, x, sig));
  EXPECT_FALSE(attestation_valid(PublicKey{}, x, sig));
}

TEST(RetrievalCorpus, SampleIsDeterministicAndDependsOnEveryInput) {
  const Terms t = small_terms();
  Digest session{}, resp{}, seed{};
  const auto s0 = audit_sample(t, session, resp, seed);
  EXPECT_EQ(s0.size(), 3u);
  EXPECT_TRUE(std::is_sorted(s0.begin(), s0.end()));
  EXPECT_EQ(audit_sample(t, session, resp, seed), s0);
  int differ = 0;
  for (int k = 1; k < 20; ++k) {
    seed[0] = static_cast<std::uint8_t>(k);
    differ += audit_sample(t, session, resp, seed) != s0;
  }
  EXPECT_GT(differ, 10);
}

TEST(RetrievalRules, AnalyzeAcceptsAndPayoutsMatchTheOutcomes) {
  const Terms t = small_terms();
  auto rules = retrieval_rule_set(t.params);
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  auto an = escrow::analyze(*rules);
  ASSERT_TRUE(an.ok()) << an.error().message;
  EXPECT_EQ(rules->name, "retrieval/v1");
  EXPECT_EQ(rules->deposits, (std::vector<escrow::Amount>{8 * 10 + 2, 500 + 2, 0}));
  EXPECT_EQ(an->funded_holds, (std::vector<escrow::Amount>{80, 500, 0}));
  // Every transition into a terminal pays out what outcome_of says (deposits and eps
  // included), and the table's stages are those of the spec.
  int terminals = 0;
  for (const escrow::Transition& tr : rules->transitions) {
    const escrow::Stage& to = rules->stages[tr.to];
    if (!to.terminal) continue;
    ++terminals;
    escrow::Amount got[3] = {0, 0, 0};
    for (const escrow::Effect& e : tr.effects) {
      ASSERT_NE(e.to, escrow::kToFee);
      ASSERT_EQ(e.kind, escrow::EffectKind::kFixed);
      got[e.to] += e.amount;
    }
    const Outcome o = outcome_of(t, to.name);
    EXPECT_EQ(got[0] - rules->deposits[0], o.requester_net) << tr.name << " -> " << to.name;
    EXPECT_EQ(got[1] - rules->deposits[1], o.responder_net) << tr.name << " -> " << to.name;
    EXPECT_EQ(got[2], 0);
  }
  EXPECT_EQ(terminals, 8);
  const std::pair<const char*, const char*> table[] = {
      {"proving/respond", "responded"},       {"proving/timeout", "settled_responder_slashed"},
      {"responded/reveal_seed", "sampled"},   {"responded/dispute", "disputed"},
      {"responded/timeout", "settled_paid"},  {"sampled/open_sample", "opened"},
      {"sampled/timeout", "settled_responder_slashed"}, {"opened/accept", "settled_paid"},
      {"opened/dispute", "disputed"},         {"opened/timeout", "settled_paid"},
      {"disputed/uphold", "settled_responder_slashed"}, {"disputed/dismiss", "settled_paid"},
      {"disputed/timeout", "settled_refund"},
  };
  for (const auto& [from_name, to] : table) {
    const std::string s(from_name);
    const std::string stage = s.substr(0, s.find('/')), name = s.substr(s.find('/') + 1);
    std::size_t from = 0;
    while (rules->stages[from].name != stage) ++from;
    const escrow::Transition* tr = name == "timeout" ? escrow::find_timeout(*rules, from)
                                                     : escrow::find_action(*rules, from, name);
    ASSERT_NE(tr, nullptr) << s;
    EXPECT_EQ(rules->stages[tr->to].name, to) << s;
  }
  EXPECT_EQ(rules->transitions.size(), std::size(table));
  EXPECT_EQ(outcome_of(t, "settled_paid").requester_net, -82);
  EXPECT_EQ(outcome_of(t, "settled_responder_slashed").requester_net, 498);
  EXPECT_EQ(outcome_of(t, "unfunded").requester_net, 0);
}

TEST(RetrievalRules, ParametersOutOfRangeAreRefused) {
  auto bad = [](auto change) {
    Terms t = small_terms();
    change(t.params);
    return !retrieval_rule_set(t.params).ok();
  };
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.m = 0; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.m = kMaxCorpus + 1; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.n = 0; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.n = p.m + 1; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.z = 0; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.bond = 0; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.eps = -1; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.judge_timeout_ms = 0; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.proving_timeout_ms = escrow::kMaxTimeoutMs + 1; }));
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.z = escrow::kMaxAmount / 4; }));      // m z overflows
  EXPECT_TRUE(bad([](RetrievalParams& p) { p.bond = escrow::kMaxAmount; }));       // bond + eps overflows
  EXPECT_FALSE(bad([](RetrievalParams& p) { p.eps = 0; }));
  EXPECT_FALSE(bad([](RetrievalParams& p) { p.n = p.m; }));
  Terms t = small_terms();
  t.input_size = 0;
  EXPECT_FALSE(check_terms(t).ok());
}

}  // namespace
}  // namespace verdict::retrieval
