// The three retrieval machines against each other through an in-memory loop and a real
// (in-memory SQLite) escrow ledger with an injected clock: the honest path, a withheld
// positive, a mismatched opening, junk caught by the sample (at the rate the
// hypergeometric law predicts), a silence at every stage, missing messages, false
// disputes, a biased seed, a silent judge; each run ends in the table's terminal with the
// ledger's balances equal to every machine's outcome and money conserved. Bad inputs are
// refused without changing state. Seeds are printed; VERDICT_SEED replays.
#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <map>
#include <set>

#include "escrow/ledger.hpp"
#include "escrow/testing.hpp"
#include "protocols/retrieval/judge_machine.hpp"
#include "protocols/retrieval/requester_machine.hpp"
#include "protocols/retrieval/responder_machine.hpp"
#include "protocols/retrieval/testing.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::retrieval {
namespace {

using escrow::Amount;
using escrow::PartyId;
using escrow::testing::party;

const PartyId kOperator = party(1);
const PartyId kParties[3] = {party(20), party(21), party(22)};  // requester, responder, judge
constexpr Amount kStart = 100'000'000;
const Digest kModel = [] {
  Digest d{};
  d.fill(0x4d);
  return d;
}();

// m = 12, n = 4, z = 10, bond = 1,000, eps = 3; 4-byte documents; class 1 is positive.
Terms terms(std::uint32_t m = 12, std::uint32_t n = 4) {
  Terms t;
  t.params.m = m;
  t.params.n = n;
  t.params.z = 10;
  t.params.bond = 1000;
  t.params.eps = 3;
  t.positive_class = 1;
  t.input_size = 4;
  return t;
}

// The model of the test driver: positive iff the top bit of x[0] is clear.
bool truly_positive(std::span<const std::uint8_t> x) { return (x[0] & 0x80) == 0; }

// Documents i % 4 == 1 are positive (unless junk); junk documents are negative and carry
// a random signature, so only the audit sample can catch them.
std::vector<Document> corpus(const testing::Source& source, Rng& rng, const Terms& t, const std::set<std::uint32_t>& junk) {
  std::vector<Document> out(t.params.m);
  for (std::uint32_t i = 0; i < t.params.m; ++i) {
    out[i].input.resize(t.input_size);
    rng.fill(out[i].input);
    const bool positive = i % 4 == 1 && !junk.count(i);
    out[i].input[0] = positive ? (out[i].input[0] & 0x7f) : (out[i].input[0] | 0x80);
    if (junk.count(i)) {
      rng.fill(out[i].attestation);
    } else {
      out[i].attestation = source.attest(out[i].input);
    }
  }
  return out;
}

struct Policy {
  bool proofs_valid = true;  // what the requester's and the judge's verification say
  bool prove_fails = false;
  bool request_accepted = true;
  ResponderDeviations deviations;
  std::set<std::uint32_t> junk;
  std::set<std::string> drop;                  // acts never submitted ("role:transition")
  std::map<std::string, std::string> replace;  // acts replaced by another transition
  std::set<std::string> corrupt;               // acts submitted with flipped evidence
  std::set<std::string> drop_messages;         // "role:type" messages never delivered
};

class Loop {
 public:
  Loop(Policy policy, std::uint64_t seed, Terms t = terms())
      : terms_(t),
        policy_(std::move(policy)),
        rng_(seed),
        rq_rng_(seed + 1),
        rs_rng_(seed + 2),
        source_(rng_),
        requester_(*RequesterMachine::create(with_key(t), ModelOffer{kModel, {1}, {2}, {3}}, rq_rng_)),
        responder_(*ResponderMachine::create(with_key(t), corpus(source_, rng_, with_key(t), policy_.junk), rs_rng_,
                                             policy_.deviations)),
        judge_(with_key(t)) {
    terms_ = with_key(t);
    ledger_ = escrow::Ledger::open(escrow::Ledger::Options{":memory:", &clock_, kOperator, false}).value();
    rules_ = *retrieval_rule_set(terms_.params);
    for (int r = 0; r < 2; ++r) must(submit(kOperator, escrow::Mint{kParties[r], kStart}));
  }

