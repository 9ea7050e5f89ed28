// The judge against real runs: `verdict demo` (escrow, MP, MC and verifier as processes,
// real SNARKs of a tiny random model) writes the transcripts; the judge accepts every
// honest transcript, alone or together, and catches what a party could do to its own
// file (remove, reorder, insert or alter a message, even re-chaining the file and
// re-signing its checkpoints with the owner's key), a forged signature, a proof that does
// not verify, and a biased selection. Malformed input is a finding, never a crash.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <fstream>
#include <map>

#include "base/codec.hpp"
#include "escrow/testing.hpp"
#include "parties/agents/peer_messages.hpp"
#include "parties/agents/transcript.hpp"
#include "parties/judge/judge.hpp"
#include "parties/wire/envelope.hpp"
#include "snark/nn/model_circuit_testing.hpp"

namespace verdict::judge {
namespace {

using agents::Channel;
using agents::Direction;
using agents::TranscriptRecord;

struct DemoRun {
  int rc = -1;
  std::string out;
};

DemoRun shell(const std::string& cmd) {
  DemoRun r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) r.out += buf.data();
  const int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Two runs shared by the tests: an honest one (settled_pass) and one whose MP sends
// invalid SNARKs (settled_mp_slashed by the verifier's `invalid`).
class JudgeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new escrow::testing::TempDir;
    ChaChaRng rng(escrow::testing::test_seed(0x1d9e));
    const auto bytes = nn::testing_models::random_gemm_model(rng).to_bytes();
    std::ofstream(dir_->file("tiny.vnnm"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    for (const auto& [name, flags] : {std::pair<std::string, std::string>{"honest", ""},
                                      std::pair<std::string, std::string>{"corrupt", "--mp-flags=--corrupt-proofs"}}) {
      runs_[name] = shell(std::string(VERDICT_BIN) + " demo --model " + dir_->file("tiny.vnnm") + " --workdir " +
                          dir_->file(name) + " --random-examples 7 --n1 2 --n2 3 --target 0 --max-run-s 80 " + flags);
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string w(const std::string& run, const std::string& file) { return dir_->file(run) + "/" + file; }

  static AuditOptions options(const std::string& run) {
    AuditOptions o;
    for (const char* r : {"mp", "mc", "verifier"}) o.parties.push_back(*wire::read_public_key(w(run, std::string(r) + ".pub")));
    o.escrow = *wire::read_public_key(w(run, "escrow.pub"));
    auto b = std::ifstream(w(run, "model.vk"), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
    vk_.emplace(std::move(*nn::ModelVerifyingKey::from_bytes(bytes)));
    o.vk = &*vk_;
    return o;
  }
  static std::vector<std::string> all(const std::string& run) {
    return {w(run, "mp.transcript"), w(run, "mc.transcript"), w(run, "verifier.transcript")};
  }
  static bool has(const Verdict& v, const std::string& rule, const std::string& party = "") {
    for (const auto& f : v.findings) {
      if (f.rule == rule && (party.empty() || f.party == party)) return true;
    }
    return false;
  }

  // A dishonest owner's rewrite: apply `edit` to the records, then re-chain the file
  // and re-sign every checkpoint with the owner's own key.
  template <class Edit>
  static std::string rewrite(const std::string& run, const std::string& role, Edit edit) {
    auto recs = agents::read_transcript(w(run, role + ".transcript"));
    EXPECT_TRUE(recs.ok());
    edit(*recs);
    const auto key = wire::read_secret_key(w(run, role + ".key"));
    codec::Writer out;
    out.raw(std::vector<std::uint8_t>{'V', 'R', 'D', 'T'});
    out.u32(2);
    agents::Digest chain = agents::transcript_genesis();
    for (std::size_t i = 0; i < recs->size(); ++i) {
      TranscriptRecord& r = (*recs)[i];
      if (r.channel == Channel::kCheckpoint)
        r.envelope = agents::encode_checkpoint(agents::sign_checkpoint(i, chain, r.time_ms, *key));
      const auto body = agents::encode_record_body(r);
      codec::Sha256 h;
      chain = h.update(chain).update(body).finish();
      out.u32(static_cast<std::uint32_t>(body.size()));
      out.raw(body);
      out.fixed(chain);
    }
    const std::string path = dir_->file("edited-" + role + ".transcript");
    const auto bytes = out.take();
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return path;
  }
  // The record indices of the owner's sent peer envelopes.
  static std::vector<std::size_t> sent_peer(const std::vector<TranscriptRecord>& recs) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (recs[i].channel == Channel::kPeer && recs[i].direction == Direction::kSent) out.push_back(i);
    }
    return out;
  }
  static std::vector<std::string> with(const std::string& run, const std::string& role, const std::string& edited) {
    std::vector<std::string> v;
    for (const char* r : {"mp", "mc", "verifier"}) v.push_back(r == role ? edited : w(run, std::string(r) + ".transcript"));
    return v;
  }

  static escrow::testing::TempDir* dir_;
  static std::map<std::string, DemoRun> runs_;
  static std::optional<nn::ModelVerifyingKey> vk_;
};
escrow::testing::TempDir* JudgeTest::dir_ = nullptr;
std::map<std::string, DemoRun> JudgeTest::runs_;
std::optional<nn::ModelVerifyingKey> JudgeTest::vk_;

TEST_F(JudgeTest, HonestTranscriptsAreCleanTogetherAndAlone) {
  ASSERT_EQ(runs_["honest"].rc, 0) << runs_["honest"].out;
  ASSERT_NE(runs_["honest"].out.find("== outcome: settled_pass"), std::string::npos) << runs_["honest"].out;
  const Verdict v = audit(all("honest"), options("honest"));
  EXPECT_TRUE(v.clean()) << format_verdict(v);
  EXPECT_EQ(v.protocol, "accuracy");
  EXPECT_EQ(v.terminal, "settled_pass");
  const std::string text = format_verdict(v);
  EXPECT_NE(text.find("SNARKs verify"), std::string::npos) << text;
  EXPECT_NE(text.find("selection"), std::string::npos) << text;
  EXPECT_NE(text.find("follow the accuracy/v1 table"), std::string::npos) << text;
  for (const auto& t : all("honest")) {
    const Verdict one = audit({t}, options("honest"));
    EXPECT_TRUE(one.clean()) << t << "\n" << format_verdict(one);
  }
  // Through the binary: exit 0 and the verdict printed.
  const DemoRun r = shell(std::string(VERDICT_BIN) + " judge audit " + w("honest", "mp.transcript") + " " +
                      w("honest", "mc.transcript") + " " + w("honest", "verifier.transcript") + " --party-key " +
                      w("honest", "mp.pub") + " --party-key " + w("honest", "mc.pub") + " --party-key " +
                      w("honest", "verifier.pub") + " --escrow-key " + w("honest", "escrow.pub") + " --vk " +
                      w("honest", "model.vk"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("verdict: CLEAN"), std::string::npos) << r.out;
  EXPECT_NE(runs_["honest"].out.find("judge: CLEAN"), std::string::npos) << runs_["honest"].out;
}

TEST_F(JudgeTest, AFlippedByteBreaksTheChain) {
  std::ifstream f(w("honest", "mc.transcript"), std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  b[b.size() / 2] ^= 0x04;
  const std::string path = dir_->file("flipped.transcript");
  std::ofstream(path, std::ios::binary).write(b.data(), std::streamsize(b.size()));
  const Verdict v = audit({path}, options("honest"));
  EXPECT_TRUE(has(v, "chain", "transcript")) << format_verdict(v);
}

TEST_F(JudgeTest, ARemovedMessageIsCaughtEvenInAReSignedFile) {
  const std::string edited = rewrite("honest", "mc", [](std::vector<TranscriptRecord>& r) {
    const auto s = sent_peer(r);
    r.erase(r.begin() + static_cast<std::ptrdiff_t>(s[0]));  // MC's test-set commitment to MP
  });
  const Verdict alone = audit({edited}, options("honest"));
  EXPECT_FALSE(alone.clean());
  EXPECT_TRUE(has(alone, "stream") || has(alone, "checkpoint")) << format_verdict(alone);
  const Verdict together = audit(with("honest", "mc", edited), options("honest"));
  EXPECT_TRUE(has(together, "missing")) << format_verdict(together);
}

TEST_F(JudgeTest, AReorderedMessageIsCaught) {
  const std::string edited = rewrite("honest", "mp", [](std::vector<TranscriptRecord>& r) {
    // Two envelopes MP sent to the same party (its model commitment and its proofs to MC).
    const auto s = sent_peer(r);
    std::size_t a = s.front(), b = a;
    const auto to = [&](std::size_t i) { return wire::decode_envelope(r[i].envelope)->recipient; };
    for (std::size_t i : s) {
      if (i != a && to(i) == to(a)) b = i;
    }
    ASSERT_NE(a, b);
    std::swap(r[a], r[b]);
  });
  const Verdict v = audit({edited}, options("honest"));
  EXPECT_TRUE(has(v, "stream", "mp")) << format_verdict(v);
}

TEST_F(JudgeTest, AnInsertedMessageIsCaught) {
  const std::string edited = rewrite("honest", "verifier", [](std::vector<TranscriptRecord>& r) {
    std::size_t received = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (r[i].channel == Channel::kPeer && r[i].direction == Direction::kReceived) received = i;
    }
    r.insert(r.begin() + static_cast<std::ptrdiff_t>(received), r[received]);  // a second copy
  });
  const Verdict v = audit({edited}, options("honest"));
  EXPECT_TRUE(has(v, "stream")) << format_verdict(v);
}

TEST_F(JudgeTest, AnAlteredMessageIsCaught) {
  // The frame changed without the sender's signature: the signed digest no longer matches.
  const std::string edited = rewrite("honest", "mp", [](std::vector<TranscriptRecord>& r) {
    for (auto& rec : r) {
      if (rec.channel == Channel::kPeer && rec.direction == Direction::kReceived && !rec.frames[0].empty()) {
        rec.frames[0][0] ^= 1;
        return;
      }
    }
  });
  EXPECT_TRUE(has(audit({edited}, options("honest")), "frames"));
  // Altered and re-signed by its own sender (MC rewrites its test-set commitment): MC's
  // later envelopes carry signed heads of the original file, and MP holds the original.
  const std::string resigned = rewrite("honest", "mc", [](std::vector<TranscriptRecord>& r) {
    const auto key = wire::read_secret_key(w("honest", "mc.key"));
    const std::size_t i = sent_peer(r)[0];
    auto env = *wire::decode_envelope(r[i].envelope);
    r[i].frames[0][5] ^= 1;
    const std::span<const std::uint8_t> frames[1] = {r[i].frames[0]};
    env.frames = wire::frame_refs(frames);
    wire::sign_envelope(env, *key);
    r[i].envelope = wire::encode_envelope(env);
  });
  const Verdict alone = audit({resigned}, options("honest"));
  EXPECT_TRUE(has(alone, "checkpoint")) << format_verdict(alone);
  const Verdict together = audit(with("honest", "mc", resigned), options("honest"));
  EXPECT_TRUE(has(together, "missing")) << format_verdict(together);
}

TEST_F(JudgeTest, AForgedSignatureIsCaught) {
  const std::string edited = rewrite("honest", "mp", [](std::vector<TranscriptRecord>& r) {
    for (auto& rec : r) {
      if (rec.channel == Channel::kPeer && rec.direction == Direction::kReceived) {
        rec.envelope[rec.envelope.size() - 3] ^= 0x20;  // inside the signature (the encoding's last field)
        return;
      }
    }
  });
  const Verdict v = audit({edited}, options("honest"));
  EXPECT_TRUE(has(v, "signature")) << format_verdict(v);
}

TEST_F(JudgeTest, AProofThatDoesNotVerifyIsCaught) {
  ASSERT_NE(runs_["corrupt"].out.find("== outcome: settled_mp_slashed"), std::string::npos) << runs_["corrupt"].out;
  const Verdict v = audit(all("corrupt"), options("corrupt"));
  EXPECT_TRUE(has(v, "proof", "mp")) << format_verdict(v);
  EXPECT_FALSE(has(v, "ruling")) << format_verdict(v);  // the verifier ruled `invalid`, rightly
  EXPECT_EQ(v.terminal, "settled_mp_slashed");
}

TEST_F(JudgeTest, ABiasedSelectionIsCaught) {
  // MC reveals another seed than the one it committed to (and signs that message itself).
  const std::string edited = rewrite("honest", "mc", [](std::vector<TranscriptRecord>& r) {
    const auto key = wire::read_secret_key(w("honest", "mc.key"));
    for (auto& rec : r) {
      if (rec.channel != Channel::kPeer || rec.direction != Direction::kSent) continue;
      auto env = *wire::decode_envelope(rec.envelope);
      if (env.type != "accuracy.subset") continue;
      rec.frames[0][0] ^= 0x80;  // the first byte of mc_seed
      const std::span<const std::uint8_t> frames[1] = {rec.frames[0]};
      env.frames = wire::frame_refs(frames);
      wire::sign_envelope(env, *key);
      rec.envelope = wire::encode_envelope(env);
    }
  });
  const Verdict v = audit({edited}, options("honest"));
  EXPECT_TRUE(has(v, "selection", "mc")) << format_verdict(v);
}

TEST_F(JudgeTest, MalformedInputIsAFindingNeverACrash) {
  const std::string empty = dir_->file("empty.transcript"), junk = dir_->file("junk.transcript"),
                    cut = dir_->file("cut.transcript");
  std::ofstream(empty).close();
  std::ofstream(junk) << "VRDT this is not a transcript";
  std::ifstream f(w("honest", "mp.transcript"), std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::ofstream(cut, std::ios::binary).write(b.data(), std::streamsize(b.size() / 3));
  for (const auto& p : {empty, junk, cut, dir_->file("absent.transcript")}) {
    const Verdict v = audit({p}, options("honest"));
    EXPECT_TRUE(has(v, "chain", "transcript")) << p << "\n" << format_verdict(v);
  }
  EXPECT_FALSE(audit({}, options("honest")).clean());
  AuditOptions two_keys = options("honest");
  two_keys.parties.pop_back();
  EXPECT_TRUE(has(audit(all("honest"), two_keys), "input"));
  // Two transcripts of one role.
  EXPECT_TRUE(has(audit({w("honest", "mp.transcript"), w("honest", "mp.transcript")}, options("honest")), "input"));
  // Bad usage through the binary: exit 2 with the flag named; a violation: exit 1.
  const DemoRun usage = shell(std::string(VERDICT_BIN) + " judge audit " + w("honest", "mp.transcript") +
                          " --party-key nothex --escrow-key " + w("honest", "escrow.pub"));
  EXPECT_EQ(usage.rc, 2) << usage.out;
  const DemoRun bad = shell(std::string(VERDICT_BIN) + " judge audit " + cut + " --party-key " + w("honest", "mp.pub") +
                        " --party-key " + w("honest", "mc.pub") + " --party-key " + w("honest", "verifier.pub") +
                        " --escrow-key " + w("honest", "escrow.pub"));
  EXPECT_EQ(bad.rc, 1) << bad.out;
  EXPECT_NE(bad.out.find("truncated"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace verdict::judge
