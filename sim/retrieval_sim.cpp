#include "sim/retrieval_sim.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>

#include "protocols/retrieval/judge_machine.hpp"
#include "protocols/retrieval/requester_machine.hpp"
#include "protocols/retrieval/responder_machine.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::sim {

// ---- closed-form helpers (declared in the header) ---------------------------------------

namespace {

double log_choose(std::uint64_t a, std::uint64_t b) {
  const double x = static_cast<double>(a), y = static_cast<double>(b);
  return std::lgamma(x + 1) - std::lgamma(y + 1) - std::lgamma(x - y + 1);
}

// Beyond this many factors the product form gives way to lgamma (never for M <= 2^20).
constexpr std::uint64_t kMaxProductTerms = std::uint64_t{1} << 22;

}  // namespace

double retrieval_catch_probability(std::uint64_t m, std::uint64_t k, std::uint64_t n) {
  if (k == 0 || n == 0) return 0;
  if (n > m - k) return 1;  // every sample holds a bad document
  // P(miss) = C(m - k, n) / C(m, n) = prod_{i<n} (m - k - i)/(m - i) = prod_{j<k} (m - n - j)/(m - j)
  // (the ratio is symmetric in k and n). Its log is summed over the shorter product, as
  // log1p(-max(k, n)/(m - i)) for i < min(k, n), each term exact to rounding; lgamma
  // differences of arguments near 2^20 lose about 1e-9 absolute, which is 0.2% of a catch
  // probability of 1/2^20. m >= k + n keeps every log1p argument above -1.
  const std::uint64_t short_len = std::min(k, n), other = std::max(k, n);
  double log_miss = 0;
  if (short_len <= kMaxProductTerms) {
    for (std::uint64_t i = 0; i < short_len; ++i)
      log_miss += std::log1p(-static_cast<double>(other) / static_cast<double>(m - i));
  } else {
    log_miss = log_choose(m - k, n) - log_choose(m, n);
  }
  return -std::expm1(log_miss);  // 1 - P(miss), precise when P(miss) is near 1
}

double retrieval_tampered_bound(std::uint64_t n, double delta, bool two_sided) {
  const double d = two_sided ? delta / 2 : delta;
  return -std::expm1(std::log(d) / static_cast<double>(n));
}

namespace {

namespace rt = retrieval;
using Digest = rt::Digest;
const std::vector<std::string> kRoleNames = {"requester", "responder", "judge"};
constexpr std::uint32_t kPositiveClass = 1;      // the modelled mode's default
constexpr std::uint32_t kRealPositiveClass = 8;  // real mode's default: the retrieval demo's (Bag)
constexpr std::int64_t kMaxPositiveClass = 255;  // modelled outputs have max(2, positive_class + 1) bytes
// The Fashion-MNIST test split (snark/nn/fashion_mnist.hpp): real_examples asks for no more.
constexpr std::size_t kDatasetImages = 10'000;
constexpr Amount kMaxParamAmount = Amount{1} << 50;
// The placeholder proof bytes (header comment): made by an honest prover, or faked.
const std::vector<std::uint8_t> kMadeProof = {0x5e, 0x1d, 0x00, 0x01};
const std::vector<std::uint8_t> kFakedProof = {0xfa, 0xce, 0x00, 0x02};

// What nn::verify would answer for a proof of this simulation (header comment).
bool modelled_verify(const nn::ModelProof& proof) { return proof.proof == kMadeProof; }

// The test driver's model: positive iff the top bit of the first byte is clear.
bool truly_positive(std::span<const std::uint8_t> x) { return !x.empty() && (x[0] & 0x80) == 0; }

enum class Cheat { kNone, kWithhold, kJunk, kMismatch, kInvalidProofs };
enum class Disguise { kJunk, kDuplicate, kNone };
enum class Grief { kNone, kAtResponded, kAtOpened };

// A case, checked: the terms and every party's behaviour.
struct RetrievalCase {
  rt::Terms terms;  // source_key is the worker's corpus source (RetrievalSim::init)
  double positive_rate = 0.125;
  std::uint32_t positives = 0;  // round(positive_rate * M)
  double delta = 0.05;
  // responder
  Cheat cheat = Cheat::kNone;
  Disguise disguise = Disguise::kJunk;
  std::uint32_t count = 0;  // withheld, junk or faked documents
  // requester
  Grief grief = Grief::kNone;
  // The parties' deviations as the bus plays them (grief at "opened" adds the requester's).
  std::array<Deviation, 3> deviations;
  bool scenario_deviations = false;  // any timeout_at / abort_at in the case itself

  // Real proofs (header comment; null: modelled).
  std::shared_ptr<const RealProofs> real;
  std::vector<bool> real_positive;       // the model's verdict on corpus document i
  std::vector<std::uint32_t> real_junk;  // withhold "junk": the negative dataset images past M that replace positives

  std::uint32_t m() const { return terms.params.m; }
  std::uint32_t faked() const { return cheat == Cheat::kInvalidProofs ? count : 0; }
};

Result<Amount> amount_param(const nlohmann::json& p, const std::string& key, Amount fallback, Amount min) {
  auto v = integer_field(p, "params", key, fallback, min, kMaxParamAmount);
  if (!v.ok()) return v.error();
  return static_cast<Amount>(*v);
}

Result<std::string> string_option(const nlohmann::json& j, const std::string& where, const std::string& key,
                                  const std::string& fallback, const std::vector<std::string>& allowed) {
  if (!j.contains(key)) return fallback;
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "\"" : ", \"") + a + "\"";
  const auto& v = j[key];
  if (v.is_string()) {
    for (const std::string& a : allowed) {
      if (v.get<std::string>() == a) return a;
    }
  }
  return Error{where + "." + key + ": expected one of " + list + ", got " + v.dump()};
}