  Terms with_key(Terms t) const {
    t.source_key = source_.public_key();
    return t;
  }

  void run(bool start = true) {
    if (start) {
      for (int r = 0; r < 3; ++r) queue_.push_back({static_cast<Role>(r), Start{clock_.now_ms()}});
    }
    for (int guard = 0; guard < 10'000; ++guard) {
      drain();
      if (finished()) return;
      std::int64_t next = INT64_MAX;
      for (auto& t : timers_) {
        if (!t.empty()) next = std::min(next, *t.begin());
      }
      if (next == INT64_MAX) return;
      clock_.set(std::max(clock_.now_ms(), next));
      for (int r = 0; r < 3; ++r) {
        auto& t = timers_[r];
        if (!t.empty() && *t.begin() <= clock_.now_ms()) {
          t.erase(t.begin(), t.upper_bound(clock_.now_ms()));
          queue_.push_back({static_cast<Role>(r), TimerFired{clock_.now_ms()}});
        }
      }
    }
    FAIL() << "loop did not settle";
  }

  bool finished() const { return requester_.outcome() && responder_.outcome() && judge_.outcome(); }

  Result<Effects> feed(Role r, const Input& in) {
    switch (r) {
      case Role::kRequester: return requester_.handle(in);
      case Role::kResponder: return responder_.handle(in);
      case Role::kJudge: return judge_.handle(in);
    }
    return Error{"?"};
  }

  void drain() {
    while (step_one()) {
    }
  }

  bool step_one() {
    if (queue_.empty()) return false;
    auto [r, in] = std::move(queue_.front());
    queue_.pop_front();
    const bool work = std::holds_alternative<VerificationDone>(in) || std::holds_alternative<CorpusProved>(in) ||
                      std::holds_alternative<AuditDone>(in) || std::holds_alternative<RequestChecked>(in);
    if (work && finished_[static_cast<int>(r)]) return true;
    auto effects = feed(r, in);
    if (!effects.ok()) {
      errors_[static_cast<int>(r)].push_back(effects.error().message);
      return true;
    }
    for (Effect& e : *effects) apply(r, std::move(e));
    return true;
  }

