// The `strata` command line: parses arguments, dispatches to a subcommand and
// turns every outcome into an exit code.
//
// Exit codes (docs/CLI.md): 0 the work succeeded, 1 the work failed (the error
// is printed to stderr), 2 the command line was wrong (usage is printed).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace strata::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Runs the CLI with `args` (args[0] is the program name), writing results to
// `out` and diagnostics to `err`. Never throws.
int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// main()'s body: Run() over argv with std::cout and std::cerr.
int Main(int argc, char** argv);

}  // namespace strata::cli
