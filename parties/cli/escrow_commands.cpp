// verdict escrow: the escrow service and the commands a human needs around it.
//   serve          run the service (ZeroMQ ROUTER) on a ledger file
//   verify-log     verify a ledger file's audit chain, journal and serial replay
//   fund, transfer, withdraw, stake, unstake, collect-fees, open-accuracy, act
//                  signed requests to a running service
//   balance, show-instance
//                  read from a running service (--connect) or a ledger file (--db)
// Exit codes: 0 applied/answered, 1 refused by the escrow (or no answer: outcome
// unknown), 2 bad usage or input.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <zmq.hpp>

#include "base/hex.hpp"
#include "base/rng.hpp"
#include "escrow/accuracy_rules.hpp"
#include "escrow/audit.hpp"
#include "escrow/ledger.hpp"
#include "parties/cli/commands.hpp"
#include "parties/cli/options.hpp"
#include "parties/escrowd/client.hpp"
#include "parties/escrowd/server.hpp"
#include "parties/wire/keys.hpp"

namespace verdict::cli {

namespace {

namespace po = boost::program_options;

int escrow_fail(const std::string& cmd, const std::string& message, int code = kExitUsage) {
  return fail("verdict escrow " + cmd, message, code);
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> parse_id(const std::string& text, const char* what) {
  auto bytes = from_hex(text);
  if (!bytes.ok()) return bytes.error().context(what);
  if (bytes->size() != N) return Error{std::string(what) + ": expected " + std::to_string(N) + " bytes of hex"};
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

std::string time_text(std::int64_t ms) { return std::to_string(ms) + " ms"; }

void print_instance(const escrow::InstanceView& v) {
  std::cout << "instance " << to_hex(v.id) << "\n"
            << "  rules     " << v.rules.name << " digest " << to_hex(v.rules_digest) << "\n"
            << "  stage     " << v.stage_name << (v.settled ? " (settled)" : "") << "\n";
  if (v.count) std::cout << "  count     " << v.count << "\n";
  if (!v.settled) std::cout << "  deadline  " << time_text(v.deadline_ms) << "\n";
  for (std::size_t r = 0; r < v.parties.size(); ++r) {
    std::cout << "  " << v.rules.roles[r] << " " << to_hex(v.parties[r]) << " hold " << v.holds[r]
              << ((v.deposited >> r) & 1 ? " (deposited)" : "") << "\n";
  }
  for (const auto& e : v.history) {
    std::cout << "  #" << e.audit_seq << " " << time_text(e.time_ms) << " " << e.transition << " by "
              << to_hex(e.actor).substr(0, 16) << " -> " << e.stage_after << " evidence "
              << to_hex(e.evidence).substr(0, 16) << "\n";
  }
}

// ---- serve --------------------------------------------------------------------------------

int serve(const std::vector<std::string>& args) {
  po::options_description desc("verdict escrow serve");
  desc.add_options()("help,h", "show this help")                                                                //
      ("db", po::value<std::string>()->required(), "ledger file (created if missing)")                          //
      ("bind", po::value<std::string>()->required(), "endpoint, e.g. tcp://127.0.0.1:7400")                     //
      ("key", po::value<std::string>(), "the service's secret key file (default: DB.key, created if missing)")  //
      ("operator", po::value<std::string>(), "the operator's public key (file or hex); pinned in the ledger")   //
      ("timestamp-window-s", po::value<std::int64_t>()->default_value(600), "accepted envelope clock skew")     //
      ("max-batch", po::value<std::size_t>()->default_value(256), "requests per group commit at most")          //
      ("verbose,v", "log every batch to stderr");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, "verdict escrow serve --db FILE --bind ENDPOINT"); rc >= 0) return rc;
  const std::string db = vm["db"].as<std::string>();
  const std::string key_path = vm.count("key") ? vm["key"].as<std::string>() : db + ".key";
  if (!std::filesystem::exists(key_path)) {
    OsRng rng;
    wire::KeyPair k = wire::KeyPair::generate(rng);
    if (Status s = wire::write_secret_key(key_path, k); !s.ok()) return escrow_fail("serve", s.error().message);
    std::cerr << "verdict escrow serve: created the service key " << key_path << "\n";
  }
  auto key = wire::read_secret_key(key_path);
  if (!key.ok()) return escrow_fail("serve", key.error().message);
  std::optional<escrow::PartyId> op;
  if (vm.count("operator")) {
    auto p = wire::read_public_key(vm["operator"].as<std::string>());
    if (!p.ok()) return escrow_fail("serve", p.error().message);
    op = *p;
  }
  // Block SIGINT/SIGTERM before any thread exists (ZeroMQ's included) and take them
  // from a signalfd the service loop polls: a clean stop, no handler, no global state.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) return escrow_fail("serve", "signalfd failed", 3);

  escrow::SystemClock clock;
  auto ledger = escrow::Ledger::open(escrow::Ledger::Options{db, &clock, op, false});
  if (!ledger.ok()) return escrow_fail("serve", ledger.error().message);
  if (!(*ledger)->operator_key())
    std::cerr << "verdict escrow serve: no operator key pinned; nobody can fund accounts (see --operator)\n";
  escrowd::ServerOptions o;
  o.bind = vm["bind"].as<std::string>();
  o.timestamp_window_ms = vm["timestamp-window-s"].as<std::int64_t>() * 1000;
  o.max_batch = vm["max-batch"].as<std::size_t>();
  o.verbose = vm.count("verbose") != 0;
  const std::string service_pub = to_hex(key->public_key());
  zmq::context_t ctx;
  auto server = escrowd::EscrowServer::create(ctx, **ledger, clock, std::move(*key), o);
  if (!server.ok()) return escrow_fail("serve", server.error().message);
  auto head = (*ledger)->audit_head();
  std::cout << "verdict escrow: serving " << db << " on " << (*server)->endpoint() << "\n"
            << "  service key " << service_pub << "\n"
            << "  audit head  " << (head.ok() ? std::to_string(head->seq) : "?") << "\n"
            << std::flush;
  Status s = (*server)->run(sfd);
  ::close(sfd);
  if (!s.ok()) return escrow_fail("serve", s.error().message, 3);
  const auto st = (*server)->stats();
  std::cout << "verdict escrow: stopped after " << st.applied << " applied, " << st.rejected << " refused, "
            << st.queries << " queries in " << st.batches << " batches\n";
  return kExitOk;
}

// ---- verify-log -----------------------------------------------------------------------------

int verify_log(const std::vector<std::string>& args) {
  po::options_description desc("verdict escrow verify-log");
  desc.add_options()("help,h", "show this help")("db", po::value<std::string>()->required(), "ledger file");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, "verdict escrow verify-log --db FILE"); rc >= 0) return rc;
  auto report = escrow::verify_ledger(vm["db"].as<std::string>());
  if (!report.ok()) return escrow_fail("verify-log", report.error().message);
  std::cout << "audit rows      " << report->rows << "\n"
            << "audit head      " << to_hex(report->head) << "\n"
            << "accounts        " << report->accounts << "\n"
            << "money in system " << report->money_in_system << "\n"
            << "state digest    " << to_hex(report->state) << "\n";
  if (report->ok()) {
    std::cout << "ok: chain intact, journal balanced and matching, serial replay identical\n";
    return kExitOk;
  }
  for (const auto& p : report->problems) std::cout << "PROBLEM: " << p << "\n";
  return kExitRejected;
}