  void apply(Role r, Effect e) {
    const int ri = static_cast<int>(r);
    const std::string who = role_name(r);
    if (auto* s = std::get_if<Send>(&e)) {
      if (r == Role::kResponder) sent_by_responder_.push_back(s->message);  // its transcript
      if (policy_.drop_messages.count(who + ":" + message_type(s->message))) return;
      queue_.push_back({s->to, Received{r, std::move(s->message)}});
    } else if (auto* o = std::get_if<OpenEscrow>(&e)) {
      id_ = o->instance;
      must(submit(kParties[0], escrow::OpenInstance{id_, rules_, {kParties[0], kParties[1], kParties[2]}}));
      publish_events();
    } else if (auto* a = std::get_if<SubmitAct>(&e)) {
      std::string t = a->transition;
      Digest ev = a->evidence;
      const std::string key = who + ":" + t;
      if (policy_.drop.count(key)) return;
      if (auto it = policy_.replace.find(key); it != policy_.replace.end()) t = it->second;
      if (policy_.corrupt.count(key)) ev[0] ^= 1;
      acts_.push_back(key);
      escrow::Outcome out = submit(kParties[ri], escrow::Act{id_, t, ev});
      if (!out.ok()) queue_.push_back({r, EscrowRefused{t, out.rejection().reason}});
      publish_events();
    } else if (auto* t = std::get_if<SetTimer>(&e)) {
      timers_[ri].insert(t->at_ms);
    } else if (std::holds_alternative<CheckRequest>(e)) {
      queue_.push_back({r, RequestChecked{policy_.request_accepted}});
    } else if (auto* p = std::get_if<ProveCorpus>(&e)) {
      if (policy_.prove_fails) {
        queue_.push_back({r, CorpusProved{std::nullopt}});
        return;
      }
      std::vector<nn::ModelProof> proofs;
      for (std::size_t i = 0; i < p->inputs.size(); ++i) {
        nn::ModelProof proof;
        proof.values.model_commitment = kModel;
        proof.values.input_commitment = nn::input_commitment(p->inputs[i], p->salts[i]);
        proof.values.output = {0, 0, 0};
        proof.values.output[truly_positive(p->inputs[i]) ? 1 : 0] = 200;
        proof.proof = {1, 2, 3};
        proofs.push_back(std::move(proof));
      }
      queue_.push_back({r, CorpusProved{std::move(proofs)}});
    } else if (auto* v = std::get_if<VerifyProofs>(&e)) {
      queue_.push_back({r, VerificationDone{std::vector<bool>(v->proofs.size(), policy_.proofs_valid)}});
    } else if (auto* au = std::get_if<Audit>(&e)) {
      // The judge's driver: the responder's transcript holds what it sent; decide() keeps
      // only what matches the posted digests.
      const Response* response = nullptr;
      const Openings* openings = nullptr;
      for (const Message& m : sent_by_responder_) {
        if (const auto* p = std::get_if<Response>(&m);
            p && response_digest(au->audit.session, *p) == au->audit.response_digest) {
          response = p;
        }
        if (const auto* o = std::get_if<Openings>(&m);
            o && au->audit.openings_digest && openings_digest(au->audit.session, *o) == *au->audit.openings_digest) {
          openings = o;
        }
      }
      const std::vector<bool> valid(response ? response->proofs.size() : 0, policy_.proofs_valid);
      ruling_ = decide(terms_, au->audit, response, valid, openings);
      claims_ = au->audit.claims;
      queue_.push_back({r, AuditDone{ruling_->uphold, ruling_->reason}});
    } else if (auto* f = std::get_if<Finished>(&e)) {
      finished_[ri] = f->outcome;
    }
  }

  void publish_events() {
    auto view = ledger_->instance(id_);
    if (!view.ok()) return;
    for (; events_fed_ < view->history.size(); ++events_fed_) {
      const escrow::InstanceEvent& h = view->history[events_fed_];
      Role actor = Role::kRequester;
      for (int r = 0; r < 3; ++r) {
        if (h.actor == kParties[r]) actor = static_cast<Role>(r);
      }
      const EscrowEvent e{id_, h.audit_seq, h.transition, actor, h.evidence, h.stage_after, h.time_ms};
      last_event_ = e;
      for (int r = 0; r < 3; ++r) queue_.push_back({static_cast<Role>(r), e});
    }
  }

  escrow::Outcome submit(const PartyId& actor, escrow::Body body) {
    escrow::OpId op{};
    rng_.fill(op);
    return ledger_->apply(escrow::Submission{actor, escrow::Request{op, std::move(body)}, std::nullopt});
  }
  static void must(const escrow::Outcome& o) { ASSERT_TRUE(o.ok()) << o.rejection().reason; }

  Amount balance(const std::string& account) { return *ledger_->balance(account); }
  std::string stage() {
    if (id_ == escrow::InstanceId{}) return "abandoned";
    const auto view = ledger_->instance(id_);
    return view.ok() ? view.value().stage_name : "?";
  }

