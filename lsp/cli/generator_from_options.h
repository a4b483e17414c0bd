// One place that turns the CLI's `--model` / `--engine` options into a features::TextGenerator,
// shared by `coderx review`, `refactor`, `explain` (and later `serve`).
//   --engine canned        fixed answers without a model (demos, plumbing tests)
//   --model MODEL          the embedded engine on that model (path, ollama:..., hf:...)
//   --engine openai://HOST:PORT[/v1]   a remote OpenAI-compatible server (openais://, https://
//                          for TLS); --model then names the served model (optional)
// Errors: unknown engine, no model and no engine, engine unavailable → Errc with a message for
// the user. Threading: call once per command; the generator accepts calls from several threads.
#pragma once

#include <memory>
#include <string>

#include "lsp/cli/args.h"
#include "lsp/features/generator.h"
#include "model/device_select.h"
#include "model/error.h"

namespace coderx::cli {

struct GeneratorOptions {
  std::string model;
  std::string engine;
  std::int64_t token_delay_ms = 0;  // canned engine only
  model::DeviceKind device = model::DeviceKind::auto_select;  // embedded engine only
};

// Registers --model, --engine, --token-delay-ms and --device on `parser`, writing into `options`.
void add_generator_options(ArgParser& parser, GeneratorOptions& options);

model::Result<std::shared_ptr<features::TextGenerator>> make_generator(const GeneratorOptions& options);

}  // namespace coderx::cli
