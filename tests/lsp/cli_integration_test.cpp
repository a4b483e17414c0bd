// The coderx binary's top-level contract: --help lists subcommands, --version works, unknown
// commands and flags exit 2 with exactly one line on stderr.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/process.h"

namespace coderx::testing {
namespace {

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(Cli, HelpListsSubcommands) {
  ProcessResult r = run_coderx({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("lsp"), std::string::npos);
  EXPECT_NE(r.out.find("version"), std::string::npos);
}

TEST(Cli, VersionPrintsBuildAndDevices) {
  ProcessResult r = run_coderx({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("coderx ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("cuda:"), std::string::npos);
  EXPECT_TRUE(r.out.find("device:") != std::string::npos ||
              r.out.find("devices:  none (") != std::string::npos)
      << r.out;
}

TEST(Cli, UnknownCommandOrFlagExitsTwoWithOneLine) {
  for (auto args : {std::vector<std::string>{"frobnicate"}, {"--frobnicate"},
                    {"lsp", "--frobnicate"}, {"version", "extra"}}) {
    ProcessResult r = run_coderx(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

// One shared --device option on every command that loads the embedded engine.
TEST(Cli, EveryEngineCommandTakesDeviceAndRejectsUnknownValues) {
  for (auto cmd : {std::vector<std::string>{"generate"}, {"lsp"}, {"serve"}, {"refactor"}, {"explain"},
                   {"review"}, {"bench"}, {"model", "logits"}}) {
    auto help = cmd;
    help.push_back("--help");
    ProcessResult h = run_coderx(help);
    EXPECT_EQ(h.exit_code, 0) << cmd.back();
    EXPECT_NE(h.out.find("--device auto|cpu|cuda"), std::string::npos) << cmd.back() << ": " << h.out;
    auto bad = cmd;
    bad.insert(bad.end(), {"--device", "gpu"});
    ProcessResult r = run_coderx(bad);
    EXPECT_EQ(r.exit_code, cmd[0] == "refactor" ? 3 : 2) << cmd.back();  // refactor's usage code is 3
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("unknown device 'gpu' (known: auto, cpu, cuda)"), std::string::npos) << r.err;
  }
}

TEST(Cli, SubcommandHelpExitsZero) {
  for (const char* cmd : {"lsp", "version"}) {
    ProcessResult r = run_coderx({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("usage: coderx"), std::string::npos);
  }
}

TEST(Cli, BadLogLevelIsAUsageError) {
  ProcessResult r = run_coderx({"--log-level", "loud", "version"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(count_lines(r.err), 1);
}

}  // namespace
}  // namespace coderx::testing