  void check_settlement(const std::string& expected_stage) {
    const std::string st = stage();
    EXPECT_EQ(st, expected_stage) << trace();
    ASSERT_TRUE(finished()) << trace();
    const Outcome want = outcome_of(terms_, st);
    const Outcome outcomes[3] = {*requester_.outcome(), *responder_.outcome(), *judge_.outcome()};
    for (int r = 0; r < 3; ++r) {
      const Outcome& o = outcomes[r];
      if (o.stage == "abandoned") {
        if (r != 2) {
          EXPECT_TRUE(st == "abandoned" || st == "unfunded") << st;
        }
        continue;
      }
      EXPECT_EQ(o.stage, want.stage);
      EXPECT_EQ(o.requester_net, want.requester_net);
      EXPECT_EQ(o.responder_net, want.responder_net);
    }
    EXPECT_EQ(balance(escrow::party_account(kParties[0])) - kStart, want.requester_net) << trace();
    EXPECT_EQ(balance(escrow::party_account(kParties[1])) - kStart, want.responder_net) << trace();
    const Amount fees = balance(escrow::kFeeAccount);
    EXPECT_EQ(want.requester_net + want.responder_net + fees, 0) << trace();
    EXPECT_EQ(fees, (st == "abandoned" || st == "unfunded") ? 0 : 2 * terms_.params.eps) << trace();
    if (st != "abandoned") {
      const auto view = ledger_->instance(id_);
      ASSERT_TRUE(view.ok());
      for (Amount h : view.value().holds) EXPECT_EQ(h, 0);
    }
  }

  std::string trace() const {
    std::string s;
    for (const auto& a : acts_) s += a + " ";
    if (ruling_) s += std::string("| ruling ") + (ruling_->uphold ? "uphold: " : "dismiss: ") + ruling_->reason;
    for (int r = 0; r < 3; ++r) {
      for (const auto& e : errors_[r]) s += "\n  error " + std::string(role_name(static_cast<Role>(r))) + ": " + e;
    }
    return s;
  }

  bool disputed(Rule rule) const {
    for (const Violation& v : requester_.disputed()) {
      if (v.rule == rule) return true;
    }
    return false;
  }