// ---- client commands ---------------------------------------------------------------------------

void add_client_options(po::options_description& desc) {
  desc.add_options()("help,h", "show this help")                                                              //
      ("connect", po::value<std::string>()->required(), "the service's endpoint, e.g. tcp://127.0.0.1:7400")  //
      ("key", po::value<std::string>()->required(), "your secret key file")                                   //
      ("server-pub", po::value<std::string>()->required(), "the service's public key (file or hex)")          //
      ("op-id", po::value<std::string>(), "16-byte hex op id (default: random); reuse it to retry safely")    //
      ("timeout-ms", po::value<int>()->default_value(2000), "per attempt")                                    //
      ("attempts", po::value<int>()->default_value(10), "attempts before giving up (outcome unknown)");
}

struct Connection {
  zmq::context_t ctx;
  escrow::SystemClock clock;
  wire::KeyPair key;
  std::unique_ptr<escrowd::EscrowClient> client;
};

Result<std::unique_ptr<Connection>> connect(const po::variables_map& vm) {
  auto key = wire::read_secret_key(vm["key"].as<std::string>());
  if (!key.ok()) return key.error();
  auto server = wire::read_public_key(vm["server-pub"].as<std::string>());
  if (!server.ok()) return server.error();
  auto c = std::unique_ptr<Connection>(new Connection{zmq::context_t(), {}, std::move(*key), nullptr});
  escrowd::ClientOptions o;
  o.endpoint = vm["connect"].as<std::string>();
  o.timeout_ms = vm["timeout-ms"].as<int>();
  o.max_attempts = vm["attempts"].as<int>();
  c->client = std::make_unique<escrowd::EscrowClient>(c->ctx, c->key, *server, c->clock, o);
  return c;
}

