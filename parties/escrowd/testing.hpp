#pragma once
// Test fixture: a real escrow service (SQLite file, ZeroMQ over loopback TCP, Ed25519)
// running in-process on its own thread, and clients that talk to it. Not linked into
// the library.

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <zmq.hpp>

#include "escrow/accuracy_rules.hpp"
#include "escrow/ledger.hpp"
#include "escrow/testing.hpp"
#include "parties/escrowd/client.hpp"
#include "parties/escrowd/server.hpp"

namespace verdict::escrowd::testing {

using escrow::testing::random_id;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override { stop(); }

  void start() {
    auto l = escrow::Ledger::open(escrow::Ledger::Options{db_path(), server_clock(), operator_.public_key(), false});
    ASSERT_TRUE(l.ok()) << l.error().message;
    ledger_ = std::move(*l);
    ServerOptions o;
    o.bind = "tcp://127.0.0.1:*";
    if (!endpoint_.empty()) o.bind = endpoint_;  // the same port after a restart
    auto s =
        EscrowServer::create(ctx_, *ledger_, *server_clock(), wire::KeyPair::from_seed(server_key_.seed()).value(), o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(*s);
    endpoint_ = server_->endpoint();
    thread_ = std::thread([this] { EXPECT_TRUE(server_->run().ok()); });
  }
  void stop() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
    ledger_.reset();
  }
  virtual const escrow::Clock* server_clock() { return &clock_; }

  std::string db_path() const { return dir_.file("escrow.db"); }
  std::unique_ptr<EscrowClient> client(const wire::KeyPair& key, int timeout_ms = 3000, int attempts = 5) {
    ClientOptions o;
    o.endpoint = endpoint_;
    o.timeout_ms = timeout_ms;
    o.max_attempts = attempts;
    return std::make_unique<EscrowClient>(ctx_, key, server_key_.public_key(), *server_clock(), o);
  }
  wire::KeyPair new_key() { return wire::KeyPair::generate(rng_); }
  escrow::Request req(escrow::Body body) { return escrow::Request{random_id<16>(rng_), std::move(body)}; }

  // A state digest read through a second, read-only connection (the server thread owns
  // the first). Covers every table, the envelope-chain table included.
  escrow::Digest digest() {
    auto l = escrow::Ledger::open(escrow::Ledger::Options{db_path(), nullptr, std::nullopt, true});
    EXPECT_TRUE(l.ok());
    auto d = (*l)->state_digest(true);
    EXPECT_TRUE(d.ok());
    return *d;
  }

  escrow::testing::TempDir dir_;
  escrow::ManualClock clock_;
  ChaChaRng rng_{escrow::testing::test_seed(0x5e7c)};
  zmq::context_t ctx_;
  wire::KeyPair server_key_ = new_key();
  wire::KeyPair operator_ = new_key();
  std::unique_ptr<escrow::Ledger> ledger_;
  std::unique_ptr<EscrowServer> server_;
  std::thread thread_;
  std::string endpoint_;
};

inline void expect_applied(const Result<Reply>& r) {
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, ReplyStatus::kApplied) << escrow::code_name(r->code) << ": " << r->reason;
}

inline void expect_rejected(const Result<Reply>& r, escrow::Code code) {
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, ReplyStatus::kRejected);
  EXPECT_EQ(r->code, code) << "got " << escrow::code_name(r->code) << ": " << r->reason;
  EXPECT_FALSE(r->reason.empty());
}

}  // namespace verdict::escrowd::testing
