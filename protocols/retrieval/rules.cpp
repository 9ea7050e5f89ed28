#include "protocols/retrieval/rules.hpp"

#include <map>
#include <string>

namespace verdict::retrieval {

namespace {

using escrow::Effect;

class TableBuilder {
 public:
  explicit TableBuilder(escrow::RuleSet& r) : r_(r) {}
  void stage(const std::string& name, std::int64_t timeout_ms) {
    index_[name] = static_cast<std::uint16_t>(r_.stages.size());
    r_.stages.push_back(escrow::Stage{name, timeout_ms, timeout_ms == 0});
  }
  void action(const std::string& from, const std::string& name, std::uint8_t actor, const std::string& to,
              std::vector<Effect> effects = {}) {
    r_.transitions.push_back(escrow::Transition{name, index_.at(from), index_.at(to), actor, false, std::move(effects)});
  }
  void timeout(const std::string& from, const std::string& name, const std::string& to, std::vector<Effect> effects) {
    r_.transitions.push_back(
        escrow::Transition{name, index_.at(from), index_.at(to), escrow::kAnyParty, true, std::move(effects)});
  }

 private:
  escrow::RuleSet& r_;
  std::map<std::string, std::uint16_t> index_;
};

}  // namespace

Result<escrow::RuleSet> retrieval_rule_set(const RetrievalParams& a) {
  if (a.m < 1 || a.m > kMaxCorpus) return Error{"retrieval rules: m must be in [1, 2^20]"};
  if (a.n < 1 || a.n > a.m) return Error{"retrieval rules: n must be in [1, m]"};
  if (a.z <= 0) return Error{"retrieval rules: z must be positive"};
  if (a.bond <= 0) return Error{"retrieval rules: the bond must be positive"};
  if (a.eps < 0) return Error{"retrieval rules: eps must not be negative"};
  for (std::int64_t t : {a.funding_timeout_ms, a.response_timeout_ms, a.proving_timeout_ms, a.judge_timeout_ms}) {
    if (t <= 0 || t > escrow::kMaxTimeoutMs) return Error{"retrieval rules: every timeout must be in (0, 10 years]"};
  }
  const auto mz = escrow::checked_mul(a.m, a.z);
  const auto req_deposit = mz ? escrow::checked_add(*mz, a.eps) : std::nullopt;
  const auto resp_deposit = escrow::checked_add(a.bond, a.eps);
  const auto total = mz ? escrow::checked_add(*mz, a.bond) : std::nullopt;
  const auto all = (req_deposit && resp_deposit) ? escrow::checked_add(*req_deposit, *resp_deposit) : std::nullopt;
  if (!req_deposit || !resp_deposit || !total || !all) return Error{"retrieval rules: amounts overflow 64 bits"};

  const std::uint8_t rq = kRetrievalRequester, rs = kRetrievalResponder, judge = kRetrievalJudge;
  escrow::RuleSet r;
  r.name = "retrieval/v1";
  r.roles = {"requester", "responder", "judge"};
  r.deposits = {*req_deposit, *resp_deposit, 0};
  r.min_stakes = {0, 0, 0};
  r.funding_timeout_ms = a.funding_timeout_ms;
  if (a.eps > 0) r.on_funded = {Effect{rq, escrow::kToFee, a.eps}, Effect{rs, escrow::kToFee, a.eps}};

  const std::vector<Effect> paid = {Effect{rs, rs, a.bond}, Effect{rq, rs, *mz}};
  const std::vector<Effect> slashed = {Effect{rq, rq, *mz}, Effect{rs, rq, a.bond}};
  const std::vector<Effect> refund = {Effect{rq, rq, *mz}, Effect{rs, rs, a.bond}};
  const std::int64_t resp = a.response_timeout_ms;

  TableBuilder b(r);
  b.stage("proving", a.proving_timeout_ms);
  b.stage("responded", resp);
  b.stage("sampled", resp);
  b.stage("opened", resp);
  b.stage("disputed", a.judge_timeout_ms);
  for (const char* t : {"settled_paid", "settled_responder_slashed", "settled_refund"}) b.stage(t, 0);

  b.action("proving", "respond", rs, "responded");
  b.timeout("proving", "responder_silent", "settled_responder_slashed", slashed);

  b.action("responded", "reveal_seed", rq, "sampled");
  b.action("responded", "dispute", rq, "disputed");
  b.timeout("responded", "requester_silent", "settled_paid", paid);

  b.action("sampled", "open_sample", rs, "opened");
  b.timeout("sampled", "responder_silent", "settled_responder_slashed", slashed);

  b.action("opened", "accept", rq, "settled_paid", paid);
  b.action("opened", "dispute", rq, "disputed");
  b.timeout("opened", "requester_silent", "settled_paid", paid);

  b.action("disputed", "uphold", judge, "settled_responder_slashed", slashed);
  b.action("disputed", "dismiss", judge, "settled_paid", paid);
  b.timeout("disputed", "judge_silent", "settled_refund", refund);

  if (auto an = escrow::analyze(r); !an.ok()) return an.error().context("retrieval rules (internal)");
  return r;
}

}  // namespace verdict::retrieval
