// Runs one generation for a client connection: the generator works on its own thread while the
// connection thread forwards the text it produces (coalesced, every ≤ 50 ms) and watches the
// client; when the client hangs up or stops taking data, the generation is cancelled through
// its stop token (the engine stops within a token). With stop strings (input.stops, the OpenAI
// `stop` parameter) the generation runs through features::generate_until_stop: no forwarded text
// shows part of a stop string, and the generation ends at the first one, as a `stop` finish.
//
// Who calls it: lsp/serve/routes. Threading: call on the connection's thread; `forward` runs
// there too (never on the engine's thread, so a slow client cannot stall the engine).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lsp/features/generator.h"
#include "lsp/serve/client_stream.h"

namespace coderx::serve {

struct TextDelta {
  std::string answer;
  std::string thinking;
  std::optional<features::Usage> usage;  // the generator's running counts, where it gives them
  bool empty() const { return answer.empty() && thinking.empty(); }
};

struct PumpResult {
  features::GenerationOutput output;  // answer cut before the first stop string
  std::string unforwarded_answer;     // the end of output.answer that `forward` has not had
  bool client_gone = false;           // the generation was cancelled because of the client
};

// `forward` (may be empty) returns false when the client cannot take more.
PumpResult pump_generation(features::TextGenerator& generator, const features::GenerationInput& input,
                           ClientStream& client,
                           const std::function<bool(const TextDelta&)>& forward);

}  // namespace coderx::serve
