#include "escrow/ledger.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <map>

#include "base/codec.hpp"
#include "escrow/sqlite.hpp"

namespace verdict::escrow {

namespace {

constexpr std::int64_t kSchemaVersion = 1;

// The schema (docs/formats.md ("Escrow and parties")). Balances may never be negative except the
// contra account "world"; the journal, the operations and the audit log are append-only
// (triggers refuse UPDATE and DELETE). The CHECKs and triggers are defence in depth:
// the ledger code never asks for what they forbid.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts(
  name TEXT PRIMARY KEY,
  balance INTEGER NOT NULL CHECK (balance >= 0 OR name = 'world')) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal(
  seq INTEGER NOT NULL, line INTEGER NOT NULL, account TEXT NOT NULL, delta INTEGER NOT NULL,
  PRIMARY KEY (seq, line)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS operations(
  client BLOB NOT NULL, op_id BLOB NOT NULL, request_digest BLOB NOT NULL, result BLOB NOT NULL,
  audit_seq INTEGER NOT NULL, PRIMARY KEY (client, op_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, prev_hash BLOB NOT NULL, record BLOB NOT NULL,
  hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS instances(
  id BLOB PRIMARY KEY, rules BLOB NOT NULL, rules_digest BLOB NOT NULL, stage INTEGER NOT NULL,
  deposited INTEGER NOT NULL, opened_ms INTEGER NOT NULL, stage_entered_ms INTEGER NOT NULL,
  settled INTEGER NOT NULL, events INTEGER NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS instance_parties(
  instance BLOB NOT NULL, role INTEGER NOT NULL, party BLOB NOT NULL,
  PRIMARY KEY (instance, role)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS instance_parties_by_party ON instance_parties(party, instance);
CREATE TABLE IF NOT EXISTS instance_events(
  instance BLOB NOT NULL, n INTEGER NOT NULL, audit_seq INTEGER NOT NULL, time_ms INTEGER NOT NULL,
  transition TEXT NOT NULL, actor BLOB NOT NULL, evidence BLOB NOT NULL, stage_after TEXT NOT NULL,
  PRIMARY KEY (instance, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chains(
  sender BLOB NOT NULL, instance BLOB NOT NULL, seq INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY (sender, instance)) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS operations_no_update BEFORE UPDATE ON operations
  BEGIN SELECT RAISE(ABORT, 'operations are append-only'); END;
CREATE TRIGGER IF NOT EXISTS operations_no_delete BEFORE DELETE ON operations
  BEGIN SELECT RAISE(ABORT, 'operations are append-only'); END;
)sql";

// Tables in the order state_digest() hashes them, with their sort keys.
struct TableOrder {
  const char* name;
  const char* order_by;
};
constexpr TableOrder kStateTables[] = {
    {"meta", "key"},
    {"accounts", "name"},
    {"journal", "seq, line"},
    {"operations", "client, op_id"},
    {"audit", "seq"},
    {"instances", "id"},
    {"instance_parties", "instance, role"},
    {"instance_events", "instance, n"},
};

Rejection storage(const Error& e) { return Rejection{Code::kStorage, e.message}; }
Rejection reject(Code c, std::string reason) { return Rejection{c, std::move(reason)}; }

std::string short_hex(std::span<const std::uint8_t> b) { return to_hex(b).substr(0, 16); }

template <std::size_t N>
std::array<std::uint8_t, N> to_array(const std::vector<std::uint8_t>& v) {
  std::array<std::uint8_t, N> a{};
  if (v.size() == N) std::copy(v.begin(), v.end(), a.begin());
  return a;
}

struct InstanceRow {
  InstanceId id{};
  std::shared_ptr<const RuleSet> rules;
  Digest digest{};
  std::vector<PartyId> parties;
  InstanceState state;  // what the rule engine reads and returns
  std::int64_t events = 0;

  std::int64_t deadline() const { return state.deadline(*rules); }
  int role_of(const PartyId& p) const {
    for (std::size_t i = 0; i < parties.size(); ++i) {
      if (parties[i] == p) return static_cast<int>(i);
    }
    return -1;
  }
};

// What one request does, gathered before anything is written.
struct OpState {
  std::int64_t now = 0;
  std::uint64_t seq = 0;  // the audit seq it will get
  std::vector<Posting> postings;
  OpResult result;
  std::optional<InstanceRow> instance;  // to insert or update
  bool new_instance = false;
  std::optional<InstanceEvent> event;
};

void move_money(OpState& st, const std::string& from, const std::string& to, Amount amount) {
  st.postings.push_back(Posting{from, -amount});
  st.postings.push_back(Posting{to, amount});
}

}  // namespace

struct Ledger::Impl {
  sql::Db& db;
  const std::optional<PartyId>& op;
  std::map<Digest, std::shared_ptr<const RuleSet>> rules_cache;

  Impl(sql::Db& d, const std::optional<PartyId>& o) : db(d), op(o) {}

  // ---- reads -------------------------------------------------------------------------

  Result<Amount> balance(const std::string& account) {
    auto st = db.prepare("SELECT balance FROM accounts WHERE name = ?");
    if (!st.ok()) return st.error();
    (*st)->bind_text(1, account);
    auto row = (*st)->step();
    if (!row.ok()) return row.error();
    return *row ? (*st)->int_at(0) : Amount{0};
  }

  Result<Head> audit_head(std::int64_t* last_time = nullptr) {
    auto st = db.prepare("SELECT seq, hash, time_ms FROM audit ORDER BY seq DESC LIMIT 1");
    if (!st.ok()) return st.error();
    auto row = (*st)->step();
    if (!row.ok()) return row.error();
    Head h;
    if (*row) {
      h.seq = static_cast<std::uint64_t>((*st)->int_at(0));
      h.hash = to_array<32>((*st)->blob_at(1));
      if (last_time) *last_time = (*st)->int_at(2);
    } else if (last_time) {
      *last_time = std::numeric_limits<std::int64_t>::min();
    }
    return h;
  }

  Result<Head> chain_head(const PartyId& sender, const InstanceId& instance) {
    auto st = db.prepare("SELECT seq, hash FROM chains WHERE sender = ? AND instance = ?");
    if (!st.ok()) return st.error();
    (*st)->bind(1, sender).bind(2, instance);
    auto row = (*st)->step();
    if (!row.ok()) return row.error();
    Head h;
    if (*row) {
      h.seq = static_cast<std::uint64_t>((*st)->int_at(0));
      h.hash = to_array<32>((*st)->blob_at(1));
    }
    return h;
  }

  Result<std::shared_ptr<const RuleSet>> rules_from(const Digest& digest, const std::vector<std::uint8_t>& bytes) {
    auto it = rules_cache.find(digest);
    if (it != rules_cache.end()) return it->second;
    auto decoded = decode_rules(bytes);
    if (!decoded.ok()) return decoded.error().context("stored instance");
    if (rules_cache.size() > 4096) rules_cache.clear();
    auto p = std::make_shared<const RuleSet>(std::move(*decoded));
    rules_cache.emplace(digest, p);
    return p;
  }

  Result<std::optional<InstanceRow>> load_instance(const InstanceId& id) {
    InstanceRow r;
    {
      auto st = db.prepare(
          "SELECT rules, rules_digest, stage, deposited, opened_ms, stage_entered_ms, settled, events, count "
          "FROM instances WHERE id = ?");
      if (!st.ok()) return st.error();
      (*st)->bind(1, id);
      auto row = (*st)->step();
      if (!row.ok()) return row.error();
      if (!*row) return std::optional<InstanceRow>();
      r.id = id;
      r.digest = to_array<32>((*st)->blob_at(1));
      auto rules = rules_from(r.digest, (*st)->blob_at(0));
      if (!rules.ok()) return rules.error();
      r.rules = *rules;
      r.state.stage = static_cast<int>((*st)->int_at(2));
      r.state.deposited = static_cast<std::uint32_t>((*st)->int_at(3));
      r.state.opened_ms = (*st)->int_at(4);
      r.state.entered_ms = (*st)->int_at(5);
      r.state.settled = (*st)->int_at(6) != 0;
      r.events = (*st)->int_at(7);
      r.state.count = static_cast<std::uint32_t>((*st)->int_at(8));
    }
    auto st = db.prepare("SELECT party FROM instance_parties WHERE instance = ? ORDER BY role");
    if (!st.ok()) return st.error();
    (*st)->bind(1, id);
    for (;;) {
      auto row = (*st)->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      r.parties.push_back(to_array<32>((*st)->blob_at(0)));
    }
    if (r.parties.size() != r.rules->roles.size()) return Error{"stored instance has a corrupt party list"};
    return std::optional<InstanceRow>(std::move(r));
  }

  // The largest minimum stake that party's unsettled instances require of it.
  Result<Amount> required_stake(const PartyId& party) {
    std::vector<std::pair<InstanceId, int>> open;
    {
      auto st = db.prepare(
          "SELECT p.instance, p.role FROM instance_parties p JOIN instances i ON i.id = p.instance "
          "WHERE p.party = ? AND i.settled = 0");
      if (!st.ok()) return st.error();
      (*st)->bind(1, party);
      for (;;) {
        auto row = (*st)->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        open.emplace_back(to_array<16>((*st)->blob_at(0)), static_cast<int>((*st)->int_at(1)));
      }
    }
    Amount need = 0;
    for (const auto& [id, role] : open) {
      auto inst = load_instance(id);
      if (!inst.ok()) return inst.error();
      if (*inst) need = std::max(need, (**inst).rules->min_stakes[static_cast<std::size_t>(role)]);
    }
    return need;
  }

  // ---- the operations -----------------------------------------------------------------

  std::optional<Rejection> check_amount(Amount a) {
    if (a <= 0) return reject(Code::kInvalidAmount, "amount must be positive, got " + std::to_string(a));
    return std::nullopt;
  }

  std::optional<Rejection> require_operator(const PartyId& actor, const char* what) {
    if (!op || *op != actor) return reject(Code::kUnauthorized, std::string(what) + " is for the escrow operator only");
    return std::nullopt;
  }

  // Funds check with a clean reason (post() checks again as the last guard).
  std::optional<Rejection> require_funds(const std::string& account, Amount need) {
    auto b = balance(account);
    if (!b.ok()) return storage(b.error());
    if (*b < need)
      return reject(Code::kInsufficientFunds,
                    account + " holds " + std::to_string(*b) + ", needs " + std::to_string(need));
    return std::nullopt;
  }

  std::optional<Rejection> execute(const PartyId& actor, const Request& req, OpState& st) {
    return std::visit([&](const auto& b) { return run(actor, b, st); }, req.body);
  }

  std::optional<Rejection> run(const PartyId& actor, const Mint& m, OpState& st) {
    if (auto r = require_operator(actor, "mint")) return r;
    if (auto r = check_amount(m.amount)) return r;
    move_money(st, kWorldAccount, party_account(m.to), m.amount);
    return std::nullopt;
  }

  std::optional<Rejection> run(const PartyId& actor, const Withdraw& w, OpState& st) {
    if (auto r = check_amount(w.amount)) return r;
    if (auto r = require_funds(party_account(actor), w.amount)) return r;
    move_money(st, party_account(actor), kWorldAccount, w.amount);
    return std::nullopt;
  }

  std::optional<Rejection> run(const PartyId& actor, const Transfer& t, OpState& st) {
    if (auto r = check_amount(t.amount)) return r;
    if (t.to == actor) return reject(Code::kInvalidRequest, "transfer to oneself");
    if (auto r = require_funds(party_account(actor), t.amount)) return r;
    move_money(st, party_account(actor), party_account(t.to), t.amount);
    return std::nullopt;
  }

  std::optional<Rejection> run(const PartyId& actor, const Stake& s, OpState& st) {
    if (auto r = check_amount(s.amount)) return r;
    if (auto r = require_funds(party_account(actor), s.amount)) return r;
    move_money(st, party_account(actor), stake_account(actor), s.amount);
    return std::nullopt;
  }

  std::optional<Rejection> run(const PartyId& actor, const Unstake& u, OpState& st) {
    if (auto r = check_amount(u.amount)) return r;
    auto staked = balance(stake_account(actor));
    if (!staked.ok()) return storage(staked.error());
    if (*staked < u.amount)
      return reject(Code::kInsufficientFunds,
                    "staked " + std::to_string(*staked) + ", cannot unstake " + std::to_string(u.amount));
    auto need = required_stake(actor);
    if (!need.ok()) return storage(need.error());
    if (*staked - u.amount < *need)
      return reject(Code::kStakeTooLow, "open instances require a stake of " + std::to_string(*need) + "; unstaking " +
                                            std::to_string(u.amount) + " would leave " +
                                            std::to_string(*staked - u.amount));
    move_money(st, stake_account(actor), party_account(actor), u.amount);
    return std::nullopt;
  }

  std::optional<Rejection> run(const PartyId& actor, const CollectFees& c, OpState& st) {
    if (auto r = require_operator(actor, "collect-fees")) return r;
    if (auto r = check_amount(c.amount)) return r;
    if (auto r = require_funds(kFeeAccount, c.amount)) return r;
    move_money(st, kFeeAccount, kWorldAccount, c.amount);
    return std::nullopt;
  }

  // The instance engine's balances, read from the ledger (instance_engine.hpp). Holds
  // are read as stored; the engine adds what the request itself moves.
  class Funds final : public InstanceFunds {
   public:
    Funds(Impl& impl, const InstanceRow& inst) : impl_(impl), inst_(inst) {}
    Result<Amount> available(std::uint8_t role) override {
      return impl_.balance(party_account(inst_.parties[role]));
    }
    Result<Amount> staked(std::uint8_t role) override { return impl_.balance(stake_account(inst_.parties[role])); }
    Result<Amount> held(std::uint8_t role) override {
      return impl_.balance(hold_account(inst_.id, inst_.rules->roles[role]));
    }

   private:
    Impl& impl_;
    const InstanceRow& inst_;
  };

  std::string account_of(const InstanceRow& inst, const Endpoint& e) {
    switch (e.kind) {
      case Endpoint::Kind::kParty: return party_account(inst.parties[e.role]);
      case Endpoint::Kind::kHold: return hold_account(inst.id, inst.rules->roles[e.role]);
      case Endpoint::Kind::kFee: return kFeeAccount;
    }
    return kFeeAccount;
  }

  std::optional<Rejection> run(const PartyId& actor, const OpenInstance& o, OpState& st) {
    if (o.id == InstanceId{}) return reject(Code::kInvalidRequest, "the all-zero instance id is reserved");
    auto analysis = analyze(o.rules);
    if (!analysis.ok()) return reject(Code::kInvalidRules, analysis.error().message);
    if (o.parties.size() != o.rules.roles.size())
      return reject(Code::kInvalidRules, std::to_string(o.parties.size()) + " parties for " +
                                             std::to_string(o.rules.roles.size()) + " roles");
    for (std::size_t i = 0; i < o.parties.size(); ++i) {
      for (std::size_t j = i + 1; j < o.parties.size(); ++j) {
        if (o.parties[i] == o.parties[j]) return reject(Code::kInvalidRules, "a party may hold only one role");
      }
    }
    if (std::find(o.parties.begin(), o.parties.end(), actor) == o.parties.end())
      return reject(Code::kUnauthorized, "only a party of the instance may open it");
    auto existing = load_instance(o.id);
    if (!existing.ok()) return storage(existing.error());
    if (*existing) return reject(Code::kInstanceExists, "instance " + to_hex(o.id) + " already exists");

    InstanceRow r;
    r.id = o.id;
    r.digest = rules_digest(o.rules);
    r.rules = std::make_shared<const RuleSet>(o.rules);
    r.parties = o.parties;
    const InstanceStep step = open_step(*r.rules, st.now);
    r.state = step.next;
    st.result.stage = stage_name(*r.rules, r.state.stage);
    st.event = InstanceEvent{st.seq, st.now, step.taken, actor, r.digest, st.result.stage};
    st.instance = std::move(r);
    st.new_instance = true;
    return std::nullopt;
  }

  std::optional<Rejection> run(const PartyId& actor, const Act& a, OpState& st) {
    auto loaded = load_instance(a.id);
    if (!loaded.ok()) return storage(loaded.error());
    if (!*loaded) return reject(Code::kUnknownInstance, "no instance " + to_hex(a.id));
    InstanceRow inst = std::move(**loaded);
    const RuleSet& rules = *inst.rules;
    int role = inst.role_of(actor);
    if (role < 0) return reject(Code::kUnauthorized, "not a party of instance " + to_hex(a.id));
    Funds funds(*this, inst);
    StepOutcome out = act_step(rules, inst.digest, inst.state, static_cast<std::uint8_t>(role), a.transition,
                               a.evidence, a.count, st.now, funds);
    if (auto* rej = std::get_if<Rejection>(&out)) return *rej;
    const InstanceStep& step = std::get<InstanceStep>(out);
    for (const Move& m : step.moves) move_money(st, account_of(inst, m.from), account_of(inst, m.to), m.amount);
    inst.state = step.next;
    st.result.stage = stage_name(rules, inst.state.stage);
    st.result.transition = step.taken;
    st.event = InstanceEvent{st.seq, st.now, step.taken, actor, a.evidence, st.result.stage};
    st.instance = std::move(inst);
    return std::nullopt;
  }

  // ---- writes ---------------------------------------------------------------------------

  // Checks and applies the postings: balanced, no overflow, nothing negative but world.
  std::optional<Rejection> post(OpState& st) {
    Amount sum = 0;
    std::map<std::string, Amount> net;
    for (const Posting& p : st.postings) {
      auto s = checked_add(sum, p.delta);
      auto n = checked_add(net[p.account], p.delta);
      if (!s || !n) return reject(Code::kOverflow, "amounts overflow 64 bits");
      sum = *s;
      net[p.account] = *n;
    }
    if (sum != 0) return reject(Code::kStorage, "internal error: unbalanced journal entry refused");
    std::vector<std::pair<std::string, Amount>> updates;
    for (const auto& [account, delta] : net) {
      if (delta == 0) continue;
      auto old = balance(account);
      if (!old.ok()) return storage(old.error());
      auto nb = checked_add(*old, delta);
      if (!nb) return reject(Code::kOverflow, "the balance of " + account + " would overflow");
      if (account == kWorldAccount) {
        if (*nb < -kMaxAmount) return reject(Code::kOverflow, "the money in the system would exceed 2^63-1");
        if (*nb > 0) return reject(Code::kInsufficientFunds, "more would leave the system than entered it");
      } else if (*nb < 0) {
        return reject(Code::kInsufficientFunds,
                      account + " holds " + std::to_string(*old) + ", needs " + std::to_string(-delta));
      }
      updates.emplace_back(account, *nb);
    }
    for (const auto& [account, nb] : updates) {
      auto up = db.prepare(
          "INSERT INTO accounts(name, balance) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET balance = "
          "excluded.balance");
      if (!up.ok()) return storage(up.error());
      (*up)->bind_text(1, account).bind(2, nb);
      if (Status s = (*up)->run(); !s.ok()) return storage(s.error());
    }
    for (std::size_t i = 0; i < st.postings.size(); ++i) {
      auto j = db.prepare("INSERT INTO journal(seq, line, account, delta) VALUES(?, ?, ?, ?)");
      if (!j.ok()) return storage(j.error());
      (*j)->bind(1, static_cast<std::int64_t>(st.seq))
          .bind(2, static_cast<std::int64_t>(i))
          .bind_text(3, st.postings[i].account)
          .bind(4, st.postings[i].delta);
      if (Status s = (*j)->run(); !s.ok()) return storage(s.error());
    }
    st.result.postings = st.postings;
    return std::nullopt;
  }

  Status write_instance(OpState& st) {
    InstanceRow& r = *st.instance;
    if (st.new_instance) {
      auto ins = db.prepare(
          "INSERT INTO instances(id, rules, rules_digest, stage, deposited, opened_ms, stage_entered_ms, settled, "
          "events, count) VALUES(?, ?, ?, ?, ?, ?, ?, ?, 0, 0)");
      if (!ins.ok()) return ins.error();
      (*ins)
          ->bind(1, r.id)
          .bind(2, encode_rules(*r.rules))
          .bind(3, r.digest)
          .bind(4, r.state.stage)
          .bind(5, static_cast<std::int64_t>(r.state.deposited))
          .bind(6, r.state.opened_ms)
          .bind(7, r.state.entered_ms)
          .bind(8, r.state.settled ? 1 : 0);
      if (Status s = (*ins)->run(); !s.ok()) return s;
      for (std::size_t i = 0; i < r.parties.size(); ++i) {
        auto p = db.prepare("INSERT INTO instance_parties(instance, role, party) VALUES(?, ?, ?)");
        if (!p.ok()) return p.error();
        (*p)->bind(1, r.id).bind(2, static_cast<std::int64_t>(i)).bind(3, r.parties[i]);
        if (Status s = (*p)->run(); !s.ok()) return s;
      }
    }
    if (st.event) {
      const InstanceEvent& e = *st.event;
      auto ev = db.prepare(
          "INSERT INTO instance_events(instance, n, audit_seq, time_ms, transition, actor, evidence, stage_after) "
          "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
      if (!ev.ok()) return ev.error();
      (*ev)
          ->bind(1, r.id)
          .bind(2, r.events)
          .bind(3, static_cast<std::int64_t>(e.audit_seq))
          .bind(4, e.time_ms)
          .bind_text(5, e.transition)
          .bind(6, e.actor)
          .bind(7, e.evidence)
          .bind_text(8, e.stage_after);
      if (Status s = (*ev)->run(); !s.ok()) return s;
      r.events += 1;
    }
    auto up = db.prepare(
        "UPDATE instances SET stage = ?, deposited = ?, stage_entered_ms = ?, settled = ?, events = ?, count = ? "
        "WHERE id = ?");
    if (!up.ok()) return up.error();
    (*up)
        ->bind(1, r.state.stage)
        .bind(2, static_cast<std::int64_t>(r.state.deposited))
        .bind(3, r.state.entered_ms)
        .bind(4, r.state.settled ? 1 : 0)
        .bind(5, r.events)
        .bind(6, static_cast<std::int64_t>(r.state.count))
        .bind(7, r.id);
    return (*up)->run();
  }

  // Everything for one request, inside the caller's savepoint.
  Outcome apply_one(std::int64_t clock_now, const Submission& sub) {
    const Request& req = sub.request;
    const std::vector<std::uint8_t> request_bytes = encode_request(req);
    const Digest request_digest = codec::sha256(request_bytes);

    // (1) Idempotency.
    {
      auto st = db.prepare(
          "SELECT o.request_digest, o.result, o.audit_seq, a.hash, a.time_ms FROM operations o "
          "JOIN audit a ON a.seq = o.audit_seq WHERE o.client = ? AND o.op_id = ?");
      if (!st.ok()) return storage(st.error());
      (*st)->bind(1, sub.actor).bind(2, req.op_id);
      auto row = (*st)->step();
      if (!row.ok()) return storage(row.error());
      if (*row) {
        if (to_array<32>((*st)->blob_at(0)) != request_digest)
          return reject(Code::kOpIdReused, "op id " + to_hex(req.op_id) + " was used for a different request");
        auto result = decode_result((*st)->blob_at(1));
        if (!result.ok()) return storage(result.error().context("stored operation"));
        Applied a;
        a.result = std::move(*result);
        a.audit_seq = static_cast<std::uint64_t>((*st)->int_at(2));
        a.audit_hash = to_array<32>((*st)->blob_at(3));
        a.time_ms = (*st)->int_at(4);
        a.duplicate = true;
        return a;
      }
    }

    // (2) Envelope chain.
    if (sub.chain) {
      const ChainStep& c = *sub.chain;
      if (c.instance != request_instance(req))
        return reject(Code::kInvalidRequest, "the envelope's instance id differs from the request's");
      auto head = chain_head(sub.actor, c.instance);
      if (!head.ok()) return storage(head.error());
      if (c.seq <= head->seq)
        return reject(Code::kReplay, "sequence number " + std::to_string(c.seq) + " was already used (last accepted " +
                                         std::to_string(head->seq) + ")");
      if (c.seq != head->seq + 1)
        return reject(Code::kReplay,
                      "expected sequence number " + std::to_string(head->seq + 1) + ", got " + std::to_string(c.seq));
      if (c.prev != head->hash)
        return reject(Code::kReplay, "previous-envelope hash " + short_hex(c.prev) +
                                         " does not match the last accepted envelope " + short_hex(head->hash));
    }

    // (3) The request itself.
    std::int64_t last_time = 0;
    auto head = audit_head(&last_time);
    if (!head.ok()) return storage(head.error());
    OpState st;
    st.now = std::max(clock_now, last_time);
    st.seq = head->seq + 1;
    if (auto r = execute(sub.actor, req, st)) return *r;

    // (4) Writes.
    if (auto r = post(st)) return *r;
    if (st.instance) {
      if (Status s = write_instance(st); !s.ok()) return storage(s.error());
    }
    const std::vector<std::uint8_t> result_bytes = encode_result(st.result);
    {
      auto ins =
          db.prepare("INSERT INTO operations(client, op_id, request_digest, result, audit_seq) VALUES(?, ?, ?, ?, ?)");
      if (!ins.ok()) return storage(ins.error());
      (*ins)
          ->bind(1, sub.actor)
          .bind(2, req.op_id)
          .bind(3, request_digest)
          .bind(4, result_bytes)
          .bind(5, static_cast<std::int64_t>(st.seq));
      if (Status s = (*ins)->run(); !s.ok()) return storage(s.error());
    }
    AuditRecord rec{st.seq, st.now, sub.actor, request_bytes, result_bytes};
    const std::vector<std::uint8_t> record = encode_audit_record(rec);
    const Digest hash = audit_hash(head->hash, record);
    {
      auto ins = db.prepare("INSERT INTO audit(seq, time_ms, prev_hash, record, hash) VALUES(?, ?, ?, ?, ?)");
      if (!ins.ok()) return storage(ins.error());
      (*ins)
          ->bind(1, static_cast<std::int64_t>(st.seq))
          .bind(2, st.now)
          .bind(3, head->hash)
          .bind(4, record)
          .bind(5, hash);
      if (Status s = (*ins)->run(); !s.ok()) return storage(s.error());
    }
    if (sub.chain) {
      auto up = db.prepare(
          "INSERT INTO chains(sender, instance, seq, hash) VALUES(?, ?, ?, ?) "
          "ON CONFLICT(sender, instance) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
      if (!up.ok()) return storage(up.error());
      (*up)
          ->bind(1, sub.actor)
          .bind(2, sub.chain->instance)
          .bind(3, static_cast<std::int64_t>(sub.chain->seq))
          .bind(4, sub.chain->hash);
      if (Status s = (*up)->run(); !s.ok()) return storage(s.error());
    }
    Applied a;
    a.result = std::move(st.result);
    a.audit_seq = st.seq;
    a.audit_hash = hash;
    a.time_ms = st.now;
    return a;
  }

  // One request in a savepoint: rolled back unless applied.
  Outcome apply_in_savepoint(std::int64_t clock_now, const Submission& sub) {
    if (Status s = db.exec("SAVEPOINT op"); !s.ok()) return storage(s.error());
    Outcome o = apply_one(clock_now, sub);
    if (!o.ok() || o.applied().duplicate) {
      if (Status s = db.exec("ROLLBACK TO op"); !s.ok()) return storage(s.error());
    }
    if (Status s = db.exec("RELEASE op"); !s.ok()) return storage(s.error());
    return o;
  }
};

// ---- Ledger ------------------------------------------------------------------------------

Result<std::unique_ptr<Ledger>> Ledger::open(const Options& options) {
  std::unique_ptr<Ledger> l(new Ledger());
  int flags = options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  auto db = sql::Db::open(options.path, flags);
  if (!db.ok()) return db.error();
  l->db_ = std::move(*db);
  l->clock_ = options.clock;
  const bool memory = options.path == ":memory:" || options.path.empty();
  if (!options.read_only) {
    if (!memory) {
      auto st = l->db_->prepare("PRAGMA journal_mode=WAL");
      if (!st.ok()) return st.error();
      auto row = (*st)->step();
      if (!row.ok()) return row.error();
      if (!*row || (*st)->text_at(0) != "wal") return Error{"sqlite: cannot switch " + options.path + " to WAL mode"};
    }
    if (Status s = l->db_->exec("PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"); !s.ok()) return s.error();
    if (Status s = l->db_->exec(std::string("BEGIN IMMEDIATE;") + kSchema); !s.ok()) return s.error();
    auto put_meta = [&](const char* key, std::span<const std::uint8_t> value) -> Status {
      auto st = l->db_->prepare("INSERT INTO meta(key, value) VALUES(?, ?)");
      if (!st.ok()) return st.error();
      (*st)->bind_text(1, key).bind(2, value);
      return (*st)->run();
    };
    auto get_meta = [&](const char* key) -> Result<std::optional<std::vector<std::uint8_t>>> {
      auto st = l->db_->prepare("SELECT value FROM meta WHERE key = ?");
      if (!st.ok()) return st.error();
      (*st)->bind_text(1, key);
      auto row = (*st)->step();
      if (!row.ok()) return row.error();
      if (!*row) return std::optional<std::vector<std::uint8_t>>();
      return std::optional<std::vector<std::uint8_t>>((*st)->blob_at(0));
    };
    auto fail = [&](Error e) -> Result<std::unique_ptr<Ledger>> {
      (void)l->db_->exec("ROLLBACK");
      return e;
    };
    codec::Writer version;
    version.i64(kSchemaVersion);
    auto v = get_meta("schema_version");
    if (!v.ok()) return fail(v.error());
    if (!*v) {
      if (Status s = put_meta("schema_version", version.data()); !s.ok()) return fail(s.error());
    } else if (**v != version.data()) {
      return fail(Error{"ledger " + options.path + " has an unknown schema version"});
    }
    auto o = get_meta("operator");
    if (!o.ok()) return fail(o.error());
    if (*o) {
      if ((*o)->size() != 32) return fail(Error{"ledger " + options.path + " has a corrupt operator key"});
      PartyId stored = to_array<32>(**o);
      if (options.operator_key && *options.operator_key != stored)
        return fail(Error{"ledger " + options.path + " belongs to operator " + to_hex(stored) + ", not " +
                          to_hex(*options.operator_key)});
      l->operator_ = stored;
    } else if (options.operator_key) {
      if (Status s = put_meta("operator", *options.operator_key); !s.ok()) return fail(s.error());
      l->operator_ = options.operator_key;
    }
    if (Status s = l->db_->exec("COMMIT"); !s.ok()) return fail(s.error());
  } else {
    auto st = l->db_->prepare("SELECT value FROM meta WHERE key = 'operator'");
    if (!st.ok()) return st.error().context("opening " + options.path + " read-only (is it a ledger?)");
    auto row = (*st)->step();
    if (!row.ok()) return row.error();
    if (*row) l->operator_ = to_array<32>((*st)->blob_at(0));
  }
  l->impl_ = std::make_unique<Impl>(*l->db_, l->operator_);
  return l;
}

Ledger::~Ledger() = default;

Outcome Ledger::apply(const Submission& submission) {
  std::vector<Outcome> out = apply_batch(std::span<const Submission>(&submission, 1));
  return std::move(out[0]);
}

Outcome Ledger::apply_at(std::int64_t time_ms, const Submission& submission) {
  if (Status s = db_->exec("BEGIN IMMEDIATE"); !s.ok()) return storage(s.error());
  Outcome o = impl_->apply_in_savepoint(time_ms, submission);
  if (Status s = db_->exec("COMMIT"); !s.ok()) {
    (void)db_->exec("ROLLBACK");
    return storage(s.error().context("commit failed; nothing was applied"));
  }
  return o;
}

std::vector<Outcome> Ledger::apply_batch(std::span<const Submission> batch) {
  std::vector<Outcome> out;
  out.reserve(batch.size());
  auto all_fail = [&](const Error& e) {
    out.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) out.emplace_back(storage(e));
    return out;
  };
  if (!clock_) return all_fail(Error{"ledger opened without a clock"});
  if (Status s = db_->exec("BEGIN IMMEDIATE"); !s.ok()) return all_fail(s.error());
  for (const Submission& sub : batch) out.push_back(impl_->apply_in_savepoint(clock_->now_ms(), sub));
  if (Status s = db_->exec("COMMIT"); !s.ok()) {
    (void)db_->exec("ROLLBACK");
    return all_fail(s.error().context("commit failed; nothing was applied"));
  }
  return out;
}

Result<bool> Ledger::has_operation(const PartyId& actor, const OpId& op_id) {
  auto st = db_->prepare("SELECT 1 FROM operations WHERE client = ? AND op_id = ?");
  if (!st.ok()) return st.error();
  (*st)->bind(1, actor).bind(2, op_id);
  return (*st)->step();
}

Result<Amount> Ledger::balance(const std::string& account) { return impl_->balance(account); }

Result<std::vector<std::pair<std::string, Amount>>> Ledger::balances() {
  auto st = db_->prepare("SELECT name, balance FROM accounts ORDER BY name");
  if (!st.ok()) return st.error();
  std::vector<std::pair<std::string, Amount>> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.emplace_back((*st)->text_at(0), (*st)->int_at(1));
  }
  return out;
}

Result<PartySummary> Ledger::summary(const PartyId& party) {
  PartySummary s;
  auto a = impl_->balance(party_account(party));
  if (!a.ok()) return a.error();
  auto k = impl_->balance(stake_account(party));
  if (!k.ok()) return k.error();
  s.available = *a;
  s.staked = *k;
  std::vector<std::pair<InstanceId, int>> open;
  {
    auto st = db_->prepare(
        "SELECT p.instance, p.role FROM instance_parties p JOIN instances i ON i.id = p.instance "
        "WHERE p.party = ? AND i.settled = 0");
    if (!st.ok()) return st.error();
    (*st)->bind(1, party);
    for (;;) {
      auto row = (*st)->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      open.emplace_back(to_array<16>((*st)->blob_at(0)), static_cast<int>((*st)->int_at(1)));
    }
  }
  for (const auto& [id, role] : open) {
    auto inst = impl_->load_instance(id);
    if (!inst.ok()) return inst.error();
    if (!*inst) continue;
    auto h = impl_->balance(hold_account(id, (**inst).rules->roles[static_cast<std::size_t>(role)]));
    if (!h.ok()) return h.error();
    s.held += *h;
  }
  return s;
}

Result<InstanceView> Ledger::instance(const InstanceId& id) {
  auto loaded = impl_->load_instance(id);
  if (!loaded.ok()) return loaded.error();
  if (!*loaded) return Error{"unknown instance " + to_hex(id)};
  const auto& r = **loaded;
  InstanceView v;
  v.id = id;
  v.rules = *r.rules;
  v.rules_digest = r.digest;
  v.parties = r.parties;
  v.stage = r.state.stage;
  v.stage_name = stage_name(*r.rules, r.state.stage);
  v.deposited = r.state.deposited;
  v.count = r.state.count;
  v.opened_ms = r.state.opened_ms;
  v.stage_entered_ms = r.state.entered_ms;
  v.deadline_ms = r.deadline();
  v.settled = r.state.settled;
  for (const std::string& role : r.rules->roles) {
    auto h = impl_->balance(hold_account(id, role));
    if (!h.ok()) return h.error();
    v.holds.push_back(*h);
  }
  auto st = db_->prepare(
      "SELECT audit_seq, time_ms, transition, actor, evidence, stage_after FROM instance_events "
      "WHERE instance = ? ORDER BY n");
  if (!st.ok()) return st.error();
  (*st)->bind(1, id);
  for (;;) {
    auto row = (*st)->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    InstanceEvent e;
    e.audit_seq = static_cast<std::uint64_t>((*st)->int_at(0));
    e.time_ms = (*st)->int_at(1);
    e.transition = (*st)->text_at(2);
    e.actor = to_array<32>((*st)->blob_at(3));
    e.evidence = to_array<32>((*st)->blob_at(4));
    e.stage_after = (*st)->text_at(5);
    v.history.push_back(std::move(e));
  }
  return v;
}

Result<Head> Ledger::chain_head(const PartyId& sender, const InstanceId& instance) {
  return impl_->chain_head(sender, instance);
}

Result<Head> Ledger::audit_head() { return impl_->audit_head(); }

Result<Digest> Ledger::state_digest(bool include_transport) {
  // One read transaction, so the digest is of one consistent state (or the caller's).
  const bool own_txn = sqlite3_get_autocommit(db_->handle()) != 0;
  if (own_txn) {
    if (Status s = db_->exec("BEGIN"); !s.ok()) return s.error();
  }
  codec::Sha256 h;
  std::vector<TableOrder> tables(std::begin(kStateTables), std::end(kStateTables));
  if (include_transport) tables.push_back({"chains", "sender, instance"});
  for (const TableOrder& t : tables) {
    codec::Writer w;
    w.str(t.name);
    h.update(w.data());
    auto st = db_->prepare(std::string("SELECT * FROM ") + t.name + " ORDER BY " + t.order_by);
    if (!st.ok()) {
      if (own_txn) (void)db_->exec("ROLLBACK");
      return st.error();
    }
    for (;;) {
      auto row = (*st)->step();
      if (!row.ok()) {
        if (own_txn) (void)db_->exec("ROLLBACK");
        return row.error();
      }
      if (!*row) break;
      codec::Writer rw;
      rw.u8(0xee);  // row marker
      for (int c = 0; c < (*st)->column_count(); ++c) {
        int type = (*st)->type_at(c);
        rw.u8(static_cast<std::uint8_t>(type));
        if (type == SQLITE_INTEGER) {
          rw.i64((*st)->int_at(c));
        } else if (type == SQLITE_TEXT) {
          rw.str((*st)->text_at(c));
        } else if (type == SQLITE_BLOB) {
          rw.bytes((*st)->blob_at(c));
        }
      }
      h.update(rw.data());
    }
  }
  if (own_txn) (void)db_->exec("COMMIT");
  return h.finish();
}

// ---- audit rows -----------------------------------------------------------------------

std::vector<std::uint8_t> encode_audit_record(const AuditRecord& r) {
  codec::Writer w;
  w.u8(1);
  w.u64(r.seq);
  w.i64(r.time_ms);
  w.fixed(r.actor);
  w.bytes(r.request);
  w.bytes(r.result);
  return w.take();
}

Result<AuditRecord> decode_audit_record(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  AuditRecord out;
  if (std::uint8_t v = r.u8(); r.ok() && v != 1) r.fail("unknown audit record version " + std::to_string(v));
  out.seq = r.u64();
  out.time_ms = r.i64();
  out.actor = r.fixed<32>();
  out.request = r.bytes(1 << 21);
  out.result = r.bytes(1 << 20);
  if (Status s = r.finish(); !s.ok()) return s.error().context("audit record");
  return out;
}

Digest audit_hash(const Digest& prev, std::span<const std::uint8_t> record) {
  return codec::Sha256().update(prev).update(record).finish();
}

}  // namespace verdict::escrow
