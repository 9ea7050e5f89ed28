#pragma once
// Every command group of the CLI, one function per group (each in its own file).

#include <vector>

#include "parties/cli/command.hpp"

namespace verdict::cli {

Command version_command();
Command keygen_command();
Command escrow_command();
Command srs_command();
Command kzg_command();
Command import_command();    // nn_commands.cpp
Command accuracy_command();  // nn_commands.cpp
Command run_command();       // nn_commands.cpp
Command setup_command();     // prove_commands.cpp
Command prove_command();
Command verify_command();
Command commit_command();
Command inspect_command();
Command sample_size_command();  // sample_size_command.cpp
Command sim_command();          // sim_command.cpp
Command mp_command();           // agent_commands.cpp
Command mc_command();
Command verifier_command();
Command demo_command();
Command transcript_command();
Command judge_command();  // judge_command.cpp
Command requester_command();  // retrieval_commands.cpp
Command responder_command();
Command judge_serve_command();
Command corpus_command();
Command retrieval_demo_command();
Command serving_command();  // serving_commands.cpp

// The whole tree, in the order `verdict --help` lists it.
std::vector<Command> all_commands();

}  // namespace verdict::cli