bool has_deviation(const Deviation& d) { return !d.silent_at.empty() || !d.abort_stage.empty(); }

// Real mode: the corpus is the dataset's first M images; the model decides which are
// positive (argmax of its output = positive_class, as rt::is_positive judges a proof).
Status classify_corpus(RetrievalCase& c) {
  const RealProofs& real = *c.real;
  if (real.inputs.size() < c.m())
    return Error{"real proofs: the dataset has " + std::to_string(real.inputs.size()) + " images, corpus_size is " +
                 std::to_string(c.m())};
  c.positives = 0;
  c.real_positive.assign(c.m(), false);
  for (std::uint32_t i = 0; i < c.m(); ++i) {
    if (real.inputs[i].size() != c.terms.input_size)
      return Error{"real proofs: dataset image " + std::to_string(i) + " has " + std::to_string(real.inputs[i].size()) +
                   " bytes, the model's input " + std::to_string(c.terms.input_size)};
    auto output = real_output(real, real.inputs[i]);
    if (!output.ok()) return output.error().context("real proofs: inference on dataset image " + std::to_string(i));
    c.real_positive[i] = rt::predicted_class(*output) == c.terms.positive_class;
    c.positives += c.real_positive[i] ? 1 : 0;
  }
  return {};
}

// Real mode, withhold with disguise "junk": the first `count` dataset images past the
// corpus that the model calls negative, to stand in for the withheld positives.
Status find_real_junk(RetrievalCase& c) {
  const RealProofs& real = *c.real;
  c.real_junk.clear();
  for (std::size_t i = c.m(); i < real.inputs.size() && c.real_junk.size() < c.count; ++i) {
    if (real.inputs[i].size() != c.terms.input_size) continue;
    auto output = real_output(real, real.inputs[i]);
    if (!output.ok()) return output.error().context("real proofs: inference on dataset image " + std::to_string(i));
    if (rt::predicted_class(*output) != c.terms.positive_class) c.real_junk.push_back(static_cast<std::uint32_t>(i));
  }
  if (c.real_junk.size() < c.count)
    return Error{
        "responder.withhold: with real proofs disguise \"junk\" replaces each withheld positive by a dataset "
        "image past the corpus that the model calls negative; only " +
        std::to_string(c.real_junk.size()) + " of the " +
        std::to_string(real.inputs.size() - std::min<std::size_t>(real.inputs.size(), c.m())) +
        " loaded images past corpus_size are negative, " + std::to_string(c.count) + " needed"};
  return {};
}

Status parse_params(const nlohmann::json& p, const CostModel& cost, RetrievalCase& c) {
  if (Status s = only_fields(
          p, "params",
          {"corpus_size", "audit_sample", "positive_rate", "positive_class", "z", "bond", "eps", "funding_timeout_ms",
           "response_timeout_ms", "proving_timeout_ms", "judge_timeout_ms", "input_size", "delta"});
      !s.ok())
    return s;
  if (c.real) {
    // The corpus is the dataset's: its documents have the model's input size and its
    // positives are the ones the model calls positive.
    if (p.contains("positive_rate"))
      return Error{
          "params.positive_rate: with real proofs the corpus's positives are the model's (the dataset images "
          "it calls positive_class), not a rate"};
    if (p.contains("input_size"))
      return Error{"params.input_size: with real proofs a document is a dataset image of the model's input size"};
    if (!c.real->model || !c.real->key) return Error{"real proofs: no model or proving key"};
  }
  rt::RetrievalParams& a = c.terms.params;
  auto m = integer_field(p, "params", "corpus_size", 32, 1, rt::kMaxCorpus);
  if (!m.ok()) return m.error();
  a.m = static_cast<std::uint32_t>(*m);
  auto n = integer_field(p, "params", "audit_sample", std::min<std::int64_t>(4, a.m), 1, a.m);
  if (!n.ok()) return n.error();
  a.n = static_cast<std::uint32_t>(*n);
  auto rate = number_field(p, "params", "positive_rate", 0.125, 0, 1);
  if (!rate.ok()) return rate.error();
  c.positive_rate = *rate;
  c.positives = static_cast<std::uint32_t>(std::llround(c.positive_rate * a.m));
  const Amount cost_z = static_cast<Amount>(std::llround(cost.prove_cost()));
  if (p.contains("z") && p["z"].is_string()) {
    if (p["z"] != "cost") return Error{"params.z: a number or \"cost\", got " + p["z"].dump()};
    if (cost_z < 1 || cost_z > kMaxParamAmount)
      return Error{"params.z: \"cost\" is the cost model's proving cost " + std::to_string(cost.prove_cost()) +
                   ", which rounds outside [1, 2^50]"};
    a.z = cost_z;
  } else {
    auto z = amount_param(p, "z", std::clamp<Amount>(cost_z, 1, kMaxParamAmount), 1);
    if (!z.ok()) return z.error();
    a.z = *z;
  }
  const auto mz = escrow::checked_mul(static_cast<Amount>(a.m), a.z);
  if (!mz || *mz > kMaxParamAmount) return Error{"params.z: corpus_size * z exceeds 2^50"};
  auto bond = amount_param(p, "bond", *mz, 1);
  auto eps = amount_param(p, "eps", 10, 0);
  if (!bond.ok()) return bond.error();
  if (!eps.ok()) return eps.error();
  a.bond = *bond;
  a.eps = *eps;
  struct Timeout {
    const char* key;
    std::int64_t* value;
  };
  for (const Timeout& t :
       {Timeout{"funding_timeout_ms", &a.funding_timeout_ms}, Timeout{"response_timeout_ms", &a.response_timeout_ms},
        Timeout{"proving_timeout_ms", &a.proving_timeout_ms}, Timeout{"judge_timeout_ms", &a.judge_timeout_ms}}) {
    auto v = integer_field(p, "params", t.key, *t.value, 1, escrow::kMaxTimeoutMs);
    if (!v.ok()) return v.error();
    *t.value = *v;
  }
  auto bytes = integer_field(p, "params", "input_size", 16, 1, 4096);
  if (!bytes.ok()) return bytes.error();
  c.terms.input_size = static_cast<std::uint32_t>(*bytes);  // real mode: the model's (below)
  auto delta = number_field(p, "params", "delta", 0.05, 1e-12, 0.999);
  if (!delta.ok()) return delta.error();
  c.delta = *delta;
  auto positive_class =
      integer_field(p, "params", "positive_class", c.real ? kRealPositiveClass : kPositiveClass, 0, kMaxPositiveClass);
  if (!positive_class.ok()) return positive_class.error();
  c.terms.positive_class = static_cast<std::uint32_t>(*positive_class);
  if (c.real) {
    const nn::Model& model = *c.real->model;
    const std::size_t classes = model.tensors.at(model.output).shape.size();
    if (c.terms.positive_class >= classes)
      return Error{"params.positive_class: the model has " + std::to_string(classes) + " output classes, got " +
                   std::to_string(c.terms.positive_class)};
    c.terms.input_size = static_cast<std::uint32_t>(model.tensors.at(model.input).shape.size());
  }
  if (Status s = rt::check_terms(c.terms); !s.ok()) return s.error().context("params");
  if (c.real) return classify_corpus(c);
  return {};
}

