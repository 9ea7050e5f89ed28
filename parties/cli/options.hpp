#pragma once
// Shared flag parsing for leaf commands (boost::program_options).

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace verdict::cli {

// Parses `args` into `vm`. Returns -1 to continue; otherwise the exit code to return
// at once: 0 after printing --help, 2 after printing a usage error that names the
// offending flag or value.
int parse_options(const std::vector<std::string>& args, const boost::program_options::options_description& desc,
                  boost::program_options::variables_map& vm, const std::string& usage_line,
                  const boost::program_options::positional_options_description* positional = nullptr);

// Prints "CMD: MESSAGE" on stderr and returns `code` (default: bad usage, 2).
int fail(const std::string& cmd, const std::string& message, int code = 2);

}  // namespace verdict::cli
