#include "parties/judge/judge.hpp"

#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "base/hex.hpp"
#include "parties/agents/transcript.hpp"
#include "parties/escrowd/messages.hpp"
#include "parties/judge/audit_case.hpp"
#include "parties/wire/envelope.hpp"
#include "protocols/common/escrow_view.hpp"

namespace verdict::judge {

namespace {

using agents::Channel;
using agents::Direction;
using agents::TranscriptRecord;

std::vector<std::string> role_names(const std::string& protocol) {
  if (protocol == "accuracy" || protocol == "serving") return {"mp", "mc", "verifier"};
  if (protocol == "retrieval") return {"requester", "responder", "judge"};
  return {};
}

struct Loaded {
  std::string name;  // the file name, for findings
  agents::TranscriptHeader header;
  std::vector<TranscriptRecord> records;
  std::set<wire::Digest> sent;  // hashes of the envelopes the owner sent to peers
};

std::string at(const Loaded& t, std::size_t i) { return t.name + " #" + std::to_string(i); }

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class Auditor {
 public:
  Auditor(const AuditOptions& o, Verdict& v) : o_(o), v_(v) {}

  void run(const std::vector<std::string>& paths) {
    if (paths.empty()) return find("", "transcript", "input", "no transcript given");
    for (const auto& p : paths) load(p);
    if (loaded_.empty()) return;
    // One protocol and one set of terms for all.
    const Loaded& first = loaded_.front();
    v_.protocol = first.header.protocol;
    roles_ = role_names(v_.protocol);
    if (roles_.empty()) return find(at(first, 0), "transcript", "header", "unknown protocol '" + v_.protocol + "'");
    if (o_.parties.size() != roles_.size()) {
      return find("", "transcript", "input",
                  "the " + v_.protocol + " protocol has " + std::to_string(roles_.size()) + " roles; " +
                      std::to_string(o_.parties.size()) + " public keys given");
    }
    std::set<int> owners;
    for (const Loaded& t : loaded_) {
      if (t.header.protocol != first.header.protocol || t.header.terms != first.header.terms)
        find(at(t, 0), "transcript", "header", "another protocol or other terms than " + first.name);
      if (t.header.role >= roles_.size()) find(at(t, 0), "transcript", "header", "unknown role");
      if (!owners.insert(t.header.role).second) find(at(t, 0), "transcript", "input", "two transcripts of one role");
    }
    if (!v_.findings.empty()) return;
    for (Loaded& t : loaded_) check_records(t);
    check_tree_heads();
    check_presence();
    Case c{o_, roles_, first.header.terms, messages_, view_, view_where_, v_};
    if (view_) v_.terminal = view_->stage_name;
    if (v_.protocol == "accuracy") audit_accuracy(c);
    if (v_.protocol == "serving") audit_serving(c);
    if (v_.protocol == "retrieval") audit_retrieval(c);
  }

 private:
  void find(const std::string& where, const std::string& party, const std::string& rule, const std::string& detail) {
    v_.findings.push_back({where, party, rule, detail});
  }

  void load(const std::string& path) {
    const std::string name = base_name(path);
    auto recs = agents::read_transcript(path);
    if (!recs.ok()) return find(name, "transcript", "chain", recs.error().message);
    auto h = agents::decode_header((*recs)[0].envelope);
    if (!h.ok()) return find(name + " #0", "transcript", "header", h.error().message);
    loaded_.push_back(Loaded{name, *h, std::move(*recs), {}});
    v_.checked.push_back(name + ": " + std::to_string(loaded_.back().records.size()) +
                         " records, hash chain intact");
  }

  int role_of(const wire::PublicKey& k) const {
    for (std::size_t r = 0; r < o_.parties.size(); ++r) {
      if (o_.parties[r] == k) return static_cast<int>(r);
    }
    return -1;
  }

  // Steps 1-3 and the collection of messages and escrow views.
  void check_records(Loaded& t) {
    const int owner = t.header.role;
    const wire::PublicKey& owner_key = o_.parties[owner];
    struct StreamHead {
      std::uint64_t seq = 0;
      wire::Digest hash{}, prev{};
    };
    std::map<std::pair<wire::PublicKey, wire::InstanceId>, StreamHead> peer_streams, escrow_streams;
    std::set<wire::Digest> escrow_requests;
    std::size_t envelopes = 0, checkpoints = 0;
    for (std::size_t i = 1; i < t.records.size(); ++i) {
      const TranscriptRecord& r = t.records[i];
      const std::string where = at(t, i);
      if (r.channel == Channel::kHeader) return find(where, "transcript", "header", "a second header");
      if (r.channel == Channel::kCheckpoint) {
        auto cp = agents::decode_checkpoint(r.envelope);
        if (cp.ok() && cp->signer != owner_key) {
          return find(where, "transcript", "checkpoint",
                      "checkpoint signed by a key other than the " + roles_[owner] + "'s: the file is not the one its owner signed");
        }
        ++checkpoints;
        continue;
      }
      auto env = wire::decode_envelope(r.envelope);
      if (!env.ok()) return find(where, roles_[owner], "envelope", "undecodable: " + env.error().message);
      ++envelopes;
      if (!wire::verify_envelope(*env).ok()) {
        const int s = role_of(env->sender);
        find(where, s >= 0 ? roles_[s] : (env->sender == o_.escrow ? "escrow" : "transcript"), "signature",
             env->type + " seq " + std::to_string(env->seq) + ": the signature does not verify (forged or altered)");
        continue;
      }
      std::vector<std::span<const std::uint8_t>> frames(r.frames.begin(), r.frames.end());
      if (!wire::check_frames(*env, frames).ok()) {
        find(where, "transcript", "frames", env->type + ": a frame does not match its signed digest (altered)");
        continue;
      }
      const bool sent = r.direction == Direction::kSent;
      if (sent && env->sender != owner_key) {
        find(where, "transcript", "sender", "recorded as sent by the " + roles_[owner] + " but signed by another key");
        continue;
      }
      if (!sent && env->recipient != owner_key) {
        find(where, "transcript", "recipient", "recorded as received but addressed to someone else");
        continue;
      }
      const auto hash = wire::envelope_hash(*env);
      if (r.channel == Channel::kPeer) {
        const int from = role_of(env->sender), to = role_of(env->recipient);
        if (from < 0 || to < 0) {
          find(where, "transcript", "party", "a peer envelope between unknown keys");
          continue;
        }
        StreamHead& head = peer_streams[{env->sender, env->instance}];
        if (env->seq != head.seq + 1 || (head.seq > 0 && env->prev != head.hash)) {
          find(where, sent ? roles_[owner] : "transcript", "stream",
               env->type + " from " + roles_[from] + " to " + roles_[to] + ": seq " + std::to_string(env->seq) +
                   " follows seq " + std::to_string(head.seq) +
                   (env->seq == head.seq + 1 ? " but names another predecessor" : "") +
                   ": a message of this stream was removed, reordered or inserted");
        }
        head = {env->seq, hash, env->prev};
        if (sent) t.sent.insert(hash);
        if (env->type.size() > 6 && env->type.substr(env->type.size() - 6) == ".error") continue;
        if (!env->payload.empty()) {
          auto th = agents::decode_tree_head(env->payload);
          if (!th.ok()) {
            find(where, roles_[from], "envelope", "payload is not a transcript head");
          } else {
            heads_.push_back({from, *th, where});
          }
        }
        if (r.frames.size() != 1) {
          find(where, roles_[from], "envelope", "a peer message carries exactly one frame");
          continue;
        }
        if (seen_.insert(hash).second) messages_.push_back({from, to, env->type, r.frames[0], where});
        received_from_.push_back({from, hash, where});
      } else {  // escrow
        if (sent) {
          StreamHead& head = escrow_streams[{env->sender, env->instance}];
          const bool next = head.seq == 0 || (env->seq == head.seq + 1 && env->prev == head.hash);
          const bool resigned = head.seq != 0 && env->seq == head.seq && env->prev == head.prev;
          if (!next && !resigned) {
            find(where, roles_[owner], "stream",
                 "escrow request seq " + std::to_string(env->seq) + " after seq " + std::to_string(head.seq) +
                     ": a request was removed, reordered or inserted");
          }
          head = {env->seq, hash, env->prev};
          escrow_requests.insert(hash);
          continue;
        }
        if (env->sender != o_.escrow) {
          find(where, "transcript", "escrow", "an escrow reply not signed by the escrow's key");
          continue;
        }
        auto reply = escrowd::decode_reply(env->payload);
        if (!reply.ok()) {
          find(where, "escrow", "envelope", "undecodable reply: " + reply.error().message);
          continue;
        }
        if (reply->status == escrowd::ReplyStatus::kAnswer) {
          auto view = escrowd::decode_instance(reply->body);
          if (!view.ok()) continue;  // another query's answer
          note_view(*view, where);
        } else if (!escrow_requests.count(env->prev)) {
          find(where, "transcript", "escrow", "a receipt for a request that is not in the transcript");
        }
      }
    }
    if (t.records.back().channel != Channel::kCheckpoint) {
      v_.checked.push_back(t.name + ": no final checkpoint (the agent stopped before closing it)");
    }
    v_.checked.push_back(t.name + ": " + std::to_string(envelopes) + " envelopes signed and in stream order, " +
                         std::to_string(checkpoints) + " checkpoints signed by the " + roles_[owner]);
  }

  void note_view(const escrow::InstanceView& view, const std::string& where) {
    if (view_ && view.id != view_->id) return find(where, "transcript", "escrow", "a view of another instance");
    if (view_) {
      const auto& a = view_->history;
      const auto& b = view.history;
      const std::size_t n = std::min(a.size(), b.size());
      for (std::size_t i = 0; i < n; ++i) {
        if (a[i].audit_seq != b[i].audit_seq || a[i].transition != b[i].transition || a[i].actor != b[i].actor ||
            a[i].evidence != b[i].evidence || a[i].stage_after != b[i].stage_after || a[i].time_ms != b[i].time_ms) {
          return find(where, "escrow", "history", "two signed views of the instance disagree at event " + std::to_string(i));
        }
      }
      if (b.size() <= a.size()) return;
    }
    view_ = view;
    view_where_ = where;
  }

  // Step 4a: every (size, head) a party signed into an envelope is a prefix of its file.
  void check_tree_heads() {
    std::size_t n = 0;
    for (const auto& h : heads_) {
      const Loaded* t = owner(h.from);
      if (!t) continue;
      ++n;
      const bool ok = h.head.size <= t->records.size() &&
                      (h.head.size == 0 ? h.head.head == agents::transcript_genesis()
                                        : t->records[h.head.size - 1].chain == h.head.head);
      if (!ok) {
        find(t->name + " #" + std::to_string(h.head.size), "transcript", "checkpoint",
             "the " + roles_[h.from] + " signed (in " + h.where + ") that its transcript's first " +
                 std::to_string(h.head.size) + " records chain to another head: records were removed, inserted, "
                                               "reordered or changed before that point");
      }
    }
    if (n) v_.checked.push_back(std::to_string(n) + " transcript heads signed into peer envelopes match the files");
  }

  // Step 4b: what others received from a party is in that party's transcript.
  void check_presence() {
    for (const auto& r : received_from_) {
      const Loaded* t = owner(r.from);
      if (t && !t->sent.count(r.hash)) {
        find(r.where, "transcript", "missing",
             "the " + roles_[r.from] + " signed and sent this message, but its own transcript does not have it");
      }
    }
  }

  const Loaded* owner(int role) const {
    for (const auto& t : loaded_) {
      if (t.header.role == role) return &t;
    }
    return nullptr;
  }

  struct SignedHead {
    int from;
    agents::TreeHead head;
    std::string where;
  };
  struct Receipt {
    int from;
    wire::Digest hash;
    std::string where;
  };
  const AuditOptions& o_;
  Verdict& v_;
  std::vector<std::string> roles_;
  std::vector<Loaded> loaded_;
  std::vector<PeerMessage> messages_;
  std::set<wire::Digest> seen_;
  std::vector<SignedHead> heads_;
  std::vector<Receipt> received_from_;
  std::optional<escrow::InstanceView> view_;
  std::string view_where_;
};

}  // namespace

bool Case::check_escrow(const escrow::RuleSet& expected_rules, const escrow::InstanceId& expected_id) {
  if (!view) {
    checked("no signed view of the escrow instance in the transcripts (the instance never opened)");
    return false;
  }
  bool ok = true;
  if (view->id != expected_id) {
    find(view_where, "escrow", "session", "the instance is not the one the session's commitments derive");
    ok = false;
  }
  if (view->rules_digest != escrow::rules_digest(expected_rules) || !(view->rules == expected_rules)) {
    find(view_where, "escrow", "rules", "the instance runs other rules than the terms give");
    ok = false;
  }
  std::vector<wire::PublicKey> parties(options.parties.begin(), options.parties.end());
  if (view->parties != parties) {
    find(view_where, "escrow", "parties", "the instance's parties are not the given keys");
    ok = false;
  }
  if (!ok) return false;
  protocols::EscrowView replay(expected_rules);
  replay.expect(expected_id);
  for (std::size_t i = 0; i < view->history.size(); ++i) {
    const escrow::InstanceEvent& h = view->history[i];
    int actor = -1;
    for (std::size_t r = 0; r < parties.size(); ++r) {
      if (parties[r] == h.actor) actor = static_cast<int>(r);
    }
    protocols::EscrowEventOf<std::uint8_t> e{expected_id, h.audit_seq, h.transition,
                                             static_cast<std::uint8_t>(actor < 0 ? 0xfe : actor), h.evidence,
                                             h.stage_after, h.time_ms};
    if (Status st = replay.apply(e); !st.ok()) {
      find(view_where, "escrow", "rules", "event " + std::to_string(i) + " (" + h.transition + "): " + st.error().message);
      return false;
    }
  }
  checked("escrow: " + std::to_string(view->history.size()) + " signed events of instance " +
          to_hex(view->id).substr(0, 16) + "... follow the " + expected_rules.name + " table; stage " +
          view->stage_name);
  return true;
}

std::optional<escrow::Digest> Case::evidence_of(const std::string& transition) const {
  if (!view) return std::nullopt;
  for (const auto& h : view->history) {
    if (h.transition == transition) return h.evidence;
  }
  return std::nullopt;
}

Verdict audit(const std::vector<std::string>& paths, const AuditOptions& options) {
  Verdict v;
  Auditor(options, v).run(paths);
  return v;
}

std::string format_verdict(const Verdict& v) {
  std::ostringstream o;
  o << "protocol: " << (v.protocol.empty() ? "?" : v.protocol) << "\n";
  if (!v.terminal.empty()) o << "escrow outcome: " << v.terminal << "\n";
  o << "checked:\n";
  for (const auto& c : v.checked) o << "  " << c << "\n";
  if (v.clean()) {
    o << "verdict: CLEAN (every message authentic, in order, and within the protocol's rules)\n";
  } else {
    o << "verdict: " << v.findings.size() << " VIOLATION" << (v.findings.size() > 1 ? "S" : "") << "\n";
    for (const auto& f : v.findings)
      o << "  " << (f.where.empty() ? "(run)" : f.where) << ": " << f.party << " broke '" << f.rule << "': " << f.detail
        << "\n";
  }
  return o.str();
}

}  // namespace verdict::judge
