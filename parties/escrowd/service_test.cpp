// The escrow service end to end over real ZeroMQ, SQLite and Ed25519, in-process.
#include <gtest/gtest.h>

#include "escrow/audit.hpp"
#include "parties/escrowd/testing.hpp"

namespace verdict::escrowd {
namespace {

using escrow::Code;
using testing::expect_applied;
using testing::expect_rejected;

class Service : public testing::ServiceTest {};

TEST_F(Service, FundTransferAndQuery) {
  wire::KeyPair alice = new_key(), bob = new_key();
  auto op = client(operator_);
  auto a = client(alice);
  expect_applied(op->submit(req(escrow::Mint{alice.public_key(), 1000})));
  auto r = a->submit(req(escrow::Transfer{bob.public_key(), 250}));
  expect_applied(r);
  auto result = escrow::decode_result(r->body);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->postings.size(), 2u);
  auto sa = a->summary(alice.public_key());
  ASSERT_TRUE(sa.ok()) << sa.error().message;
  EXPECT_EQ(sa->available, 750);
  EXPECT_EQ(*a->balance(escrow::party_account(bob.public_key())), 250);
  // The reply is a receipt: it names the audit row the operation got.
  auto head = a->audit_head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, r->audit_seq);
  EXPECT_EQ(head->hash, r->audit_hash);
}

TEST_F(Service, RetransmissionsGetTheFirstResultAndChangeNothing) {
  wire::KeyPair alice = new_key(), bob = new_key();
  expect_applied(client(operator_)->submit(req(escrow::Mint{alice.public_key(), 1000})));
  auto a = client(alice);
  escrow::Request t = req(escrow::Transfer{bob.public_key(), 10});
  wire::Envelope env = a->make_envelope(kOpType, escrow::encode_request(t), {}, 1, wire::Digest{});
  std::vector<std::uint8_t> bytes = wire::encode_envelope(env);
  auto first = a->exchange_raw({bytes}, wire::envelope_hash(env));
  expect_applied(first);
  const escrow::Digest after = digest();
  auto again = a->exchange_raw({bytes}, wire::envelope_hash(env));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, ReplyStatus::kDuplicate);
  EXPECT_EQ(again->audit_seq, first->audit_seq);
  EXPECT_EQ(again->body, first->body);
  EXPECT_EQ(digest(), after);
}

TEST_F(Service, AccuracyInstanceOverTheWire) {
  wire::KeyPair mp = new_key(), mc = new_key(), verifier = new_key();
  auto op = client(operator_);
  auto cmp = client(mp), cmc = client(mc), cv = client(verifier);
  escrow::AccuracyParams p = escrow::testing::small_params(10, 90, 100, 3, 50, 7);
  p.mp_min_stake = 500;
  auto rules = escrow::accuracy_rule_set(p);
  ASSERT_TRUE(rules.ok());
  expect_applied(op->submit(req(escrow::Mint{mp.public_key(), 100'000})));
  expect_applied(op->submit(req(escrow::Mint{mc.public_key(), 100'000})));
  expect_applied(cmp->submit(req(escrow::Stake{500})));
  const escrow::InstanceId id = escrow::testing::random_id<16>(rng_);
  expect_applied(
      cmc->submit(req(escrow::OpenInstance{id, *rules, {mp.public_key(), mc.public_key(), verifier.public_key()}})));
  // The MP inspects what it is asked to consent to before depositing.
  auto view = cmp->instance(id);
  ASSERT_TRUE(view.ok()) << view.error().message;
  EXPECT_EQ(view->rules, *rules);
  EXPECT_EQ(view->stage_name, "funding");
  const escrow::Digest consent = view->rules_digest;
  expect_applied(cmp->submit(req(escrow::Act{id, "deposit", consent})));
  expect_applied(cmc->submit(req(escrow::Act{id, "deposit", consent})));
  for (auto [c, t] : std::vector<std::pair<EscrowClient*, const char*>>{{cmp.get(), "choose_subset"},
                                                                        {cmc.get(), "send_subset"},
                                                                        {cmp.get(), "ack_subset"},
                                                                        {cmc.get(), "publish_subset_key"},
                                                                        {cmp.get(), "proceed"},
                                                                        {cmc.get(), "send_rest"},
                                                                        {cmp.get(), "ack_rest"},
                                                                        {cmc.get(), "publish_rest_key"}}) {
    expect_applied(c->submit(req(escrow::Act{id, t, escrow::Digest{7}})));
    clock_.advance(1000);
  }
  // MP goes silent while proving: a timeout claim before the deadline is refused, after it
  // MP is slashed: MC gets 4NE.
  expect_rejected(cmc->submit(req(escrow::Act{id, "timeout", {}})), Code::kDeadlineNotReached);
  clock_.advance(p.proving_timeout_ms);
  auto t = cv->submit(req(escrow::Act{id, "timeout", {}}));
  expect_applied(t);
  EXPECT_EQ(escrow::decode_result(t->body)->stage, "settled_mp_slashed");
  EXPECT_EQ(cmc->summary(mc.public_key())->available, 100'000 - 7 + 20'000);
  EXPECT_EQ(cmp->summary(mp.public_key())->available, 100'000 - 500 - 20'007);
  EXPECT_EQ(*cmp->balance(escrow::kFeeAccount), 14);
  expect_rejected(cmp->submit(req(escrow::Act{id, "submit_proofs", {}})), Code::kWrongStage);
}

TEST_F(Service, ClientsCarryOnAcrossARestart) {
  wire::KeyPair alice = new_key(), bob = new_key();
  auto op = client(operator_);
  auto a = client(alice, 500, 20);
  expect_applied(op->submit(req(escrow::Mint{alice.public_key(), 1000})));
  expect_applied(a->submit(req(escrow::Transfer{bob.public_key(), 1})));
  stop();
  start();  // same file, same port
  expect_applied(a->submit(req(escrow::Transfer{bob.public_key(), 2})));
  EXPECT_EQ(*a->balance(escrow::party_account(bob.public_key())), 3);
  stop();
  auto report = escrow::verify_ledger(db_path());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->rows, 3u);
  start();
}

TEST_F(Service, AnAnswerlessEscrowIsAnErrorNotAGuess) {
  wire::KeyPair alice = new_key();
  ClientOptions o;
  o.endpoint = "tcp://127.0.0.1:1";  // nobody listens there
  o.timeout_ms = 50;
  o.max_attempts = 2;
  EscrowClient c(ctx_, alice, server_key_.public_key(), clock_, o);
  auto r = c.submit(req(escrow::Withdraw{1}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("outcome is unknown"), std::string::npos);
}

}  // namespace
}  // namespace verdict::escrowd
