#pragma once
// For the CLI's tests: runs a binary with arguments, its stdout and stderr captured
// together in a file, and returns the exit code and the output. Header-only, test code.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace verdict::cli::testing {

struct BinaryRun {
  int code = -1;  // the exit code; -1 if it could not start or did not exit normally
  std::string out;
};

// Runs `binary args...`, writing its output to `out_file` (replaced), then reads it back.
inline BinaryRun run_binary(const std::string& binary, std::vector<std::string> args, const std::string& out_file) {
  args.insert(args.begin(), binary);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  BinaryRun r;
  const int rc = posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return r;
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out_file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  r.out = ss.str();
  return r;
}

}  // namespace verdict::cli::testing
