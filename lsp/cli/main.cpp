// coderx: the one executable. All dispatch lives in commands.cpp.
#include <string>
#include <vector>

#include "lsp/cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return coderx::cli::run_main(args);
}
