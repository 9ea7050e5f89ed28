// verdict keygen: Ed25519 identities for parties and the escrow service.
#include <iostream>

#include "base/hex.hpp"
#include "base/rng.hpp"
#include "parties/cli/commands.hpp"
#include "parties/cli/options.hpp"
#include "parties/wire/keys.hpp"

namespace verdict::cli {

Command keygen_command() {
  return {"keygen",
          "Create an Ed25519 key file (mode 0600), or export a public key",
          [](const std::vector<std::string>& args) {
            namespace po = boost::program_options;
            po::options_description desc("verdict keygen");
            desc.add_options()("help,h", "show this help")                                                //
                ("out", po::value<std::string>(), "write a new secret key file here (never overwrites)")  //
                ("from", po::value<std::string>(), "read this existing secret key file instead")          //
                ("pub", po::value<std::string>(), "also write the public key file here ('-': stdout only)");
            po::variables_map vm;
            const std::string usage = "verdict keygen --out FILE [--pub PUBFILE] | --from FILE --pub PUBFILE|-";
            if (int rc = parse_options(args, desc, vm, usage); rc >= 0) return rc;
            if (vm.count("out") == vm.count("from")) {
              std::cerr << "verdict keygen: give exactly one of --out and --from\n";
              return kExitUsage;
            }
            auto key = [&]() -> Result<wire::KeyPair> {
              if (vm.count("from")) return wire::read_secret_key(vm["from"].as<std::string>());
              OsRng rng;
              wire::KeyPair k = wire::KeyPair::generate(rng);
              if (Status s = wire::write_secret_key(vm["out"].as<std::string>(), k); !s.ok()) return s.error();
              return k;
            }();
            if (!key.ok()) {
              std::cerr << "verdict keygen: " << key.error().message << "\n";
              return kExitUsage;
            }
            if (vm.count("pub") && vm["pub"].as<std::string>() != "-") {
              if (Status s = wire::write_public_key(vm["pub"].as<std::string>(), key->public_key()); !s.ok()) {
                std::cerr << "verdict keygen: " << s.error().message << "\n";
                return kExitUsage;
              }
            }
            std::cout << to_hex(key->public_key()) << "\n";
            return kExitOk;
          },
          {}};
}

}  // namespace verdict::cli
