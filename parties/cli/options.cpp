#include "parties/cli/options.hpp"

#include <iostream>

#include "parties/cli/command.hpp"

namespace verdict::cli {

int parse_options(const std::vector<std::string>& args, const boost::program_options::options_description& desc,
                  boost::program_options::variables_map& vm, const std::string& usage_line,
                  const boost::program_options::positional_options_description* positional) {
  namespace po = boost::program_options;
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage_line << " [options]\n" << desc << "\n";
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << usage_line << ": " << e.what() << "\n(see '" << usage_line << " --help')\n";
    return kExitUsage;
  }
  return -1;
}

int fail(const std::string& cmd, const std::string& message, int code) {
  std::cerr << cmd << ": " << message << "\n";
  return code;
}

}  // namespace verdict::cli
