// The three agents in threads of one process (each with its own ZeroMQ context and
// sockets, as in separate processes) against a real escrow service, while a hostile
// sender floods every agent's socket with garbage, envelopes from strangers, mis-signed
// envelopes claiming to be a party, envelopes addressed to someone else, and replays of
// genuine envelopes taken from the agents' own transcripts. Everything hostile is
// dropped, and the run still ends in pass with the balances the rules give. Proofs are
// stand-ins here (the demo tests prove for real): this test is about the transport.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "parties/agents/agent.hpp"
#include "parties/agents/transcript.hpp"
#include "parties/escrowd/testing.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::agents {
namespace {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

class AgentsHostileTest : public escrowd::testing::ServiceTest {
 protected:
  const escrow::Clock* server_clock() override { return &system_clock_; }
  escrow::SystemClock system_clock_;
};

TEST_F(AgentsHostileTest, HostileTrafficIsDroppedAndTheRunPasses) {
  const std::uint64_t seed = escrow::testing::test_seed(0xa9e7);
  std::cout << "seed " << seed << "\n";
  ChaChaRng rng(seed);
  accuracy::Terms terms;
  terms.params = escrow::testing::small_params(2, 3, 100, 1, 10, 1);
  terms.params.response_timeout_ms = 20'000;
  terms.target_num = 0;
  const accuracy::Digest model = [] {
    accuracy::Digest d{};
    d.fill(0x4d);
    return d;
  }();

  wire::KeyPair keys[3] = {new_key(), new_key(), new_key()};
  auto op = client(operator_);
  const escrow::Amount two_ne = 2 * 5 * 100;
  escrowd::testing::expect_applied(op->submit(req(escrow::Mint{keys[0].public_key(), 1000 * 2 * 100 + two_ne + 1})));
  escrowd::testing::expect_applied(op->submit(req(escrow::Mint{keys[1].public_key(), two_ne + 1})));

  std::mutex mu;
  std::vector<std::string> logs;
  AgentConfig c[3];
  for (int r = 0; r < 3; ++r) {
    c[r].role = static_cast<accuracy::Role>(r);
    c[r].terms = terms;
    c[r].key = &keys[r];
    c[r].escrow_endpoint = endpoint_;
    c[r].escrow_key = server_key_.public_key();
    c[r].transcript_path = dir_.file(std::string(accuracy::role_name(c[r].role)) + ".transcript");
    c[r].max_run_ms = 60'000;
    c[r].log = [&mu, &logs, r](const std::string& line) {
      std::lock_guard<std::mutex> l(mu);
      logs.push_back(std::string(accuracy::role_name(static_cast<accuracy::Role>(r))) + ": " + line);
    };
  }
  for (int r = 0; r < 3; ++r) {
    for (int q = 0; q < 3; ++q) c[r].parties[q] = {keys[q].public_key(), "tcp://127.0.0.1:" + std::to_string(free_port())};
  }
  for (int r = 1; r < 3; ++r) c[r].parties = c[0].parties;
  c[0].model_commitment = model;
  c[0].prove = [&](const accuracy::ProveRest& p) {
    std::vector<nn::ModelProof> out;
    for (const auto& x : p.examples) {
      nn::ModelProof proof;
      proof.values.model_commitment = model;
      proof.values.input_commitment = nn::input_commitment(x.input, x.salt);
      proof.values.output.assign(10, 0);
      proof.values.output[x.label] = 200;
      proof.proof = {1, 2, 3};
      out.push_back(std::move(proof));
    }
    return std::optional(out);
  };
  for (int r = 1; r < 3; ++r) {
    c[r].expected_model = model;
    c[r].verify = [](const std::vector<nn::ModelProof>& p) { return std::vector<bool>(p.size(), true); };
  }
  for (int i = 0; i < 5; ++i) {
    accuracy::Example e;
    e.input.resize(16);
    rng.fill(e.input);
    e.label = static_cast<std::uint32_t>(rng.uniform(10));
    e.salt = field::Fr::random(rng);
    c[1].examples.push_back(std::move(e));
  }

  // The hostile sender.
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread hostile([&] {
    zmq::context_t ctx;
    std::vector<std::unique_ptr<zmq::socket_t>> socks;
    for (int r = 0; r < 3; ++r) {
      socks.push_back(std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::push));
      socks.back()->set(zmq::sockopt::linger, 0);
      socks.back()->connect(c[0].parties[r].endpoint);
    }
    ChaChaRng hr(seed + 1);
    wire::KeyPair stranger = wire::KeyPair::generate(hr);
    auto send = [&](int r, const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
      socks[r]->send(zmq::buffer(a), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      socks[r]->send(zmq::buffer(b), zmq::send_flags::dontwait);
      sent += 1;
    };
    while (!stop) {
      for (int r = 0; r < 3; ++r) {
        const int peer = (r + 1) % 3;
        std::vector<std::uint8_t> junk(64);
        hr.fill(junk);
        send(r, junk, junk);  // garbage
        const std::vector<std::uint8_t> body = {1, 2, 3};
        const std::span<const std::uint8_t> frames[1] = {body};
        wire::Envelope e;
        e.recipient = keys[r].public_key();
        e.instance = pair_stream(stranger.public_key(), e.recipient);
        e.seq = 1;
        e.type = "accuracy.rest";
        e.frames = wire::frame_refs(frames);
        wire::sign_envelope(e, stranger);  // a stranger
        send(r, wire::encode_envelope(e), body);
        e.sender = keys[peer].public_key();  // claims to be a party, signed by the stranger
        e.instance = pair_stream(e.sender, e.recipient);
        send(r, wire::encode_envelope(e), body);
        e.recipient = stranger.public_key();  // addressed to someone else
        wire::sign_envelope(e, stranger);
        send(r, wire::encode_envelope(e), body);
        // Replays of what this agent already received.
        auto recs = read_transcript(c[r].transcript_path);
        if (recs.ok()) {
          for (const auto& rec : *recs) {
            if (rec.channel == Channel::kPeer && rec.direction == Direction::kReceived && rec.frames.size() == 1)
              send(r, rec.envelope, rec.frames[0]);
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  });

  Result<AgentResult> results[3] = {Error{"not run"}, Error{"not run"}, Error{"not run"}};
  std::thread threads[3];
  for (int r = 0; r < 3; ++r) threads[r] = std::thread([&, r] { results[r] = run_agent(c[r]); });
  for (auto& t : threads) t.join();
  stop = true;
  hostile.join();

  for (int r = 0; r < 3; ++r) {
    ASSERT_TRUE(results[r].ok()) << results[r].error().message;
    EXPECT_EQ(results[r]->outcome.stage, "settled_pass");
    auto recs = read_transcript(c[r].transcript_path);
    ASSERT_TRUE(recs.ok());
    EXPECT_EQ(recs->size(), results[r]->transcript_records);
    EXPECT_EQ(recs->back().chain, results[r]->transcript_head);
  }
  EXPECT_GT(sent.load(), 30);
  std::size_t dropped = 0, replays = 0, strangers = 0, mis_signed = 0, replied = 0, told = 0;
  for (const auto& l : logs) {
    replied += l.find("sent an error reply") != std::string::npos ? 1 : 0;
    told += l.find("error reply from") != std::string::npos ? 1 : 0;
    dropped += l.find("dropped") != std::string::npos ? 1 : 0;
    replays += l.find("dropped a replayed") != std::string::npos ? 1 : 0;
    strangers += l.find("unknown sender") != std::string::npos ? 1 : 0;
    mis_signed += l.find("mis-signed") != std::string::npos ? 1 : 0;
  }
  EXPECT_GT(dropped, 10u);
  EXPECT_GT(replays, 0u);
  EXPECT_GT(strangers, 0u);
  EXPECT_GT(mis_signed, 0u);
  // A replayed genuine envelope is authenticated: its sender gets an error reply, logs
  // it, and nothing else changes (the run still passes).
  EXPECT_GT(replied, 0u);
  EXPECT_GT(told, 0u);
  const accuracy::Outcome want = accuracy::outcome_of(terms, "settled_pass");
  auto mp = op->summary(keys[0].public_key());
  auto mc = op->summary(keys[1].public_key());
  ASSERT_TRUE(mp.ok() && mc.ok());
  EXPECT_EQ(mp->available + mp->staked + mp->held, 1000 * 2 * 100 + two_ne + 1 + want.mp_net);
  EXPECT_EQ(mc->available + mc->staked + mc->held, two_ne + 1 + want.mc_net);
  EXPECT_EQ(*op->balance(escrow::kFeeAccount), 2);
}

}  // namespace
}  // namespace verdict::agents