int report_reply(const std::string& cmd, const Result<escrowd::Reply>& r) {
  if (!r.ok()) return escrow_fail(cmd, r.error().message, kExitRejected);
  if (r->status == escrowd::ReplyStatus::kRejected)
    return escrow_fail(cmd, std::string("refused (") + escrow::code_name(r->code) + "): " + r->reason, kExitRejected);
  std::cout << escrowd::status_name(r->status) << ": audit row " << r->audit_seq << " hash " << to_hex(r->audit_hash)
            << " at " << time_text(r->time_ms) << "\n";
  auto result = escrow::decode_result(r->body);
  if (result.ok()) {
    if (!result->transition.empty()) std::cout << "  transition " << result->transition << "\n";
    if (!result->stage.empty()) std::cout << "  stage      " << result->stage << "\n";
    for (const auto& p : result->postings)
      std::cout << "  " << (p.delta > 0 ? "+" : "") << p.delta << " " << p.account << "\n";
  }
  return kExitOk;
}

// A client command: its own flags, then a function that builds the request body.
using BodyBuilder = std::function<Result<escrow::Body>(const po::variables_map&, escrowd::EscrowClient&)>;

Command request_command(const std::string& name, const std::string& summary,
                        std::function<void(po::options_description&)> flags, BodyBuilder build) {
  return {name,
          summary,
          [name, flags, build](const std::vector<std::string>& args) {
            po::options_description desc("verdict escrow " + name);
            add_client_options(desc);
            flags(desc);
            po::variables_map vm;
            if (int rc = parse_options(args, desc, vm, "verdict escrow " + name); rc >= 0) return rc;
            auto conn = connect(vm);
            if (!conn.ok()) return escrow_fail(name, conn.error().message);
            escrow::Request req;
            if (vm.count("op-id")) {
              auto id = parse_id<16>(vm["op-id"].as<std::string>(), "--op-id");
              if (!id.ok()) return escrow_fail(name, id.error().message);
              req.op_id = *id;
            } else {
              OsRng rng;
              rng.fill(req.op_id);
            }
            auto body = build(vm, *(*conn)->client);
            if (!body.ok()) return escrow_fail(name, body.error().message);
            req.body = std::move(*body);
            std::cout << "op id " << to_hex(req.op_id) << "\n";
            return report_reply(name, (*conn)->client->submit(req));
          },
          {}};
}

void amount_flag(po::options_description& d) {
  d.add_options()("amount", po::value<escrow::Amount>()->required(), "amount in the smallest unit");
}

Result<escrow::PartyId> party_flag(const po::variables_map& vm, const char* name) {
  return wire::read_public_key(vm[name].as<std::string>());
}

Command fund_command() {
  return request_command(
      "fund", "Operator: credit a party with new money (e.g. a test account)",
      [](po::options_description& d) {
        amount_flag(d);
        d.add_options()("to", po::value<std::string>()->required(), "the party (public key file or hex)");
      },
      [](const po::variables_map& vm, escrowd::EscrowClient&) -> Result<escrow::Body> {
        auto to = party_flag(vm, "to");
        if (!to.ok()) return to.error();
        return escrow::Body(escrow::Mint{*to, vm["amount"].as<escrow::Amount>()});
      });
}

Command transfer_command() {
  return request_command(
      "transfer", "Pay another party from your available balance",
      [](po::options_description& d) {
        amount_flag(d);
        d.add_options()("to", po::value<std::string>()->required(), "the party (public key file or hex)");
      },
      [](const po::variables_map& vm, escrowd::EscrowClient&) -> Result<escrow::Body> {
        auto to = party_flag(vm, "to");
        if (!to.ok()) return to.error();
        return escrow::Body(escrow::Transfer{*to, vm["amount"].as<escrow::Amount>()});
      });
}

Command simple_amount_command(const std::string& name, const std::string& summary,
                              std::function<escrow::Body(escrow::Amount)> make) {
  return request_command(name, summary, amount_flag,
                         [make](const po::variables_map& vm, escrowd::EscrowClient&) -> Result<escrow::Body> {
                           return make(vm["amount"].as<escrow::Amount>());
                         });
}

