#include "escrow/accuracy_rules.hpp"

#include <map>

namespace verdict::escrow {

namespace {

// Builds a table by stage and transition names.
class TableBuilder {
 public:
  explicit TableBuilder(RuleSet& r) : r_(r) {}

  void stage(const std::string& name, std::int64_t timeout_ms) {
    index_[name] = static_cast<std::uint16_t>(r_.stages.size());
    r_.stages.push_back(Stage{name, timeout_ms, timeout_ms == 0});
  }
  void action(const std::string& from, const std::string& name, std::uint8_t actor, const std::string& to,
              std::vector<Effect> effects = {}) {
    r_.transitions.push_back(Transition{name, index_.at(from), index_.at(to), actor, false, std::move(effects)});
  }
  void timeout(const std::string& from, const std::string& name, const std::string& to,
               std::vector<Effect> effects = {}) {
    r_.transitions.push_back(Transition{name, index_.at(from), index_.at(to), kAnyParty, true, std::move(effects)});
  }

 private:
  RuleSet& r_;
  std::map<std::string, std::uint16_t> index_;
};

// Effects that empty both holds (2NE each) so that MP ends with 2NE + d and MC with
// 2NE - d, for -2NE <= d <= 2NE. Zero amounts are left out.
std::vector<Effect> settle(Amount two_ne, Amount d) {
  std::vector<Effect> out;
  auto add = [&](std::uint8_t from, std::uint8_t to, Amount a) {
    if (a > 0) out.push_back(Effect{from, to, a});
  };
  if (d >= 0) {
    add(kAccuracyMp, kAccuracyMp, two_ne);
    add(kAccuracyMc, kAccuracyMp, d);
    add(kAccuracyMc, kAccuracyMc, two_ne - d);
  } else {
    add(kAccuracyMc, kAccuracyMc, two_ne);
    add(kAccuracyMp, kAccuracyMc, -d);
    add(kAccuracyMp, kAccuracyMp, two_ne + d);
  }
  return out;
}

}  // namespace

Result<RuleSet> accuracy_rule_set(const AccuracyParams& a) {
  if (a.n1 < 0 || a.n2 < 1) return Error{"accuracy rules: N1 must be at least 0 and N2 at least 1"};
  if (a.e <= 0) return Error{"accuracy rules: E must be positive"};
  if (a.p < 0 || a.z < 0 || a.eps < 0) return Error{"accuracy rules: P, Z and eps must not be negative"};
  for (std::int64_t t : {a.funding_timeout_ms, a.response_timeout_ms, a.proving_timeout_ms, a.verdict_timeout_ms}) {
    if (t <= 0 || t > kMaxTimeoutMs) return Error{"accuracy rules: every timeout must be in (0, 10 years]"};
  }
  auto n = checked_add(a.n1, a.n2);
  auto ne = n ? checked_mul(*n, a.e) : std::nullopt;
  auto two_ne = ne ? checked_mul(2, *ne) : std::nullopt;
  auto four_ne = ne ? checked_mul(4, *ne) : std::nullopt;
  auto deposit = two_ne ? checked_add(*two_ne, a.eps) : std::nullopt;
  auto n1p = checked_mul(a.n1, a.p);
  auto n2z = checked_mul(a.n2, a.z);
  auto half_y = (n1p && n2z) ? checked_add(*n1p, *n2z) : std::nullopt;
  auto y = half_y ? checked_mul(2, *half_y) : std::nullopt;
  if (!deposit || !four_ne || !y) return Error{"accuracy rules: amounts overflow 64 bits"};
  if (*half_y > *ne) return Error{"accuracy rules: insolvent: N1*P + N2*Z exceeds N*E"};
  Amount stake = 0;
  if (a.mp_min_stake) {
    if (*a.mp_min_stake < 0) return Error{"accuracy rules: the MP stake must not be negative"};
    stake = *a.mp_min_stake;
  } else {
    auto s = checked_mul(a.n1, a.e);
    s = s ? checked_mul(1000, *s) : std::nullopt;
    if (!s) return Error{"accuracy rules: the paper's stake 1000*N1*E overflows 64 bits"};
    stake = *s;
  }

  RuleSet r;
  r.name = "accuracy/v1";
  r.roles = {"mp", "mc", "verifier"};
  r.deposits = {*deposit, *deposit, 0};
  r.min_stakes = {stake, 0, 0};
  r.funding_timeout_ms = a.funding_timeout_ms;
  if (a.eps > 0) {
    r.on_funded = {Effect{kAccuracyMp, kToFee, a.eps}, Effect{kAccuracyMc, kToFee, a.eps}};
  }

  const Amount tne = *two_ne;
  const std::vector<Effect> refund = settle(tne, 0);
  const std::vector<Effect> to_mp_all = settle(tne, tne);   // MC forfeits: MP gets 4NE
  const std::vector<Effect> to_mc_all = settle(tne, -tne);  // MP forfeits: MC gets 4NE
  const std::vector<Effect> mp_aborted = settle(tne, *n1p);
  const std::vector<Effect> pass = settle(tne, *y);
  const std::uint8_t mp = kAccuracyMp, mc = kAccuracyMc, verifier = kAccuracyVerifier;
  const std::int64_t resp = a.response_timeout_ms;

  TableBuilder b(r);
  b.stage("funded", resp);           // MP draws the subset seed
  b.stage("subset_chosen", resp);    // MC sends the encrypted subset (hash posted)
  b.stage("subset_sent", resp);      // MP acknowledges receipt
  b.stage("subset_acked", resp);     // MC publishes the key
  b.stage("subset_revealed", resp);  // MP proceeds, aborts, or contests the key
  b.stage("subset_key_contested", a.verdict_timeout_ms);
  b.stage("rest_pending", resp);             // MC sends the N2 remaining examples
  b.stage("rest_sent", resp);                // MP acknowledges
  b.stage("rest_acked", resp);               // MC publishes the key
  b.stage("proving", a.proving_timeout_ms);  // MP submits the SNARKs and outputs
  b.stage("rest_key_contested", a.verdict_timeout_ms);
  b.stage("verdict", a.verdict_timeout_ms);  // the verifier rules on the proofs
  for (const char* t : {"settled_refund", "settled_mc_withheld", "settled_mc_slashed", "settled_mp_aborted",
                        "settled_mp_slashed", "settled_pass", "settled_fail"}) {
    b.stage(t, 0);
  }

  b.action("funded", "choose_subset", mp, "subset_chosen");
  b.timeout("funded", "mp_silent", "settled_refund", refund);

  b.action("subset_chosen", "send_subset", mc, "subset_sent");
  b.action("subset_chosen", "withhold", mc, "settled_mc_withheld", to_mp_all);
  b.timeout("subset_chosen", "mc_silent", "settled_mc_withheld", to_mp_all);

  b.action("subset_sent", "ack_subset", mp, "subset_acked");
  b.timeout("subset_sent", "mp_silent", "settled_mp_slashed", to_mc_all);

  b.action("subset_acked", "publish_subset_key", mc, "subset_revealed");
  b.action("subset_acked", "withhold", mc, "settled_mc_withheld", to_mp_all);
  b.timeout("subset_acked", "mc_silent", "settled_mc_slashed", to_mp_all);

  b.action("subset_revealed", "proceed", mp, "rest_pending");
  b.action("subset_revealed", "abort", mp, "settled_mp_aborted", mp_aborted);
  b.action("subset_revealed", "contest_subset_key", mp, "subset_key_contested");
  b.timeout("subset_revealed", "mp_silent", "settled_mp_aborted", mp_aborted);

  b.action("subset_key_contested", "uphold_contest", verifier, "settled_mc_slashed", to_mp_all);
  b.action("subset_key_contested", "dismiss_contest", verifier, "settled_mp_slashed", to_mc_all);
  b.timeout("subset_key_contested", "verifier_silent", "settled_refund", refund);

  b.action("rest_pending", "send_rest", mc, "rest_sent");
  b.action("rest_pending", "abort", mc, "settled_mc_slashed", to_mp_all);
  b.timeout("rest_pending", "mc_silent", "settled_mc_slashed", to_mp_all);

  b.action("rest_sent", "ack_rest", mp, "rest_acked");
  b.action("rest_sent", "abort", mp, "settled_mp_slashed", to_mc_all);
  b.timeout("rest_sent", "mp_silent", "settled_mp_slashed", to_mc_all);

  b.action("rest_acked", "publish_rest_key", mc, "proving");
  b.action("rest_acked", "abort", mc, "settled_mc_slashed", to_mp_all);
  b.timeout("rest_acked", "mc_silent", "settled_mc_slashed", to_mp_all);

  b.action("proving", "submit_proofs", mp, "verdict");
  b.action("proving", "abort", mp, "settled_mp_slashed", to_mc_all);
  b.action("proving", "contest_rest_key", mp, "rest_key_contested");
  b.timeout("proving", "mp_silent", "settled_mp_slashed", to_mc_all);

  b.action("rest_key_contested", "uphold_contest", verifier, "settled_mc_slashed", to_mp_all);
  b.action("rest_key_contested", "dismiss_contest", verifier, "settled_mp_slashed", to_mc_all);
  b.timeout("rest_key_contested", "verifier_silent", "settled_refund", refund);

  b.action("verdict", "pass", verifier, "settled_pass", pass);
  b.action("verdict", "fail", verifier, "settled_fail", to_mc_all);
  b.action("verdict", "invalid", verifier, "settled_mp_slashed", to_mc_all);
  b.action("verdict", "accept", mc, "settled_pass", pass);        // MC concedes: costs only MC
  b.action("verdict", "concede", mp, "settled_fail", to_mc_all);  // MP concedes: costs only MP
  b.timeout("verdict", "verifier_silent", "settled_refund", refund);

  if (auto an = analyze(r); !an.ok()) return an.error().context("accuracy rules (internal)");
  return r;
}

}  // namespace verdict::escrow
