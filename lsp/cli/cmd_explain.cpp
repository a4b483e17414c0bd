// `coderx explain FILE[:LINE[-LINE]]`: the model's explanation of a file or a line range, as
// markdown on stdout (streamed as it is generated).
// Exit codes: 0 done, 2 usage, unreadable file, bad range or engine error.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "context/languages.h"
#include "lsp/cli/args.h"
#include "lsp/cli/source_file.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/generator_from_options.h"
#include "lsp/features/assistant.h"

namespace coderx::cli {

namespace {

struct Target {
  std::string path;
  std::uint32_t first = 0, last = 0;  // 1-based lines; 0 = whole file
};

std::optional<std::uint32_t> number(std::string_view s) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

// "a.c", "a.c:12", "a.c:12-30". A suffix that is not a line range stays part of the path (names
// may hold ':'); one made of digits and '-' that is not a valid range is an error when the
// part before the colon names an existing file and the whole does not.
model::Result<Target> parse_target(const std::string& spec) {
  std::size_t colon = spec.rfind(':');
  if (colon == std::string::npos) return Target{spec};
  std::string_view range = std::string_view(spec).substr(colon + 1);
  std::size_t dash = range.find('-');
  auto first = number(range.substr(0, dash));
  auto last = dash == std::string_view::npos ? first : number(range.substr(dash + 1));
  if (first && last && *first <= *last) return Target{spec.substr(0, colon), *first, *last};
  bool range_like = !range.empty() && range.find_first_not_of("0123456789-") == std::string_view::npos;
  std::error_code ec;
  if (range_like && !std::filesystem::exists(spec, ec) && std::filesystem::exists(spec.substr(0, colon), ec))
    return model::make_error(model::Errc::invalid_argument,
                             "bad line range '" + std::string(range) +
                                 "': lines count from 1, as LINE or FIRST-LAST with FIRST <= LAST");
  return Target{spec};
}

// Byte offset of the start of 1-based line `line` (text.size() past the end).
std::uint32_t line_offset(std::string_view text, std::uint64_t line) {
  std::size_t at = 0;
  for (std::uint64_t i = 1; i < line && at < text.size(); ++i) {
    at = text.find('\n', at);
    at = at == std::string_view::npos ? text.size() : at + 1;
  }
  return static_cast<std::uint32_t>(at);
}

}  // namespace

int run_explain(Args args) {
  ArgParser parser("coderx explain", "Explain a file or a line range; markdown on stdout.");
  GeneratorOptions gen;
  std::string spec;
  parser.positional("FILE[:LINE[-LINE]]", &spec, "the file, optionally with 1-based lines");
  add_generator_options(parser, gen);
  if (auto rc = parser.parse(args)) return *rc;
  auto target = parse_target(spec);
  auto file = target ? read_source_file(target->path) : model::Result<ReadFile>(target.error());
  if (!file) {
    std::fprintf(stderr, "coderx explain: %s\n", file.error().message.c_str());
    return 2;
  }
  const std::string& text = file->content;
  std::uint32_t begin = 0, end = static_cast<std::uint32_t>(text.size());
  if (target->first) {
    begin = line_offset(text, target->first);
    end = line_offset(text, std::uint64_t{target->last} + 1);
    if (begin >= text.size()) {
      std::fprintf(stderr, "coderx explain: %s has fewer than %u lines\n", target->path.c_str(), target->first);
      return 2;
    }
  }
  auto generator = make_generator(gen);
  if (!generator) {
    std::fprintf(stderr, "coderx explain: %s\n", generator.error().message.c_str());
    return 2;
  }
  const context::Language* language = context::language_for_file(target->path, std::string_view(text).substr(0, 256));
  features::Assistant assistant(*generator);
  features::ExplainRequest request;
  request.doc = {target->path, language ? language->id : "plaintext", text};
  request.begin = begin;
  request.end = end;
  request.budgets = features::Budgets{8192, 0, 1024, std::chrono::milliseconds(300000)};
  bool streamed = false;
  auto result = assistant.explain(request, std::stop_token(), [&](std::string_view delta) {
    streamed = true;
    std::fwrite(delta.data(), 1, delta.size(), stdout);
    std::fflush(stdout);
  });
  if (!result) {
    std::fprintf(stderr, "coderx explain: %s\n", result.error().message.c_str());
    return 2;
  }
  if (!streamed) std::fwrite(result->markdown.data(), 1, result->markdown.size(), stdout);
  if (!result->markdown.ends_with('\n')) std::fputc('\n', stdout);
  return 0;
}

}  // namespace coderx::cli
