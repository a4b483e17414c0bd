#include "lsp/cli/args.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace coderx::cli {

ArgParser::ArgParser(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void ArgParser::flag(const std::string& name, bool* out, const std::string& help) {
  options_.push_back({name, "", help, true, out, {}});
}

void ArgParser::option(const std::string& name, const std::string& metavar,
                       const std::string& help, Setter set) {
  options_.push_back({name, metavar, help, false, nullptr, std::move(set)});
}

void ArgParser::option(const std::string& name, std::string* out, const std::string& metavar,
                       const std::string& help) {
  option(name, metavar, help, [out](const std::string& v) {
    *out = v;
    return std::string();
  });
}

void ArgParser::option(const std::string& name, std::int64_t* out, const std::string& metavar,
                       const std::string& help) {
  option(name, metavar, help, [out](const std::string& v) {
    const char* end = v.data() + v.size();
    auto [ptr, ec] = std::from_chars(v.data(), end, *out);
    return (ec == std::errc() && ptr == end) ? std::string() : "expected an integer, got '" + v + "'";
  });
}

void ArgParser::option(const std::string& name, double* out, const std::string& metavar,
                       const std::string& help) {
  option(name, metavar, help, [out](const std::string& v) {
    char* end = nullptr;
    *out = std::strtod(v.c_str(), &end);
    return (!v.empty() && end == v.c_str() + v.size()) ? std::string()
                                                        : "expected a number, got '" + v + "'";
  });
}

void ArgParser::positional(const std::string& metavar, std::string* out, const std::string& help,
                           bool required) {
  positionals_.push_back({metavar, help, out, nullptr, required});
}

void ArgParser::rest(const std::string& metavar, std::vector<std::string>* out,
                     const std::string& help) {
  positionals_.push_back({metavar, help, nullptr, out, false});
}

int ArgParser::usage_error(const std::string& message) const {
  std::fprintf(stderr, "%s: %s (see '%s --help')\n", program_.c_str(), message.c_str(),
               program_.c_str());
  return 2;
}

const ArgParser::Option* ArgParser::find(const std::string& name) const {
  for (const Option& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

std::optional<int> ArgParser::take_option(std::span<const std::string> args, std::size_t& i) {
  std::string name = args[i];
  std::optional<std::string> value;
  if (auto eq = name.find('='); eq != std::string::npos) {
    value = name.substr(eq + 1);
    name.resize(eq);
  }
  const Option* opt = find(name);
  if (!opt) return usage_error("unknown option '" + name + "'");
  if (opt->is_flag) {
    if (value) return usage_error("option '" + name + "' takes no value");
    *opt->flag_out = true;
    return std::nullopt;
  }
  if (!value) {
    if (i + 1 >= args.size()) return usage_error("option '" + name + "' needs a value");
    value = args[++i];
  }
  std::string error = opt->set(*value);
  if (!error.empty()) return usage_error(name + ": " + error);
  return std::nullopt;
}

std::optional<int> ArgParser::parse(std::span<const std::string> args) {
  std::size_t next_positional = 0;
  bool only_positionals = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!only_positionals && (arg == "--help" || arg == "-h")) {
      std::fputs(help().c_str(), stdout);
      return 0;
    }
    if (!only_positionals && arg == "--") {
      only_positionals = true;
      continue;
    }
    if (!only_positionals && arg.size() > 1 && arg[0] == '-') {
      if (auto rc = take_option(args, i)) return rc;
      continue;
    }
    if (next_positional >= positionals_.size())
      return usage_error("unexpected argument '" + arg + "'");
    Positional& p = positionals_[next_positional];
    if (p.rest) {
      p.rest->push_back(arg);
    } else {
      *p.out = arg;
      ++next_positional;
    }
  }
  for (std::size_t k = next_positional; k < positionals_.size(); ++k)
    if (positionals_[k].required) return usage_error("missing " + positionals_[k].metavar);
  return std::nullopt;
}

std::string ArgParser::help() const {
  std::string text = "usage: " + program_;
  if (!options_.empty()) text += " [options]";
  for (const Positional& p : positionals_)
    text += p.rest ? " [" + p.metavar + "...]" : p.required ? " " + p.metavar : " [" + p.metavar + "]";
  text += "\n\n" + summary_ + "\n";
  if (!positionals_.empty()) text += "\narguments:\n";
  for (const Positional& p : positionals_) text += "  " + p.metavar + "\n      " + p.help + "\n";
  text += "\noptions:\n  -h, --help\n      show this help\n";
  for (const Option& o : options_) {
    text += "  " + o.name + (o.is_flag ? "" : " " + o.metavar) + "\n      " + o.help + "\n";
  }
  return text;
}

}  // namespace coderx::cli