  Terms terms_;
  Policy policy_;
  ChaChaRng rng_, rq_rng_, rs_rng_;
  testing::Source source_;
  escrow::ManualClock clock_;
  std::unique_ptr<escrow::Ledger> ledger_;
  escrow::RuleSet rules_;
  RequesterMachine requester_;
  ResponderMachine responder_;
  JudgeMachine judge_;
  escrow::InstanceId id_{};
  std::deque<std::pair<Role, Input>> queue_;
  std::multiset<std::int64_t> timers_[3];
  std::size_t events_fed_ = 0;
  std::optional<EscrowEvent> last_event_;
  std::vector<Message> sent_by_responder_;
  std::optional<Ruling> ruling_;
  std::optional<Dispute> claims_;
  std::vector<std::string> acts_;
  std::vector<std::string> errors_[3];
  std::optional<Outcome> finished_[3];
};

void run_and_expect(const Policy& policy, const std::string& stage, std::uint64_t seed = 0x7e7) {
  Loop loop(policy, seed);
  loop.run();
  loop.check_settlement(stage);
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(loop.errors_[r].empty()) << loop.trace();
}

TEST(RetrievalMachines, HonestResponderIsAcceptedAndPaid) {
  Loop loop(Policy{}, 1);
  loop.run();
  loop.check_settlement("settled_paid");
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(loop.errors_[r].empty()) << loop.trace();
  EXPECT_TRUE(loop.requester_.disputed().empty());
  EXPECT_FALSE(loop.ruling_);
  // The requester holds exactly the positive documents (1, 5, 9), as committed.
  const std::vector<Opening>& got = loop.requester_.retrieved();
  ASSERT_EQ(got.size(), 3u);
  for (std::size_t k = 0; k < got.size(); ++k) {
    EXPECT_EQ(got[k].index, 4 * k + 1);
    EXPECT_TRUE(truly_positive(got[k].input));
    EXPECT_TRUE(attestation_valid(loop.terms_.source_key, got[k].input, got[k].attestation));
  }
  EXPECT_EQ(loop.requester_.outcome()->responder_net, 12 * 10 - 3);
  EXPECT_EQ(loop.requester_.outcome()->requester_net, -12 * 10 - 3);
}

TEST(RetrievalMachines, WithheldPositiveIsUpheld) {
  Policy p;
  p.deviations.withhold_positive = true;
  Loop loop(p, 2);
  loop.run();
  loop.check_settlement("settled_responder_slashed");
  EXPECT_TRUE(loop.disputed(Rule::kWithheldPositive)) << loop.trace();
  ASSERT_TRUE(loop.ruling_ && loop.ruling_->uphold);
  ASSERT_TRUE(loop.claims_);
  EXPECT_EQ(loop.claims_->violations, (std::vector<Violation>{{Rule::kWithheldPositive, 1}}));
  EXPECT_EQ(loop.requester_.outcome()->requester_net, 1000 - 3);
}

TEST(RetrievalMachines, MismatchedOpeningIsUpheld) {
  Policy p;
  p.deviations.mismatch_opening = true;
  Loop loop(p, 3);
  loop.run();
  loop.check_settlement("settled_responder_slashed");
  EXPECT_TRUE(loop.disputed(Rule::kOpeningMismatch)) << loop.trace();
  ASSERT_TRUE(loop.ruling_ && loop.ruling_->uphold);
}

TEST(RetrievalMachines, InvalidProofIsUpheld) {
  Policy p;
  p.proofs_valid = false;
  Loop loop(p, 4);
  loop.run();
  loop.check_settlement("settled_responder_slashed");
  EXPECT_TRUE(loop.disputed(Rule::kProofInvalid)) << loop.trace();
}

TEST(RetrievalMachines, FalseDisputeIsDismissed) {
  for (const char* act : {"requester:reveal_seed", "requester:accept"}) {
    SCOPED_TRACE(act);
    Policy p;
    p.replace[act] = "dispute";  // no Dispute message: the judge audits at half its window
    Loop loop(p, 5);
    loop.run();
    loop.check_settlement("settled_paid");
    ASSERT_TRUE(loop.ruling_);
    EXPECT_FALSE(loop.ruling_->uphold);
    EXPECT_FALSE(loop.claims_);
  }
}

TEST(RetrievalMachines, JudgeSilentRefunds) {
  Policy p;
  p.deviations.withhold_positive = true;
  p.drop.insert("judge:uphold");
  run_and_expect(p, "settled_refund");
}

// The requester reveals a seed other than the committed one (it would choose the sample):
// the responder answers with no openings, the requester disputes, the judge dismisses.
TEST(RetrievalMachines, UncommittedSeedIsDismissed) {
  Policy p;
  p.corrupt.insert("requester:reveal_seed");
  Loop loop(p, 6);
  loop.run();
  loop.check_settlement("settled_paid");
  EXPECT_TRUE(loop.disputed(Rule::kMissingOpening)) << loop.trace();
  ASSERT_TRUE(loop.ruling_);
  EXPECT_FALSE(loop.ruling_->uphold) << loop.ruling_->reason;
}

// Silence at every stage: dropping each act of the honest path ends where the table's
// timeout out of that stage leads.
TEST(RetrievalMachines, TimeoutAtEveryStage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"responder:deposit", "unfunded"},
      {"requester:deposit", "unfunded"},
      {"responder:respond", "settled_responder_slashed"},
      {"requester:reveal_seed", "settled_paid"},
      {"responder:open_sample", "settled_responder_slashed"},
      {"requester:accept", "settled_paid"},
  };
  for (const auto& [act, stage] : cases) {
    SCOPED_TRACE(act);
    Policy p;
    p.drop.insert(act);
    run_and_expect(p, stage);
  }
  {
    SCOPED_TRACE("request refused by the responder's driver");
    Policy p;
    p.request_accepted = false;
    run_and_expect(p, "unfunded");
  }
  {
    SCOPED_TRACE("proving fails");
    Policy p;
    p.prove_fails = true;
    run_and_expect(p, "settled_responder_slashed");
  }
  {
    SCOPED_TRACE("no corpus commitment");
    Policy p;
    p.drop_messages.insert("responder:retrieval.corpus");
    run_and_expect(p, "abandoned");
  }
}