Command open_accuracy_command() {
  return request_command(
      "open-accuracy", "Open an accuracy-verification escrow (Appendix B) as one of its parties",
      [](po::options_description& d) {
        d.add_options()("instance", po::value<std::string>(), "16-byte hex instance id (default: random)")   //
            ("mp", po::value<std::string>()->required(), "model provider (public key file or hex)")          //
            ("mc", po::value<std::string>()->required(), "model consumer")                                   //
            ("verifier", po::value<std::string>()->required(), "the party whose claims carry proof checks")  //
            ("n1", po::value<std::int64_t>()->required(), "subset size N1")                                  //
            ("n2", po::value<std::int64_t>()->required(), "proved examples N2")                              //
            ("e", po::value<escrow::Amount>()->required(), "escrow unit per example E")                      //
            ("p", po::value<escrow::Amount>()->required(), "inspection price per example P")                 //
            ("z", po::value<escrow::Amount>()->required(), "SNARK cost per example Z")                       //
            ("eps", po::value<escrow::Amount>()->required(), "escrow fee per party")                         //
            ("mp-stake", po::value<escrow::Amount>(), "MP's minimum stake (default 1000*N1*E)")              //
            ("funding-timeout-s", po::value<std::int64_t>()->default_value(3600), "")                        //
            ("response-timeout-s", po::value<std::int64_t>()->default_value(600), "")                        //
            ("proving-timeout-s", po::value<std::int64_t>()->default_value(86400), "")                       //
            ("verdict-timeout-s", po::value<std::int64_t>()->default_value(3600), "");
      },
      [](const po::variables_map& vm, escrowd::EscrowClient&) -> Result<escrow::Body> {
        escrow::AccuracyParams a;
        a.n1 = vm["n1"].as<std::int64_t>();
        a.n2 = vm["n2"].as<std::int64_t>();
        a.e = vm["e"].as<escrow::Amount>();
        a.p = vm["p"].as<escrow::Amount>();
        a.z = vm["z"].as<escrow::Amount>();
        a.eps = vm["eps"].as<escrow::Amount>();
        if (vm.count("mp-stake")) a.mp_min_stake = vm["mp-stake"].as<escrow::Amount>();
        for (auto [flag, field] : {std::pair{"funding-timeout-s", &a.funding_timeout_ms},
                                   std::pair{"response-timeout-s", &a.response_timeout_ms},
                                   std::pair{"proving-timeout-s", &a.proving_timeout_ms},
                                   std::pair{"verdict-timeout-s", &a.verdict_timeout_ms}}) {
          auto ms = escrow::checked_mul(vm[flag].as<std::int64_t>(), 1000);
          if (!ms) return Error{std::string("--") + flag + " overflows"};
          *field = *ms;
        }
        auto rules = escrow::accuracy_rule_set(a);
        if (!rules.ok()) return rules.error();
        escrow::OpenInstance o;
        o.rules = std::move(*rules);
        if (vm.count("instance")) {
          auto id = parse_id<16>(vm["instance"].as<std::string>(), "--instance");
          if (!id.ok()) return id.error();
          o.id = *id;
        } else {
          OsRng rng;
          rng.fill(o.id);
        }
        for (const char* role : {"mp", "mc", "verifier"}) {
          auto p = party_flag(vm, role);
          if (!p.ok()) return p.error();
          o.parties.push_back(*p);
        }
        std::cout << "instance " << to_hex(o.id) << " rules digest " << to_hex(escrow::rules_digest(o.rules)) << "\n";
        return escrow::Body(std::move(o));
      });
}

Command act_command() {
  return request_command(
      "act", "Take a transition of an instance: deposit, timeout, or an action of its rules",
      [](po::options_description& d) {
        d.add_options()("instance", po::value<std::string>()->required(), "16-byte hex instance id")        //
            ("transition", po::value<std::string>()->required(), "deposit, timeout, or a transition name")  //
            ("evidence", po::value<std::string>(),
             "32-byte hex digest the action rests on (for deposit: default the rules digest, after showing it)")  //
            ("count", po::value<std::uint32_t>()->default_value(0), "the count a counted transition takes");
      },
      [](const po::variables_map& vm, escrowd::EscrowClient& client) -> Result<escrow::Body> {
        auto id = parse_id<16>(vm["instance"].as<std::string>(), "--instance");
        if (!id.ok()) return id.error();
        escrow::Act a;
        a.id = *id;
        a.transition = vm["transition"].as<std::string>();
        a.count = vm["count"].as<std::uint32_t>();
        if (vm.count("evidence")) {
          auto e = parse_id<32>(vm["evidence"].as<std::string>(), "--evidence");
          if (!e.ok()) return e.error();
          a.evidence = *e;
        } else if (a.transition == "deposit") {
          auto v = client.instance(a.id);
          if (!v.ok()) return v.error();
          print_instance(*v);
          std::cout << "consenting to rules digest " << to_hex(v->rules_digest) << "\n";
          a.evidence = v->rules_digest;
        }
        return escrow::Body(std::move(a));
      });
}

