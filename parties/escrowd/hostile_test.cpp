// Hostile input against the real service: each message is refused with a signed reply
// carrying a code and a reason, and the ledger's full state digest (every table,
// envelope chains included) is the same before and after.
#include <gtest/gtest.h>

#include "base/codec.hpp"
#include "parties/escrowd/testing.hpp"

namespace verdict::escrowd {
namespace {

using escrow::Code;
using testing::expect_applied;
using testing::expect_rejected;

class Hostile : public testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    op_ = client(operator_);
    a_ = client(alice_);
    mc_ = client(mc_key_);
    expect_applied(op_->submit(req(escrow::Mint{alice_.public_key(), 10'000})));
    expect_applied(op_->submit(req(escrow::Mint{mc_key_.public_key(), 100'000})));
    // An instance in its first stage (MP = alice, no stake needed).
    escrow::AccuracyParams p = escrow::testing::small_params(10, 90, 5, 1, 1, 3);
    p.mp_min_stake = 0;
    rules_ = *escrow::accuracy_rule_set(p);
    id_ = escrow::testing::random_id<16>(rng_);
    expect_applied(mc_->submit(
        req(escrow::OpenInstance{id_, rules_, {alice_.public_key(), mc_key_.public_key(), verifier_.public_key()}})));
    expect_applied(a_->submit(req(escrow::Act{id_, "deposit", escrow::rules_digest(rules_)})));
    expect_applied(mc_->submit(req(escrow::Act{id_, "deposit", escrow::rules_digest(rules_)})));
    before_ = digest();
  }
  void TearDown() override {
    EXPECT_EQ(digest(), before_) << "a refused message changed the ledger";
    ServiceTest::TearDown();
  }
  // A correctly chained, signed operation envelope from alice (not sent).
  wire::Envelope next_op(const escrow::Request& r) {
    auto head = ledger_head(alice_.public_key(), escrow::request_instance(r));
    return a_->make_envelope(kOpType, escrow::encode_request(r), escrow::request_instance(r), head.seq + 1, head.hash);
  }
  escrow::Head ledger_head(const wire::PublicKey& who, const escrow::InstanceId& inst) {
    auto l = escrow::Ledger::open(escrow::Ledger::Options{db_path(), nullptr, std::nullopt, true});
    return *(*l)->chain_head(who, inst);
  }
  Result<Reply> send_raw(const std::vector<std::vector<std::uint8_t>>& frames) {
    return a_->exchange_raw(frames, codec::sha256(frames.empty() ? std::vector<std::uint8_t>{} : frames[0]));
  }
  Result<Reply> send(const wire::Envelope& e, std::vector<std::vector<std::uint8_t>> extra = {}) {
    std::vector<std::vector<std::uint8_t>> frames{wire::encode_envelope(e)};
    for (auto& f : extra) frames.push_back(std::move(f));
    return a_->exchange_raw(frames, wire::envelope_hash(e));
  }

  wire::KeyPair alice_ = new_key(), mc_key_ = new_key(), verifier_ = new_key(), mallory_ = new_key();
  std::unique_ptr<EscrowClient> op_, a_, mc_;
  escrow::RuleSet rules_;
  escrow::InstanceId id_{};
  escrow::Digest before_{};
};

TEST_F(Hostile, MalformedFrames) {
  expect_rejected(send_raw({{}}), Code::kMalformed);                         // an empty frame
  expect_rejected(send_raw({{'h', 'e', 'l', 'l', 'o'}}), Code::kMalformed);  // garbage
  std::vector<std::uint8_t> env = wire::encode_envelope(next_op(req(escrow::Withdraw{1})));
  expect_rejected(send_raw({std::vector<std::uint8_t>(env.begin(), env.end() - 1)}), Code::kMalformed);  // truncated
  std::vector<std::uint8_t> longer = env;
  longer.push_back(0);
  expect_rejected(send_raw({longer}), Code::kMalformed);                                         // trailing byte
  expect_rejected(send_raw(std::vector<std::vector<std::uint8_t>>(20, env)), Code::kMalformed);  // too many frames
  expect_rejected(send_raw({env, {1, 2, 3}}), Code::kMalformed);  // a frame it does not list
}

TEST_F(Hostile, FramesThatDoNotMatchTheirDigests) {
  wire::Envelope e = next_op(req(escrow::Withdraw{1}));
  std::vector<std::uint8_t> blob(1000, 7);
  std::vector<std::span<const std::uint8_t>> spans{blob};
  e.frames = wire::frame_refs(spans);
  wire::sign_envelope(e, alice_);
  blob[3] ^= 1;
  // Refused before the signature is checked, so the reply names the raw frame's hash.
  const std::vector<std::uint8_t> bytes = wire::encode_envelope(e);
  expect_rejected(a_->exchange_raw({bytes, blob}, codec::sha256(bytes)), Code::kMalformed);
  blob[3] ^= 1;
  expect_rejected(send(e, {blob}), Code::kMalformed);  // matching, but operations carry no frames
}

TEST_F(Hostile, UndecodablePayloadsAndUnknownTypes) {
  wire::Envelope e = next_op(req(escrow::Withdraw{1}));
  e.payload = {1, 2, 3};
  wire::sign_envelope(e, alice_);
  expect_rejected(send(e), Code::kMalformed);
  e = next_op(req(escrow::Withdraw{1}));
  e.type = "escrow.launch";
  wire::sign_envelope(e, alice_);
  expect_rejected(send(e), Code::kMalformed);
}

TEST_F(Hostile, BadSignatures) {
  wire::Envelope e = next_op(req(escrow::Withdraw{1}));
  std::vector<std::uint8_t> bytes = wire::encode_envelope(e);
  bytes[bytes.size() - 10] ^= 0x20;  // inside the signature
  expect_rejected(send_raw({bytes}), Code::kBadSignature);
  // Mallory signs a request in alice's name.
  wire::Envelope forged = next_op(req(escrow::Transfer{mallory_.public_key(), 500}));
  forged.signature = mallory_.sign(wire::signed_body(forged));
  expect_rejected(send_raw({wire::encode_envelope(forged)}), Code::kBadSignature);
  // A valid signature over a modified payload.
  wire::Envelope tampered = next_op(req(escrow::Transfer{mallory_.public_key(), 1}));
  tampered.payload.back() ^= 0x7f;
  expect_rejected(send_raw({wire::encode_envelope(tampered)}), Code::kBadSignature);
}

TEST_F(Hostile, Replays) {
  // An applied envelope replayed byte for byte is answered with its first result as a
  // duplicate and changes nothing; any other envelope with a used sequence number, out
  // of order, or with the wrong previous hash is refused.
  wire::Envelope applied = next_op(req(escrow::Withdraw{1}));
  expect_applied(send(applied));
  before_ = digest();
  auto dup = send(applied);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->status, ReplyStatus::kDuplicate);
  wire::Envelope reused =
      a_->make_envelope(kOpType, escrow::encode_request(req(escrow::Withdraw{2})), {}, applied.seq, applied.prev);
  expect_rejected(send(reused), Code::kReplay);
  wire::Envelope gap = a_->make_envelope(kOpType, escrow::encode_request(req(escrow::Withdraw{2})), {}, applied.seq + 2,
                                         wire::envelope_hash(applied));
  expect_rejected(send(gap), Code::kReplay);
  wire::Envelope wrong_prev =
      a_->make_envelope(kOpType, escrow::encode_request(req(escrow::Withdraw{2})), {}, applied.seq + 1, applied.prev);
  expect_rejected(send(wrong_prev), Code::kReplay);
}

TEST_F(Hostile, WrongRecipientAndStaleTimestamps) {
  wire::Envelope e = next_op(req(escrow::Withdraw{1}));
  e.recipient = mallory_.public_key();
  wire::sign_envelope(e, alice_);
  expect_rejected(send(e), Code::kWrongRecipient);
  e = next_op(req(escrow::Withdraw{1}));
  e.timestamp_ms -= 3'600'000;
  wire::sign_envelope(e, alice_);
  expect_rejected(send(e), Code::kStaleTimestamp);
  e.timestamp_ms += 2 * 3'600'000;  // from the future
  wire::sign_envelope(e, alice_);
  expect_rejected(send(e), Code::kStaleTimestamp);
}

TEST_F(Hostile, WrongPartyAndUnknownInstance) {
  auto m = client(mallory_);
  expect_rejected(m->submit(req(escrow::Act{id_, "choose_subset", {}})), Code::kUnauthorized);    // not a party
  expect_rejected(mc_->submit(req(escrow::Act{id_, "choose_subset", {}})), Code::kUnauthorized);  // MP's move
  expect_rejected(m->submit(req(escrow::Mint{mallory_.public_key(), 1'000'000})),
                  Code::kUnauthorized);  // not the operator
  expect_rejected(a_->submit(req(escrow::Act{escrow::testing::random_id<16>(rng_), "deposit", {}})),
                  Code::kUnknownInstance);
  expect_rejected(
      m->submit(req(escrow::OpenInstance{escrow::testing::random_id<16>(rng_),
                                         rules_,
                                         {alice_.public_key(), mc_key_.public_key(), verifier_.public_key()}})),
      Code::kUnauthorized);  // opening an instance one is not a party of
}

TEST_F(Hostile, OverdraftsNegativeAndOverflowingAmounts) {
  expect_rejected(a_->submit(req(escrow::Transfer{mallory_.public_key(), 50'000})), Code::kInsufficientFunds);
  expect_rejected(a_->submit(req(escrow::Transfer{mallory_.public_key(), -5})), Code::kInvalidAmount);
  expect_rejected(a_->submit(req(escrow::Withdraw{std::numeric_limits<escrow::Amount>::min()})), Code::kInvalidAmount);
  expect_rejected(a_->submit(req(escrow::Stake{0})), Code::kInvalidAmount);
  expect_rejected(op_->submit(req(escrow::Mint{alice_.public_key(), escrow::kMaxAmount})), Code::kOverflow);
}

TEST_F(Hostile, EarlyDeadlineClaimsAndOtherRuleViolations) {
  expect_rejected(mc_->submit(req(escrow::Act{id_, "timeout", {}})), Code::kDeadlineNotReached);
  expect_rejected(a_->submit(req(escrow::Act{id_, "pass", {}})), Code::kWrongStage);
  expect_rejected(a_->submit(req(escrow::Act{id_, "deposit", escrow::rules_digest(rules_)})), Code::kWrongStage);
  // A table that would create money is refused at open.
  escrow::RuleSet bad = rules_;
  bad.transitions[1].effects.push_back(escrow::Effect{0, 1, 1});
  expect_rejected(
      mc_->submit(req(escrow::OpenInstance{escrow::testing::random_id<16>(rng_),
                                           bad,
                                           {alice_.public_key(), mc_key_.public_key(), verifier_.public_key()}})),
      Code::kInvalidRules);
  // Consent to other rules.
  const escrow::InstanceId id2 = escrow::testing::random_id<16>(rng_);
  auto c = mc_->submit(
      req(escrow::OpenInstance{id2, rules_, {alice_.public_key(), mc_key_.public_key(), verifier_.public_key()}}));
  expect_applied(c);
  before_ = digest();
  expect_rejected(a_->submit(req(escrow::Act{id2, "deposit", escrow::Digest{1}})), Code::kBadConsent);
}

TEST_F(Hostile, OpIdReusedForAnotherRequest) {
  escrow::Request r = req(escrow::Withdraw{1});
  expect_applied(a_->submit(r));
  before_ = digest();
  r.body = escrow::Withdraw{2};
  expect_rejected(a_->submit(r), Code::kOpIdReused);
}

}  // namespace
}  // namespace verdict::escrowd