Status parse_responder(const PartySpec& party, RetrievalCase& c) {
  const std::string w = "responder";
  const nlohmann::json& o = party.options;
  const std::uint32_t negatives = c.m() - c.positives;
  const std::string& s = party.strategy;
  if (s == "honest" || s == "timeout" || s == "abort") {
    return only_fields(o, w, {});
  }
  if (s == "withhold") {
    if (Status st = only_fields(o, w, {"withhold", "disguise"}); !st.ok()) return st;
    if (c.positives == 0)
      return Error{w + ".withhold: the corpus has no positive document (" +
                   (c.real ? "the model calls none of the first " + std::to_string(c.m()) + " dataset images class " +
                                 std::to_string(c.terms.positive_class)
                           : std::string("round(positive_rate * corpus_size) = 0")) +
                   ")"};
    auto k = integer_field(o, w, "withhold", 1, 1, c.positives);
    if (!k.ok()) return k.error();
    auto d = string_option(o, w, "disguise", "junk", {"junk", "duplicate", "none"});
    if (!d.ok()) return d.error();
    c.cheat = Cheat::kWithhold;
    c.count = static_cast<std::uint32_t>(*k);
    c.disguise = *d == "junk" ? Disguise::kJunk : *d == "duplicate" ? Disguise::kDuplicate : Disguise::kNone;
    if (c.disguise == Disguise::kNone && c.count != 1)
      return Error{w + ".withhold: with disguise \"none\" the responder machine withholds exactly one positive, not " +
                   std::to_string(c.count)};
    if (c.disguise == Disguise::kDuplicate && negatives == 0)
      return Error{w + ".disguise: \"duplicate\" needs a negative document to copy, and the corpus has none"};
    return {};
  }
  if (s == "junk") {
    if (Status st = only_fields(o, w, {"junk"}); !st.ok()) return st;
    if (negatives == 0) return Error{w + ".junk: the corpus has no negative document to replace by junk"};
    auto k = integer_field(o, w, "junk", 1, 1, negatives);
    if (!k.ok()) return k.error();
    c.cheat = Cheat::kJunk;
    c.count = static_cast<std::uint32_t>(*k);
    return {};
  }
  if (s == "mismatch") {
    c.cheat = Cheat::kMismatch;
    return only_fields(o, w, {});
  }
  if (s == "invalid_proofs") {
    if (Status st = only_fields(o, w, {"invalid"}); !st.ok()) return st;
    auto k = integer_field(o, w, "invalid", c.m(), 1, c.m());
    if (!k.ok()) return k.error();
    c.cheat = Cheat::kInvalidProofs;
    c.count = static_cast<std::uint32_t>(*k);
    return {};
  }
  return Error{w + ".strategy: '" + s + "' (honest, withhold, junk, mismatch, invalid_proofs, timeout, abort)"};
}

Status parse_requester(const PartySpec& party, RetrievalCase& c) {
  const std::string w = "requester";
  const std::string& s = party.strategy;
  if (s == "honest" || s == "timeout" || s == "abort") return only_fields(party.options, w, {});
  if (s != "grief") return Error{w + ".strategy: '" + s + "' (honest, grief, timeout, abort)"};
  if (Status st = only_fields(party.options, w, {"at"}); !st.ok()) return st;
  auto at = string_option(party.options, w, "at", "responded", {"responded", "opened"});
  if (!at.ok()) return at.error();
  if (*at == "responded") {
    c.grief = Grief::kAtResponded;
    return {};
  }
  c.grief = Grief::kAtOpened;
  Deviation& d = c.deviations[0];
  if (!d.abort_stage.empty())
    return Error{w + ".at: grief at \"opened\" plays the abort deviation, so it cannot be combined with abort_at"};
  d.abort_stage = "opened";
  d.abort_transition = "dispute";
  return {};
}

