#pragma once
// The `verdict` command tree. Each leaf command parses its own flags with
// boost::program_options and returns a process exit code: 0 success, 1 a negative
// result (a proof or audit that does not verify), 2 bad usage or bad input.
// Every command answers --help. The tree is built explicitly in main.cpp (no static
// registration, no global state).

#include <functional>
#include <string>
#include <vector>

namespace verdict::cli {

struct Command {
  std::string name;
  std::string summary;
  // A leaf runs with the arguments after its name; a group has children instead.
  std::function<int(const std::vector<std::string>& args)> run;
  std::vector<Command> children;
};

// Dispatches argv (without the program name) through the tree rooted at `root`.
int dispatch(const Command& root, const std::vector<std::string>& args, const std::string& path);

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;
inline constexpr int kExitUsage = 2;

}  // namespace verdict::cli
