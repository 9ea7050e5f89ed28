// verdict judge audit TRANSCRIPT...: the judge's offline audit of a protocol run
// (parties/judge/judge.hpp, docs/protocols.md "The judge").
#include <iostream>

#include "parties/cli/commands.hpp"
#include "parties/cli/nn_files.hpp"
#include "parties/cli/options.hpp"
#include "parties/judge/judge.hpp"
#include "parties/wire/keys.hpp"

namespace verdict::cli {

namespace {

namespace po = boost::program_options;

int audit_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict judge audit";
  std::vector<std::string> transcripts, keys;
  std::string escrow_key, vk_path;
  po::options_description desc(
      "verdict judge audit TRANSCRIPT... --party-key K... --escrow-key K [--vk FILE]: audit a protocol run from its\n"
      "transcripts alone: hash chains and signed checkpoints, every signature and stream, the escrow's signed\n"
      "history against the rule table, every commitment, inclusion proof, selection and SNARK, and the ruling.\n"
      "Prints the verdict with its evidence; exit 0 clean, 1 violations found, 2 bad usage");
  desc.add_options()("help,h", "show this help")                                                                //
      ("transcript", po::value(&transcripts)->composing()->required(), "a party's transcript (one per role at most)")  //
      ("party-key", po::value(&keys)->composing()->required(),
       "the parties' public keys (file or hex) in role order: accuracy and serving mp, mc, verifier; retrieval "
       "requester, responder, judge")                                                                           //
      ("escrow-key", po::value(&escrow_key)->required(), "the escrow service's public key (file or hex)")       //
      ("vk", po::value(&vk_path), "the model's verifying key (verdict setup): needed to check SNARKs");
  po::positional_options_description pos;
  pos.add("transcript", -1);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd + " TRANSCRIPT... [options]", &pos); rc >= 0) return rc;
  judge::AuditOptions o;
  for (const auto& k : keys) {
    auto p = wire::read_public_key(k);
    if (!p.ok()) return fail(cmd, p.error().message);
    o.parties.push_back(*p);
  }
  auto e = wire::read_public_key(escrow_key);
  if (!e.ok()) return fail(cmd, e.error().message);
  o.escrow = *e;
  std::optional<nn::ModelVerifyingKey> vk;
  if (!vk_path.empty()) {
    auto b = read_bytes(vk_path);
    if (!b.ok()) return fail(cmd, b.error().message);
    auto v = nn::ModelVerifyingKey::from_bytes(*b);
    if (!v.ok()) return fail(cmd, v.error().context(vk_path).message);
    vk = std::move(*v);
    o.vk = &*vk;
  }
  const judge::Verdict v = judge::audit(transcripts, o);
  std::cout << judge::format_verdict(v);
  return v.clean() ? kExitOk : kExitRejected;
}

}  // namespace

Command judge_command() {
  return {"judge", "The judge: audit a protocol run from its transcripts", nullptr,
          {{"audit", "Audit transcripts: signatures, chains, escrow rules, commitments, selections, SNARKs",
            audit_main,
            {}},
           judge_serve_command()}};
}

}  // namespace verdict::cli