// A Response or Openings that never reaches the requester: it disputes at half the window;
// the judge finds them in the responder's transcript and dismisses. A posted digest that
// matches nothing the responder can show is upheld.
TEST(RetrievalMachines, MissingMessagesAreJudgedOnTranscripts) {
  for (const char* type : {"responder:retrieval.response", "responder:retrieval.openings"}) {
    SCOPED_TRACE(type);
    Policy p;
    p.drop_messages.insert(type);
    Loop loop(p, 7);
    loop.run();
    loop.check_settlement("settled_paid");
    EXPECT_TRUE(loop.disputed(Rule::kMissingResponse) || loop.disputed(Rule::kMissingOpenings)) << loop.trace();
    ASSERT_TRUE(loop.ruling_);
    EXPECT_FALSE(loop.ruling_->uphold);
  }
  for (const char* act : {"responder:respond", "responder:open_sample"}) {
    SCOPED_TRACE(act);
    Policy p;
    p.corrupt.insert(act);
    Loop loop(p, 8);
    loop.run();
    loop.check_settlement("settled_responder_slashed");
    ASSERT_TRUE(loop.ruling_);
    EXPECT_TRUE(loop.ruling_->uphold);
  }
}

// Junk documents (negative, so only the sample can reveal them) are caught at the rate
// 1 - C(m - j, n) / C(m, n). m = 20, n = 3, j = 4 junk (f = 0.2): 0.5088.
TEST(RetrievalMachines, JunkIsCaughtAtTheSampleRate) {
  const std::uint64_t seed = escrow::testing::test_seed(0x7e7ca7c4);
  std::printf("seed %llu (VERDICT_SEED replays)\n", static_cast<unsigned long long>(seed));
  ChaChaRng meta(seed);
  const std::uint32_t m = 20, n = 3, j = 4;
  double miss = 1;
  for (std::uint32_t k = 0; k < n; ++k) miss *= static_cast<double>(m - j - k) / static_cast<double>(m - k);
  const double expected = 1 - miss;
  const int runs = 300;
  int caught = 0;
  for (int run = 0; run < runs; ++run) {
    Policy p;
    while (p.junk.size() < j) p.junk.insert(static_cast<std::uint32_t>(meta.uniform(m)));
    Loop loop(p, seed + static_cast<std::uint64_t>(run) * 7919, terms(m, n));
    loop.run();
    const std::string st = loop.stage();
    SCOPED_TRACE("run " + std::to_string(run) + ": " + loop.trace());
    loop.check_settlement(st);
    if (st == "settled_responder_slashed") {
      ++caught;
      EXPECT_TRUE(loop.disputed(Rule::kJunk));
    } else {
      EXPECT_EQ(st, "settled_paid");
    }
    if (::testing::Test::HasFailure()) break;
  }
  const double rate = static_cast<double>(caught) / runs;
  const double sigma = std::sqrt(expected * (1 - expected) / runs);
  std::printf("  caught %d of %d: %.3f, expected %.4f (4 sigma = %.3f)\n", caught, runs, rate, expected, 4 * sigma);
  EXPECT_NEAR(rate, expected, 4 * sigma);
}