Result<RetrievalCase> parse_case(const CaseSpec& spec, const CostModel& cost) {
  RetrievalCase c;
  c.real = spec.real;
  if (Status s = parse_params(spec.params, cost, c); !s.ok()) return s.error();
  if (spec.parties.size() != 3) return Error{"retrieval: three parties (requester, responder, judge) expected"};
  for (std::size_t r = 0; r < 3; ++r) {
    c.deviations[r] = spec.parties[r].deviation;
    c.scenario_deviations = c.scenario_deviations || has_deviation(spec.parties[r].deviation);
  }
  if (Status s = parse_requester(spec.parties[0], c); !s.ok()) return s.error();
  if (Status s = parse_responder(spec.parties[1], c); !s.ok()) return s.error();
  if (c.real && c.cheat == Cheat::kWithhold && c.disguise == Disguise::kJunk) {
    if (Status s = find_real_junk(c); !s.ok()) return s.error();
  }
  const PartySpec& judge = spec.parties[2];
  if (judge.strategy != "honest" && judge.strategy != "timeout" && judge.strategy != "abort")
    return Error{"judge.strategy: '" + judge.strategy + "' (honest, timeout, abort)"};
  if (Status s = only_fields(judge.options, "judge", {}); !s.ok()) return s.error();
  return c;
}

// ---- the corpus ----------------------------------------------------------------------------

// The corpus source: an Ed25519 key (OpenSSL EVP, as protocols/retrieval/corpus.cpp
// verifies) that signs the genuine documents once per worker.
Result<rt::PublicKey> attest(const std::array<std::uint8_t, 32>& secret, std::vector<rt::Document>& docs,
                             const std::vector<bool>& genuine) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, secret.data(), secret.size()), &EVP_PKEY_free);
  if (!key) return Error{"retrieval corpus: no Ed25519 key"};
  rt::PublicKey pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size())
    return Error{"retrieval corpus: no Ed25519 public key"};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx) return Error{"retrieval corpus: no signing context"};
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (!genuine[i]) continue;
    const Digest msg = rt::attestation_message(docs[i].input);
    std::size_t sig_len = docs[i].attestation.size();
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), docs[i].attestation.data(), &sig_len, msg.data(), msg.size()) != 1 ||
        sig_len != docs[i].attestation.size())
      return Error{"retrieval corpus: signing document " + std::to_string(i) + " failed"};
  }
  return pub;
}

