#include "parties/cli/commands.hpp"

#include <iostream>

#include "parties/cli/options.hpp"

namespace verdict::cli {

Command version_command() {
  return {"version", "Print the verdict version", [](const std::vector<std::string>& args) {
            namespace po = boost::program_options;
            po::options_description desc("verdict version");
            desc.add_options()("help,h", "show this help");
            po::variables_map vm;
            if (int rc = parse_options(args, desc, vm, "verdict version"); rc >= 0) return rc;
            std::cout << "verdict 0.1.0\n";
            return kExitOk;
          },
          {}};
}

std::vector<Command> all_commands() {
  return {
      demo_command(),
      import_command(), accuracy_command(), run_command(),
      setup_command(), prove_command(), verify_command(), commit_command(), inspect_command(),
      sample_size_command(),
      sim_command(),
      mp_command(), mc_command(), verifier_command(), transcript_command(), judge_command(), requester_command(), responder_command(), corpus_command(), retrieval_demo_command(), serving_command(),
      kzg_command(),
      srs_command(),
      keygen_command(),
      escrow_command(),
      version_command(),
  };
}

}  // namespace verdict::cli