// Replays, out-of-order events, wrong senders and stray inputs are refused and change no
// state: injected into every step of an honest run, the run still ends in paid.
TEST(RetrievalMachines, BadInputIsRefusedWithoutStateChange) {
  Loop loop(Policy{}, 9);
  for (int r = 0; r < 3; ++r) loop.queue_.push_back({static_cast<Role>(r), Start{loop.clock_.now_ms()}});
  for (int i = 0; i < 3; ++i) loop.step_one();
  int refused = 0, steps = 0;
  while (!loop.queue_.empty() && !loop.finished()) {
    for (int t = 0; t < 3; ++t) {
      const Role target = static_cast<Role>(t);
      EscrowEvent bogus = loop.last_event_.value_or(EscrowEvent{});
      bogus.seq += 1000;
      bogus.transition = "uphold";  // lands where the table does not say: refused in every stage
      bogus.actor = Role::kJudge;
      bogus.stage_after = "settled_paid";
      refused += !loop.feed(target, bogus).ok();
      refused += !loop.feed(target, Received{Role::kJudge, CorpusCommitment{}}).ok();  // wrong sender
      refused += !loop.feed(target, Received{Role::kJudge, Openings{}}).ok();
      refused += !loop.feed(target, Received{Role::kResponder, Dispute{}}).ok();
      refused += !loop.feed(target, Start{0}).ok();
      refused += !loop.feed(target, AuditDone{true, ""}).ok();  // no audit pending
    }
    loop.step_one();
    ++steps;
  }
  loop.run(false);
  loop.check_settlement("settled_paid");
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(loop.errors_[r].empty()) << loop.trace();
  EXPECT_EQ(refused, steps * 18);
}

TEST(RetrievalMachines, ReplayedAndForeignEventsAreRefused) {
  Loop loop(Policy{}, 10);
  loop.run();
  ASSERT_TRUE(loop.last_event_);
  const EscrowEvent last = *loop.last_event_;
  EXPECT_FALSE(loop.requester_.handle(last).ok());  // after settlement
  EXPECT_FALSE(loop.responder_.handle(Received{Role::kRequester, Request{}}).ok());
  // A fresh requester: events before the session, wrong senders and m, another instance.
  ChaChaRng rng(11);
  auto rq = RequesterMachine::create(loop.terms_, ModelOffer{kModel, {}, {}, {}}, rng);
  ASSERT_TRUE(rq.ok());
  EXPECT_FALSE(rq->handle(VerificationDone{}).ok());  // not started
  ASSERT_TRUE(rq->handle(Start{0}).ok());
  EXPECT_FALSE(rq->handle(last).ok());  // no session yet
  EXPECT_FALSE(rq->handle(Received{Role::kJudge, loop.responder_.corpus()}).ok());
  CorpusCommitment c = loop.responder_.corpus();
  c.m = 11;
  EXPECT_FALSE(rq->handle(Received{Role::kResponder, c}).ok());
  c.m = 12;
  auto opened = rq->handle(Received{Role::kResponder, c});
  ASSERT_TRUE(opened.ok());
  EXPECT_FALSE(rq->handle(Received{Role::kResponder, c}).ok());  // second commitment
  EXPECT_FALSE(rq->handle(last).ok());                           // another instance
  EXPECT_FALSE(rq->handle(VerificationDone{}).ok());             // nothing to verify
  EXPECT_EQ(rq->stage(), "");
  // A responder refuses a Request for another class, and a second Request.
  ChaChaRng rs_rng(12);
  auto rs = ResponderMachine::create(loop.terms_, corpus(loop.source_, rs_rng, loop.terms_, {}), rs_rng);
  ASSERT_TRUE(rs.ok());
  ASSERT_TRUE(rs->handle(Start{0}).ok());
  Request q;
  q.positive_class = 2;
  EXPECT_FALSE(rs->handle(Received{Role::kRequester, q}).ok());
  q.positive_class = 1;
  ASSERT_TRUE(rs->handle(Received{Role::kRequester, q}).ok());
  EXPECT_FALSE(rs->handle(Received{Role::kRequester, q}).ok());
  EXPECT_FALSE(rs->handle(CorpusProved{}).ok());  // not proving
  // create() refuses corpora of the wrong size or with a document of the wrong length.
  auto docs = corpus(loop.source_, rs_rng, loop.terms_, {});
  docs.pop_back();
  EXPECT_FALSE(ResponderMachine::create(loop.terms_, docs, rs_rng).ok());
  docs = corpus(loop.source_, rs_rng, loop.terms_, {});
  docs[3].input.push_back(0);
  EXPECT_FALSE(ResponderMachine::create(loop.terms_, docs, rs_rng).ok());
}