// k distinct members of `pool`, drawn uniformly (partial Fisher-Yates).
std::vector<std::uint32_t> draw(std::vector<std::uint32_t> pool, std::uint32_t k, Rng& rng) {
  for (std::uint32_t i = 0; i < k; ++i) {
    const auto j = i + static_cast<std::uint32_t>(rng.uniform(pool.size() - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(k);
  std::sort(pool.begin(), pool.end());
  return pool;
}

// The committed corpus of a case (fixed per worker): round(positive_rate * M) positive
// documents at uniform positions (real mode: the dataset's first M images, positive as
// the model says), all attested by the source, then the responder's cheat applied: junk
// negatives, or positives replaced by junk (real mode: a negative image from past the
// corpus) or by duplicates.
struct Corpus {
  std::vector<rt::Document> documents;
  rt::PublicKey source{};
};

Result<Corpus> build_corpus(const RetrievalCase& c, Rng& rng) {
  const std::uint32_t m = c.m();
  std::vector<std::uint32_t> positive;
  if (c.real) {
    for (std::uint32_t i = 0; i < m; ++i) {
      if (c.real_positive[i]) positive.push_back(i);
    }
  } else {
    std::vector<std::uint32_t> all(m);
    std::iota(all.begin(), all.end(), 0u);
    positive = draw(all, c.positives, rng);
  }
  std::vector<bool> is_positive(m, false);
  for (std::uint32_t i : positive) is_positive[i] = true;
  std::vector<std::uint32_t> negative;
  for (std::uint32_t i = 0; i < m; ++i) {
    if (!is_positive[i]) negative.push_back(i);
  }
  Corpus out;
  out.documents.resize(m);
  auto fill = [&](rt::Document& d, bool positive_doc) {
    d.input.resize(c.terms.input_size);
    rng.fill(d.input);
    d.input[0] = positive_doc ? (d.input[0] & 0x7f) : (d.input[0] | 0x80);
  };
  for (std::uint32_t i = 0; i < m; ++i) {
    if (c.real) {
      out.documents[i].input = c.real->inputs[i];
    } else {
      fill(out.documents[i], is_positive[i]);
    }
  }
  std::vector<bool> genuine(m, true);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> duplicates;  // (withheld, copied negative)
  if (c.cheat == Cheat::kJunk) {
    for (std::uint32_t i : draw(negative, c.count, rng)) genuine[i] = false;
  } else if (c.cheat == Cheat::kWithhold && c.disguise == Disguise::kJunk) {
    std::size_t next_junk = 0;
    for (std::uint32_t i : draw(positive, c.count, rng)) {
      if (c.real) {
        out.documents[i].input = c.real->inputs[c.real_junk[next_junk++]];
      } else {
        fill(out.documents[i], false);
      }
      genuine[i] = false;
    }
  } else if (c.cheat == Cheat::kWithhold && c.disguise == Disguise::kDuplicate) {
    for (std::uint32_t i : draw(positive, c.count, rng))
      duplicates.emplace_back(i, negative[static_cast<std::size_t>(rng.uniform(negative.size()))]);
  }
  for (std::uint32_t i = 0; i < m; ++i) {
    if (!genuine[i]) rng.fill(out.documents[i].attestation);  // not the source's signature
  }
  std::array<std::uint8_t, 32> secret{};
  rng.fill(secret);
  auto pub = attest(secret, out.documents, genuine);
  if (!pub.ok()) return pub.error();
  out.source = *pub;
  for (const auto& [withheld, copy] : duplicates) out.documents[withheld] = out.documents[copy];
  return out;
}

// The responder's proofs (header comment). The corpus and its salts are the same in
// every run of a worker, so the proofs (cost-model mode: their input commitments,
// Poseidon) are made once; a job with other inputs is proved afresh.
//   cost-model mode  the public values and a placeholder marker, made or faked
//   real mode        nn::prove on every document but the first `faked` (hidden input, the
//                    document's salt, blinding from the OS CSPRNG); a faked proof carries
//                    the right public values (the model's output by its reference
//                    inference) and bytes nn::verify rejects: those of a proof made here
//                    with one byte flipped, or random bytes when every proof is faked
class Prover {
 public:
  Prover(const Digest& model, std::uint32_t faked, std::uint32_t positive_class, std::shared_ptr<const RealProofs> real)
      : model_(model), faked_(faked), positive_class_(positive_class), real_(std::move(real)) {}

  // An Error if nn::prove or the reference inference fails (real mode); proofs() is then
  // empty.
  Status prove(const rt::ProveCorpus& job) {
    if (!proofs_.empty() && job.inputs == inputs_ && job.salts == salts_) return {};
    inputs_ = job.inputs;
    salts_ = job.salts;
    proofs_.clear();
    Status s = real_ ? prove_real() : prove_modelled();
    if (!s.ok()) proofs_.clear();
    return s;
  }
  const std::vector<nn::ModelProof>& proofs() const { return proofs_; }

 private:
  Status prove_modelled() {
    proofs_.reserve(inputs_.size());
    // Negative: the maximum at another class (0, or 1 when the positive class is 0).
    const std::uint32_t negative_class = positive_class_ == 0 ? 1 : 0;
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      nn::ModelProof proof;
      proof.values.model_commitment = model_;
      proof.values.input = nn::InputVisibility::kHidden;
      proof.values.input_commitment = nn::input_commitment(inputs_[i], salts_[i]);
      proof.values.output.assign(std::max<std::size_t>(2, std::size_t{positive_class_} + 1), 0);
      proof.values.output[truly_positive(inputs_[i]) ? positive_class_ : negative_class] = 200;
      proof.proof = i < faked_ ? kFakedProof : kMadeProof;
      proofs_.push_back(std::move(proof));
    }
    return {};
  }

  Status prove_real() {
    const RealProofs& real = *real_;
    OsRng blinding;
    const std::size_t n = inputs_.size(), faked = std::min<std::size_t>(faked_, n);
    proofs_.resize(n);
    for (std::size_t i = faked; i < n; ++i) {
      auto proof = real_prove(real, inputs_[i], salts_[i], blinding);
      if (!proof.ok()) return proof.error().context("real proofs: proving document " + std::to_string(i));
      proofs_[i] = std::move(*proof);
    }
    for (std::size_t i = 0; i < faked; ++i) {
      auto output = real_output(real, inputs_[i]);
      if (!output.ok()) return output.error().context("real proofs: inference on document " + std::to_string(i));
      nn::ModelProof& proof = proofs_[i];
      proof.values.model_commitment = model_;
      proof.values.input = nn::InputVisibility::kHidden;
      proof.values.input_commitment = nn::input_commitment(inputs_[i], salts_[i]);
      proof.values.output = std::move(*output);
      if (faked < n) {
        // The proof of another document, corrupted.
        proof.proof = proofs_[faked].proof;
        if (!proof.proof.empty()) proof.proof[proof.proof.size() / 2] ^= 0x01;
      } else {
        proof.proof.resize(kJunkProofBytes);
        blinding.fill(proof.proof);
      }
    }
    return {};
  }

  static constexpr std::size_t kJunkProofBytes = 1024;
  Digest model_;
  std::uint32_t faked_;
  std::uint32_t positive_class_;
  std::shared_ptr<const RealProofs> real_;  // null: cost-model mode
  std::vector<std::vector<std::uint8_t>> inputs_;
  std::vector<field::Fr> salts_;
  std::vector<nn::ModelProof> proofs_;
};

std::int64_t ms(double seconds) { return static_cast<std::int64_t>(std::llround(seconds * 1000.0)); }

// One run's machines and the drivers around them (the Bus adapter, sim/bus.hpp).
struct Run {
  using Role = rt::Role;
  using Input = rt::Input;
  using Effect = rt::Effect;
  using Effects = rt::Effects;
  using Send = rt::Send;
  using Received = rt::Received;
  using Finished = rt::Finished;
  using EscrowEvent = rt::EscrowEvent;
  static constexpr std::size_t kRoles = 3;

  const RetrievalCase& c;
  const CostModel& cost;
  const escrow::RuleSet& rule_set;
  Prover& prover;
  rt::RequesterMachine requester;
  rt::ResponderMachine responder;
  rt::JudgeMachine judge;
  // The responder's transcript: what it sent (the judge's driver reads it, as in
  // protocols/retrieval/machines_test.cpp; decide() keeps only what matches the digests).
  std::vector<rt::Response> sent_responses{};
  std::vector<rt::Openings> sent_openings{};
  std::array<double, 3> spent{};
  std::array<std::optional<rt::Outcome>, 3> outcomes{};
  std::optional<Error> failure{};  // real proving failed: a run error, not an outcome

  // nn::verify (real mode, timed into the stats), or what it would answer (cost-model mode).
  bool verify(const nn::ModelProof& proof) const {
    return c.real ? real_verify(*c.real, proof) : modelled_verify(proof);
  }

  Result<Effects> handle(Role r, const Input& in) {
    switch (r) {
      case Role::kRequester:
        return requester.handle(in);
      case Role::kResponder:
        return responder.handle(in);
      case Role::kJudge:
        return judge.handle(in);
    }
    return Error{"no such role"};
  }
  const escrow::RuleSet& rules() const { return rule_set; }
  void on_finished(Role r, const rt::Outcome& o) { outcomes[static_cast<std::size_t>(r)] = o; }

  bool on_send(Bus<Run>&, Role from, Send& s) {
    if (from == Role::kResponder) {
      if (const auto* p = std::get_if<rt::Response>(&s.message)) sent_responses.push_back(*p);
      if (const auto* o = std::get_if<rt::Openings>(&s.message)) sent_openings.push_back(*o);
    }
    return true;
  }

  void on_work(Bus<Run>& bus, Role r, Effect&& e) {
    const std::size_t ri = static_cast<std::size_t>(r);
    if (std::holds_alternative<rt::CheckRequest>(e)) {
      bus.post(r, rt::RequestChecked{true});  // the requester offers the agreed model
    } else if (const auto* job = std::get_if<rt::ProveCorpus>(&e)) {
      const double made =
          static_cast<double>(job->inputs.size() - std::min<std::size_t>(c.faked(), job->inputs.size()));
      if (Status s = prover.prove(*job); !s.ok()) {
        failure = s.error();
        return;
      }
      spent[ri] += made * cost.prove_cost();
      bus.post_after(ms(made * cost.prove_seconds), r, rt::CorpusProved{prover.proofs()});
    } else if (const auto* v = std::get_if<rt::VerifyProofs>(&e)) {
      std::vector<bool> valid(v->proofs.size());
      for (std::size_t i = 0; i < valid.size(); ++i) valid[i] = verify(v->proofs[i]);
      if (c.grief == Grief::kAtResponded && !valid.empty()) valid[0] = false;  // the false claim
      const double n = static_cast<double>(valid.size());
      spent[ri] += n * cost.verify_cost();
      bus.post_after(ms(n * cost.verify_seconds), r, rt::VerificationDone{std::move(valid)});
    } else if (const auto* a = std::get_if<rt::Audit>(&e)) {
      const rt::AuditCase& au = a->audit;
      const rt::Response* response = nullptr;
      const rt::Openings* openings = nullptr;
      for (const rt::Response& p : sent_responses) {
        if (rt::response_digest(au.session, p) == au.response_digest) response = &p;
      }
      for (const rt::Openings& o : sent_openings) {
        if (au.openings_digest && rt::openings_digest(au.session, o) == *au.openings_digest) openings = &o;
      }
      std::vector<bool> valid;
      if (response) {
        for (const nn::ModelProof& p : response->proofs) valid.push_back(verify(p));
      }
      const double n = static_cast<double>(valid.size());
      spent[ri] += n * cost.verify_cost();
      const rt::Ruling ruling = rt::decide(c.terms, au, response, valid, openings);
      bus.post_after(ms(n * cost.verify_seconds), r, rt::AuditDone{ruling.uphold, ruling.reason});
    }
  }
};

class RetrievalSim final : public ProtocolSim {
 public:
  static Result<std::unique_ptr<ProtocolSim>> create(const CaseSpec& spec, const CostModel& cost) {
    auto c = parse_case(spec, cost);
    if (!c.ok()) return c.error().context("case '" + spec.name + "'");
    auto rules = rt::retrieval_rule_set(c->terms.params);
    if (!rules.ok()) return rules.error().context("case '" + spec.name + "'");
    if (Status s = check_deviations(*rules, spec, kRoleNames); !s.ok()) return s.error();
    std::unique_ptr<RetrievalSim> sim(new RetrievalSim(std::move(*c), cost, std::move(*rules)));
    if (Status s = sim->init(spec.name, spec.escrow); !s.ok()) return s.error().context("case '" + spec.name + "'");
    return std::unique_ptr<ProtocolSim>(std::move(sim));
  }

  Result<RunOutcome> run(std::uint64_t run_index, Rng& rng) override {
    const std::int64_t start = static_cast<std::int64_t>(run_index) * kRunSpacingMs;
    const std::string where = "run " + std::to_string(run_index);
    escrow_->begin_run();
    escrow_->set_time(start);
    std::array<std::uint8_t, 32> key{};
    rng.fill(key);
    requester_rng_ = ChaChaRng(key);  // the audit seed: a fresh session, instance and sample

    Run run{c_, cost_, rules_, prover_, *requester_, *responder_, *judge_};
    Bus<Run> bus(run, *escrow_, c_.deviations);
    if (Status s = bus.run(); !s.ok()) return s.error().context(where);
    if (run.failure) return run.failure->context(where);
    // Every machine that finished reports what the ledger did (a mismatch is a bug).
    for (std::size_t r = 0; r < 3; ++r) {
      const auto& o = run.outcomes[r];
      if (!o) continue;
      if (o->requester_net != escrow_->net(0) || o->responder_net != escrow_->net(1) || escrow_->net(2) != 0)
        return Error{where + ": the " + kRoleNames[r] + "'s outcome (" + o->stage + ": requester " +
                     std::to_string(o->requester_net) + ", responder " + std::to_string(o->responder_net) +
                     ") is not the ledger's (requester " + std::to_string(escrow_->net(0)) + ", responder " +
                     std::to_string(escrow_->net(1)) + ", judge " + std::to_string(escrow_->net(2)) + ")"};
    }
    auto out = finish_run(*escrow_, std::vector<double>(run.spent.begin(), run.spent.end()), start);
    if (!out.ok()) return out.error().context(where);
    return out;
  }

 private:
  RetrievalSim(RetrievalCase c, const CostModel& cost, escrow::RuleSet rules)
      : c_(std::move(c)), cost_(cost), rules_(std::move(rules)), prover_(Digest{}, 0, 0, nullptr) {}

  Status init(const std::string& name, VirtualEscrow::Backend backend) {
    auto escrow = VirtualEscrow::create(3, Amount{1} << 60, {}, backend);
    if (!escrow.ok()) return escrow.error();
    escrow_ = std::move(*escrow);
    // Everything fixed per worker comes from one stream keyed by the case's name, so
    // every worker builds the same corpus, salts and model commitment.
    ChaChaRng data(run_key(0x7e7c0a95, name, 0));
    auto corpus = build_corpus(c_, data);
    if (!corpus.ok()) return corpus.error();
    c_.terms.source_key = corpus->source;
    Digest model{};
    data.fill(model);
    if (c_.real) model = c_.real->key->mvk.model_commitment();
    prover_ = Prover(model, c_.faked(), c_.terms.positive_class, c_.real);
    auto requester = rt::RequesterMachine::create(c_.terms, rt::ModelOffer{model, {}, {}, {}}, requester_rng_);
    if (!requester.ok()) return requester.error();
    requester_.emplace(std::move(*requester));
    const rt::ResponderDeviations dev{c_.cheat == Cheat::kWithhold && c_.disguise == Disguise::kNone,
                                      c_.cheat == Cheat::kMismatch};
    auto responder = rt::ResponderMachine::create(c_.terms, std::move(corpus->documents), data, dev);
    if (!responder.ok()) return responder.error();
    responder_.emplace(std::move(*responder));
    judge_.emplace(c_.terms);
    return {};
  }

  RetrievalCase c_;
  CostModel cost_;
  escrow::RuleSet rules_;
  std::unique_ptr<VirtualEscrow> escrow_;
  Prover prover_;
  ChaChaRng requester_rng_{0};  // reseeded per run; the requester machines point to it
  // The machines as built once per worker; each run plays fresh copies.
  std::optional<rt::RequesterMachine> requester_;
  std::optional<rt::ResponderMachine> responder_;
  std::optional<rt::JudgeMachine> judge_;
};

// ---- closed forms ---------------------------------------------------------------------

std::vector<ClosedForm> closed_forms(const CaseSpec& spec, const CostModel& cost) {
  std::vector<ClosedForm> out;
  auto parsed = parse_case(spec, cost);
  if (!parsed.ok()) return out;
  const RetrievalCase& c = *parsed;
  const rt::RetrievalParams& a = c.terms.params;
  const double m = a.m, z = static_cast<double>(a.z), bond = static_cast<double>(a.bond);
  const double eps = static_cast<double>(a.eps);
  const double zc = cost.prove_cost(), vc = cost.verify_cost();
  const double made = m - c.faked();
  const bool honest_requester = c.grief == Grief::kNone;

  // The sample's catch probability for k bad documents among the unreturned negatives.
  const bool sampled_cheat = c.cheat == Cheat::kJunk || (c.cheat == Cheat::kWithhold && c.disguise == Disguise::kJunk);
  const std::uint32_t k = sampled_cheat ? c.count : 0;
  const double p_sample = retrieval_catch_probability(a.m, k, a.n);
  // s = P(slashed), d = P(a dispute reaches the judge), as the machines play the case.
  double s = 0;
  std::string s_formula = "0 (an honest responder is never slashed)";
  if (sampled_cheat) {
    s = c.grief == Grief::kAtResponded ? 0 : p_sample;
    s_formula = c.grief == Grief::kAtResponded
                    ? "0: the griefer disputes before the seed, so no sample is drawn and the judge dismisses"
                    : "1 - C(M - k, N) / C(M, N), k = " + std::to_string(k) + " unattested negatives";
  } else if (c.cheat == Cheat::kWithhold && c.disguise == Disguise::kDuplicate) {
    s_formula = "0: duplicates of genuine documents pass the attestation check (corpus.hpp limitation)";
  } else if (c.cheat != Cheat::kNone) {
    s = 1;
    s_formula = "1: the Response check catches it before any sample";
  }
  double d = honest_requester ? s : 1;
  // Timing: proving past the proving timeout is a slash by timeout (no Response, nothing
  // to verify or dispute); a verification outlasting the response window lets the
  // responded timeout pay the responder, which these forms do not follow.
  bool applies = !c.scenario_deviations;
  std::string note = c.scenario_deviations ? "the case's timeout_at / abort_at deviations change the outcome" : "";
  const bool slow = made * cost.prove_seconds * 1000 >= static_cast<double>(a.proving_timeout_ms);
  if (slow) {
    s = 1;
    d = 0;
    s_formula = "1: proving the corpus outlasts proving_timeout_ms (slashed by timeout)";
  }
  if (m * cost.verify_seconds * 1000 >= static_cast<double>(a.response_timeout_ms)) {
    applies = false;
    note = "verifying M proofs outlasts the response window";
  }
  const double verify_all = slow ? 0 : m * vc;  // the requester's verification, the judge's audit

  out.push_back({"P(responder slashed)", s_formula, s, "rate:settled_responder_slashed", applies, note});
  if (sampled_cheat) {
    out.push_back({"P(the audit sample catches k bad documents)",
                   "1 - C(M' - k, N) / C(M', N), M' = M: audit_sample draws from all M indices (a bad document "
                   "among the returned positives is caught by the Response check anyway)",
                   p_sample, "none", true, "k = " + std::to_string(k)});
    out.push_back({"binomial lower bound on the catch", "1 - (1 - k/M)^N",
                   -std::expm1(static_cast<double>(a.n) * std::log1p(-static_cast<double>(k) / m)), "none", true,
                   "sampling without replacement catches at least this often"});
  }
  const double responder_ev = (1 - s) * (m * z - eps) - s * (bond + eps) - made * zc;
  const double requester_ev = (1 - s) * (-m * z - eps) + s * (bond - eps) - verify_all;
  out.push_back({"E[responder payoff]", "(1 - s)(M z - eps) - s(bond + eps) - M_proved Zc; s = P(slashed)",
                 responder_ev, "payoff:responder", applies, note});
  out.push_back({"E[requester payoff]", "(1 - s)(-M z - eps) + s(bond - eps) - M Vc", requester_ev, "payoff:requester",
                 applies, note});
  out.push_back({"E[judge payoff]", "-d M Vc; d = P(dispute): the audit verifies every proof of the Response",
                 -d * verify_all, "payoff:judge", applies, note});
  // An honest responder that proves in time is paid in every run.
  const bool honest_paid = c.cheat == Cheat::kNone && !slow;
  const std::string honest_note = c.cheat != Cheat::kNone ? "not this case's responder strategy"
                                  : slow                  ? "proving outlasts proving_timeout_ms"
                                                          : note;
  out.push_back({"honest responder's net", "M z - eps (settled_paid)", m * z - eps, "ledger_net:responder",
                 applies && honest_paid, honest_note});
  out.push_back({"honest responder's payoff", "M z - eps - M Zc", m * z - eps - m * zc, "payoff:responder",
                 applies && honest_paid, honest_note});
  if (c.cheat != Cheat::kNone) {
    out.push_back({"a cheating responder's expected ledger loss", "s (M z + bond)", s * (m * z + bond), "none", true,
                   "cheating pays only if what it hides is worth more than this to the responder" +
                       std::string(c.faked() > 0 ? " plus the proving it saves" : "")});
  }
  if (!honest_requester) {
    const bool grief_applies = applies && c.cheat == Cheat::kNone;
    const std::string grief_note = c.cheat == Cheat::kNone ? note : "the responder cheats too";
    out.push_back({"false dispute: the responder's net", "M z - eps (the judge dismisses)", m * z - eps,
                   "ledger_net:responder", grief_applies, grief_note});
    out.push_back(
        {"false dispute: the judge's payoff", "-M Vc (the audit)", -m * vc, "payoff:judge", grief_applies, grief_note});
    out.push_back({"false dispute: the judge's audit per unit the griefer spends", "M Vc / (M z + eps + M Vc)",
                   m * vc / (m * z + eps + m * vc), "ratio:payoff:judge/payoff:requester", grief_applies,
                   "against the honest baseline the griefer spends nothing extra and the responder loses nothing "
                   "on the ledger, so the baseline grief ratio (victim's loss over griefer's) is unbounded: only "
                   "the judge's audit M Vc is wasted"});
  }
  // The tampered fraction N clean samples leave (paper 5.4; PROTOCOLS.md 2).
  out.push_back({"tampered fraction after N clean samples (two-sided, Table 3)", "1 - (delta/2)^(1/N)",
                 retrieval_tampered_bound(a.n, c.delta, true), "none", true, ""});
  out.push_back({"tampered fraction after N clean samples (one-sided)", "1 - delta^(1/N)",
                 retrieval_tampered_bound(a.n, c.delta, false), "none", true, ""});
  out.push_back({"paper (printed): tampered fraction bound", "exp((1 - delta)/N)",
                 std::exp((1 - c.delta) / static_cast<double>(a.n)), "none", false,
                 "exceeds 1: a typo, probably for 1 - exp(ln delta / N) (PROTOCOLS.md 2)"});
  return out;
}

}  // namespace

ProtocolInfo retrieval_protocol() {
  ProtocolInfo info;
  info.name = "retrieval";
  info.roles = kRoleNames;
  info.rules = [](const CaseSpec& spec) -> Result<escrow::RuleSet> {
    CostModel any = *cost_preset("fashion_mnist");
    auto c = parse_case(spec, any);
    if (!c.ok()) return c.error();
    return rt::retrieval_rule_set(c->terms.params);
  };
  info.make = &RetrievalSim::create;
  // The checks of create() without building the corpus (M Ed25519 signatures).
  info.check = [](const CaseSpec& spec, const CostModel& cost) -> Status {
    auto c = parse_case(spec, cost);
    if (!c.ok()) return c.error().context("case '" + spec.name + "'");
    auto rules = rt::retrieval_rule_set(c->terms.params);
    if (!rules.ok()) return rules.error().context("case '" + spec.name + "'");
    return check_deviations(*rules, spec, kRoleNames);
  };
  info.closed_forms = &closed_forms;
  // The corpus (the first M images) and, for withholding disguised as junk, a margin of
  // images past it to find k negatives in (the model calls about 1 in 10 of them any one
  // class); capped at the test split's size. Params read leniently: make() checks them.
  info.real_examples = [](const CaseSpec& spec) -> std::size_t {
    const auto m = static_cast<std::size_t>(integer_or(spec.params, "corpus_size", 32, 0, rt::kMaxCorpus));
    std::size_t margin = 0;
    if (spec.parties.size() == 3 && spec.parties[1].strategy == "withhold") {
      const nlohmann::json& o = spec.parties[1].options;
      const bool junk = !(o.is_object() && o.contains("disguise")) || o["disguise"] == "junk";
      const auto k = static_cast<std::size_t>(integer_or(o, "withhold", 1, 1, rt::kMaxCorpus));
      if (junk) margin = 16 + 8 * k;
    }
    return std::max(m, std::min(m + margin, kDatasetImages));
  };
  return info;
}

}  // namespace verdict::sim
