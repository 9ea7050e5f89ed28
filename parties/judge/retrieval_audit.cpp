// The judge's step 6 for trustless retrieval (paper 5.4; protocols/retrieval): the
// corpus commitment and the request bind the session; every SNARK of the response is
// verified and must be about the committed document at its index (the root over the
// proofs' input commitments); every positive document must be opened and match its
// commitment; the audit sample must be the unbiasable draw from the committed seed and
// the posted response; the sampled documents must match their commitments and carry the
// source's attestation (not junk); and the ruling must be the one the evidence calls for.
#include "parties/judge/audit_case.hpp"
#include "protocols/retrieval/checks.hpp"
#include "protocols/retrieval/corpus.hpp"
#include "protocols/retrieval/rules.hpp"

namespace verdict::judge {

namespace {

using namespace retrieval;  // NOLINT(google-build-using-namespace): a .cpp of this module
constexpr int kRequester = 0, kResponder = 1;

template <class T>
std::vector<std::pair<T, std::string>> messages_of(Case& c, const std::string& type, int from) {
  std::vector<std::pair<T, std::string>> out;
  for (const PeerMessage* m : c.of(type, from)) {
    auto d = decode_message(m->type, m->body);
    if (!d.ok()) {
      c.find(m->where, c.role(from), "message", "malformed " + type + ": " + d.error().message);
      continue;
    }
    if (auto* t = std::get_if<T>(&*d)) out.emplace_back(*t, m->where);
  }
  return out;
}

void report(Case& c, const std::vector<Violation>& vs, const std::string& where, const std::string& what) {
  std::size_t shown = 0;
  for (const Violation& v : vs) {
    if (++shown > 8) {
      c.find(where, "responder", rule_name(v.rule), std::to_string(vs.size() - 8) + " more violations in the " + what);
      break;
    }
    c.find(where, "responder", rule_name(v.rule), "the " + what + ": " + to_string(v));
  }
}

}  // namespace

void audit_retrieval(Case& c) {
  auto terms = decode_terms(c.terms);
  if (!terms.ok()) return c.find("", "transcript", "terms", terms.error().message);
  const auto corpora = messages_of<CorpusCommitment>(c, "retrieval.corpus", kResponder);
  const auto requests = messages_of<Request>(c, "retrieval.request", kRequester);
  if (corpora.empty() || requests.empty()) {
    c.checked("the corpus commitment and the request were never both sent: the run ended before the escrow");
    return;
  }
  const CorpusCommitment& corpus = corpora.front().first;
  const Request& request = requests.front().first;
  for (const auto& [other, where] : corpora) {
    if (!(other == corpus)) c.find(where, "responder", "commitment", "two different corpus commitments");
  }
  if (corpus.m != terms->params.m)
    c.find(corpora.front().second, "responder", "commitment", "the corpus commitment names another M than the terms");
  // The verifying key: the one given to the judge, else the request's (its commitment checked).
  std::optional<nn::ModelVerifyingKey> request_vk;
  const nn::ModelVerifyingKey* vk = c.options.vk;
  if (!vk) {
    auto v = nn::ModelVerifyingKey::from_bytes(request.verifying_key);
    if (v.ok()) request_vk = std::move(*v);
    if (request_vk) vk = &*request_vk;
  }
  if (vk && vk->model_commitment() != request.model_commitment)
    c.find(requests.front().second, "requester", "model", "the request's model commitment is not the verifying key's");
  const Digest session = session_digest(*terms, request.model_commitment, corpus.root, corpus.m, request.seed_commitment);
  if (!c.check_escrow(*retrieval_rule_set(terms->params), session_instance(session))) return;
  c.checked("session: the instance id derives from the terms, the request (model, seed commitment) and the corpus root");

  const auto posted = c.evidence_of("respond");
  if (!posted) return c.checked("no response posted on the escrow");
  std::optional<Response> response;
  std::string response_where;
  for (const auto& [r, where] : messages_of<Response>(c, "retrieval.response", kResponder)) {
    if (response_digest(session, r) == *posted) {
      response = r;
      response_where = where;
    }
  }
  const bool upheld = c.happened("uphold"), dismissed = c.happened("dismiss");
  if (!response) {
    c.checked("no response matching the responder's posted digest in the transcripts");
    if (dismissed) c.find(c.view_where, "judge", "ruling", "dismissed a dispute although no posted response is in evidence");
    return;
  }
  if (!vk) return c.find("", "transcript", "input", "no verifying key: the SNARKs cannot be checked");
  std::vector<bool> valid;
  for (const auto& p : response->proofs) valid.push_back(nn::verify(*vk, p).ok());
  const std::vector<Violation> in_response = check_response(*terms, request.model_commitment, corpus, *response, valid);
  report(c, in_response, response_where, "response");
  std::size_t positives = 0;
  for (const auto& p : response->proofs) positives += is_positive(*terms, p) ? 1 : 0;
  if (in_response.empty())
    c.checked(std::to_string(response->proofs.size()) + " SNARKs verify, each about the committed document at its index; " +
              std::to_string(positives) + " positive, each returned and matching its commitment");

  // The audit sample: the requester's committed seed, the posted response.
  std::vector<Violation> in_openings;
  std::optional<Openings> openings;
  const auto seed = c.evidence_of("reveal_seed");
  if (seed) {
    if (retrieval::seed_commitment(*seed) != request.seed_commitment) {
      c.find(c.view_where, "requester", "selection", "the revealed audit seed is not the one committed in the request");
    } else {
      const auto sample = audit_sample(*terms, session, *posted, *seed);
      c.checked("selection: the " + std::to_string(sample.size()) +
                " audited documents are the Fisher-Yates draw of SHA-256(session, posted response, committed seed)");
      const auto opened = c.evidence_of("open_sample");
      std::string where;
      for (const auto& [o, w] : messages_of<Openings>(c, "retrieval.openings", kResponder)) {
        if (opened && openings_digest(session, o) == *opened) {
          openings = o;
          where = w;
        }
      }
      if (openings) {
        in_openings = check_openings(*terms, corpus, *response, sample, *openings);
        report(c, in_openings, where, "audit sample");
        if (in_openings.empty())
          c.checked("audit: every sampled document matches its commitment and carries the source's attestation");
      } else if (opened) {
        c.checked("no openings matching the responder's posted digest in the transcripts");
      }
    }
  }
  // The ruling: what retrieval::decide() gives on this evidence.
  if (!c.happened("dispute")) return;
  AuditCase a{session, request.model_commitment, corpus, request.seed_commitment, *posted, seed,
              c.evidence_of("open_sample"), std::nullopt};
  const Ruling expected = decide(*terms, a, &*response, valid, openings ? &*openings : nullptr);
  if (upheld && !expected.uphold) c.find(c.view_where, "judge", "ruling", "upheld a dispute the evidence does not support (" + expected.reason + ")");
  if (dismissed && expected.uphold) c.find(c.view_where, "judge", "ruling", "dismissed a dispute the evidence supports (" + expected.reason + ")");
  if ((upheld && expected.uphold) || (dismissed && !expected.uphold))
    c.checked("ruling: " + std::string(expected.uphold ? "uphold" : "dismiss") + " is what the evidence calls for (" + expected.reason + ")");
}

}  // namespace verdict::judge