// check_response / check_openings on tampered responses, directly.
TEST(RetrievalChecks, TamperedResponsesNameTheRule) {
  Loop loop(Policy{}, 13);
  loop.run();
  const Response* honest = nullptr;
  const Openings* openings = nullptr;
  for (const Message& m : loop.sent_by_responder_) {
    if (const auto* p = std::get_if<Response>(&m)) honest = p;
    if (const auto* o = std::get_if<Openings>(&m)) openings = o;
  }
  ASSERT_TRUE(honest && openings);
  const Terms& t = loop.terms_;
  const CorpusCommitment c = loop.responder_.corpus();
  const std::vector<bool> ok(12, true);
  EXPECT_TRUE(check_response(t, kModel, c, *honest, ok).empty());
  auto first = [&](Response r, std::vector<bool> valid = std::vector<bool>(12, true)) {
    auto vs = check_response(t, kModel, c, r, valid);
    return vs.empty() ? std::string("none") : to_string(vs[0]);
  };
  Response r = *honest;
  r.proofs.pop_back();
  EXPECT_EQ(first(r), "wrong_count");
  std::vector<bool> bad = ok;
  bad[4] = false;
  EXPECT_EQ(first(*honest, bad), "proof_invalid@4");
  r = *honest;
  r.proofs[2].values.model_commitment[0] ^= 1;
  EXPECT_EQ(first(r), "wrong_model@2");
  r = *honest;
  r.proofs[3].values.input_commitment = field::Fr::from_u64(7);
  EXPECT_EQ(first(r), "root_mismatch");
  r = *honest;
  std::swap(r.openings[0], r.openings[1]);
  EXPECT_EQ(first(r), "unexpected_opening@1");
  r = *honest;
  r.openings[1].salt = r.openings[1].salt + field::Fr::one();
  EXPECT_EQ(first(r), "opening_mismatch@5");
  r = *honest;
  r.openings[0].path[0][0] ^= 1;
  EXPECT_EQ(first(r), "opening_mismatch@1");
  r = *honest;
  r.openings[0].attestation[0] ^= 1;
  EXPECT_EQ(first(r), "junk@1");
  r = *honest;
  r.proofs[1].values.output = {9, 0, 0};  // now negative, yet opened
  EXPECT_EQ(first(r), "not_positive@1");
  r = *honest;
  r.proofs[0].values.output = {0, 9, 0};  // now positive, never opened
  EXPECT_EQ(first(r), "withheld_positive@0");
  // The openings: exactly the sample.
  std::vector<std::uint32_t> sample;
  for (const Opening& o : openings->openings) sample.push_back(o.index);
  EXPECT_TRUE(check_openings(t, c, *honest, sample, *openings).empty());
  Openings o = *openings;
  o.openings.pop_back();
  EXPECT_EQ(to_string(check_openings(t, c, *honest, sample, o).at(0)), "missing_opening@" + std::to_string(sample.back()));
  o = *openings;
  o.openings.push_back(o.openings.back());
  EXPECT_EQ(to_string(check_openings(t, c, *honest, sample, o).at(0)), "unexpected_opening@" + std::to_string(sample.back()));
  o = *openings;
  o.openings[0].input[1] ^= 1;
  const auto vs = check_openings(t, c, *honest, sample, o);
  ASSERT_GE(vs.size(), 1u);
  EXPECT_EQ(to_string(vs[0]), "opening_mismatch@" + std::to_string(sample[0]));
}

}  // namespace
}  // namespace verdict::retrieval
