#include "lsp/cli/generator_from_options.h"

#include "lsp/cli/device_option.h"
#include "lsp/features/canned_generator.h"
#include "lsp/features/engine_generator.h"
#include "lsp/features/remote_generator.h"
#include "lsp/server/model_ref.h"

namespace coderx::cli {

void add_generator_options(ArgParser& parser, GeneratorOptions& options) {
  parser.option("--model", &options.model, "MODEL", "model to load (path, ollama:NAME[:TAG], hf:...)");
  parser.option("--engine", &options.engine, "NAME",
                "'canned' (fixed answers, no model) or openai://HOST:PORT[/v1] (remote; https:// too)");
  parser.option("--token-delay-ms", &options.token_delay_ms, "MS", "canned engine: pause between words");
  add_device_option(parser, &options.device);
}

model::Result<std::shared_ptr<features::TextGenerator>> make_generator(const GeneratorOptions& options) {
  using model::Errc;
  if (options.token_delay_ms < 0 || options.token_delay_ms > 10000)
    return model::make_error(Errc::invalid_argument, "--token-delay-ms must be in [0, 10000]");
  if (options.engine == "canned")
    return std::shared_ptr<features::TextGenerator>(
        std::make_shared<features::CannedGenerator>(std::chrono::milliseconds(options.token_delay_ms)));
  if (model::remote::is_remote_engine(options.engine)) {
    auto remote = features::RemoteGenerator::create(options.engine, options.model);
    if (!remote) return remote.error();
    return std::shared_ptr<features::TextGenerator>(std::move(*remote));
  }
  if (!options.engine.empty())
    return model::make_error(Errc::invalid_argument,
                             "unknown engine '" + options.engine + "' (known: canned, openai://HOST:PORT)");
  if (options.model.empty())
    return model::make_error(Errc::invalid_argument, "no model: pass --model MODEL or --engine canned");
  auto path = server::resolve_model_ref(options.model);
  if (!path) return path.error();
  model::EngineOptions engine_options;
  engine_options.device = options.device;
  auto generator = features::EngineGenerator::load(*path, engine_options);
  if (!generator) return generator.error();
  return std::shared_ptr<features::TextGenerator>(std::move(*generator));
}

}  // namespace coderx::cli