// balance / show-instance: online (--connect ...) or offline (--db FILE, read-only).
Command read_command(const std::string& name, const std::string& summary, const char* what_flag, const char* what_help,
                     bool instance) {
  return {
      name,
      summary,
      [=](const std::vector<std::string>& args) {
        po::options_description desc("verdict escrow " + name);
        desc.add_options()("help,h", "show this help")(what_flag, po::value<std::string>()->required(), what_help)  //
            ("db", po::value<std::string>(), "read this ledger file directly (read-only)")                          //
            ("connect", po::value<std::string>(), "or ask the service at this endpoint")                            //
            ("key", po::value<std::string>(), "your secret key file (with --connect)")                              //
            ("server-pub", po::value<std::string>(), "the service's public key (with --connect)")                   //
            ("timeout-ms", po::value<int>()->default_value(2000), "")("attempts", po::value<int>()->default_value(5),
                                                                      "");
        po::variables_map vm;
        if (int rc = parse_options(args, desc, vm, "verdict escrow " + name); rc >= 0) return rc;
        const std::string what = vm[what_flag].as<std::string>();
        std::unique_ptr<escrow::Ledger> ledger;
        std::unique_ptr<Connection> conn;
        if (vm.count("db")) {
          auto l =
              escrow::Ledger::open(escrow::Ledger::Options{vm["db"].as<std::string>(), nullptr, std::nullopt, true});
          if (!l.ok()) return escrow_fail(name, l.error().message);
          ledger = std::move(*l);
        } else if (vm.count("connect") && vm.count("key") && vm.count("server-pub")) {
          auto c = connect(vm);
          if (!c.ok()) return escrow_fail(name, c.error().message);
          conn = std::move(*c);
        } else {
          return escrow_fail(name, "give --db FILE, or --connect, --key and --server-pub");
        }
        if (instance) {
          auto id = parse_id<16>(what, "--instance");
          if (!id.ok()) return escrow_fail(name, id.error().message);
          auto v = ledger ? ledger->instance(*id) : conn->client->instance(*id);
          if (!v.ok()) return escrow_fail(name, v.error().message, kExitRejected);
          print_instance(*v);
          return kExitOk;
        }
        auto party = wire::read_public_key(what);
        if (!party.ok()) return escrow_fail(name, party.error().message);
        auto s = ledger ? ledger->summary(*party) : conn->client->summary(*party);
        if (!s.ok()) return escrow_fail(name, s.error().message, kExitRejected);
        std::cout << "party     " << to_hex(*party) << "\n"
                  << "available " << s->available << "\n"
                  << "staked    " << s->staked << "\n"
                  << "held      " << s->held << "\n";
        return kExitOk;
      },
      {}};
}

}  // namespace

Command escrow_command() {
  Command serve_cmd{"serve", "Run the escrow service on a ledger file", serve, {}};
  Command verify_cmd{"verify-log", "Verify a ledger: audit chain, journal, balances, serial replay", verify_log, {}};
  return {"escrow",
          "The escrow service: a durable double-entry ledger on SQLite, served over ZeroMQ with signed requests",
          nullptr,
          {serve_cmd, verify_cmd, fund_command(), transfer_command(),
           simple_amount_command("withdraw", "Take money out of the system (paid out off-ledger)",
                                 [](escrow::Amount a) { return escrow::Body(escrow::Withdraw{a}); }),
           simple_amount_command("stake", "Lock part of your balance as a stake",
                                 [](escrow::Amount a) { return escrow::Body(escrow::Stake{a}); }),
           simple_amount_command("unstake", "Release stake no open instance requires",
                                 [](escrow::Amount a) { return escrow::Body(escrow::Unstake{a}); }),
           simple_amount_command("collect-fees", "Operator: take collected fees out of the system",
                                 [](escrow::Amount a) { return escrow::Body(escrow::CollectFees{a}); }),
           open_accuracy_command(), act_command(),
           read_command("balance", "A party's available, staked and held amounts", "of",
                        "the party (public key file or hex)", false),
           read_command("show-instance", "An instance: rules, parties, stage, holds, history", "instance",
                        "16-byte hex instance id", true)}};
}

}  // namespace verdict::cli
