// A small command-line parser for coderx subcommands: flags, options with values, positionals,
// generated --help. Usage errors print one line to stderr and give exit code 2.
//
//   ArgParser p("coderx model info", "Describe a GGUF model file.");
//   std::string file; bool json = false;
//   p.positional("MODEL", &file, "path, ollama:NAME[:TAG] or hf:OWNER/REPO/FILE.gguf");
//   p.flag("--json", &json, "print JSON instead of text");
//   if (auto rc = p.parse(args)) return *rc;   // --help or a usage error
//
// Not thread-safe; one parser per invocation. Options accept "--name value" and "--name=value".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace coderx::cli {

class ArgParser {
 public:
  // Converts the option's text; returns an error message ("" = accepted).
  using Setter = std::function<std::string(const std::string&)>;

  ArgParser(std::string program, std::string summary);

  void flag(const std::string& name, bool* out, const std::string& help);
  void option(const std::string& name, const std::string& metavar, const std::string& help,
              Setter set);
  void option(const std::string& name, std::string* out, const std::string& metavar,
              const std::string& help);
  void option(const std::string& name, std::int64_t* out, const std::string& metavar,
              const std::string& help);
  void option(const std::string& name, double* out, const std::string& metavar,
              const std::string& help);
  void positional(const std::string& metavar, std::string* out, const std::string& help,
                  bool required = true);
  void rest(const std::string& metavar, std::vector<std::string>* out, const std::string& help);

  // nullopt: parsed, carry on. Otherwise the exit code to return: 0 after --help (printed to
  // stdout), 2 after a usage error (one line on stderr).
  std::optional<int> parse(std::span<const std::string> args);
  std::string help() const;

 private:
  struct Option {
    std::string name, metavar, help;
    bool is_flag = false;
    bool* flag_out = nullptr;
    Setter set;
  };
  struct Positional {
    std::string metavar, help;
    std::string* out = nullptr;
    std::vector<std::string>* rest = nullptr;
    bool required = true;
  };

  int usage_error(const std::string& message) const;
  const Option* find(const std::string& name) const;
  std::optional<int> take_option(std::span<const std::string> args, std::size_t& i);

  std::string program_, summary_;
  std::vector<Option> options_;
  std::vector<Positional> positionals_;
};

}  // namespace coderx::cli
