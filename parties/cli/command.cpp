#include "parties/cli/command.hpp"

#include <iostream>

namespace verdict::cli {

namespace {
void print_group_help(const Command& group, const std::string& path) {
  std::cout << "usage: " << path << " <command> [options]\n\n";
  if (!group.summary.empty()) std::cout << group.summary << "\n\n";
  std::cout << "commands:\n";
  for (const Command& c : group.children) {
    std::cout << "  " << c.name;
    for (std::size_t i = c.name.size(); i < 16; ++i) std::cout << ' ';
    std::cout << "  " << c.summary << "\n";
  }
  std::cout << "\nRun '" << path << " <command> --help' for a command's options.\n";
}
}  // namespace

int dispatch(const Command& root, const std::vector<std::string>& args, const std::string& path) {
  if (root.run) return root.run(args);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_group_help(root, path);
    return args.empty() ? kExitUsage : kExitOk;
  }
  for (const Command& c : root.children) {
    if (c.name == args[0]) {
      return dispatch(c, std::vector<std::string>(args.begin() + 1, args.end()), path + " " + c.name);
    }
  }
  std::cerr << path << ": unknown command '" << args[0] << "' (try '" << path << " --help')\n";
  return kExitUsage;
}

}  // namespace verdict::cli
