// verdict: the command-line entry point. Builds the command tree and dispatches.
#include <exception>
#include <iostream>

#include "parties/cli/command.hpp"
#include "parties/cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace verdict::cli;
  Command root{"verdict", "Trustless ML services on zk-SNARKs (BN254, KZG).", nullptr, all_commands()};
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return dispatch(root, args, "verdict");
  } catch (const std::exception& e) {
    // Commands report bad input as values; reaching here is a bug, still not a crash.
    std::cerr << "verdict: internal error: " << e.what() << "\n";
    return 3;
  }
}
