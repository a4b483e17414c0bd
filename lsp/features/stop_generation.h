// A generation that ends at the first of its input's stop strings in the answer, whatever the
// generator: the answer stream holds back text that could still become a stop string (so no
// callback ever sees part of one), the generation is cancelled as soon as one is complete, and
// the output then reads as a `stop` finish whose answer ends just before it. Text held back when
// the generation ends by itself is streamed at the end, so the stream adds up to the answer.
//
// Who calls it: Assistant (completions, with the stops and the settled test of trim_completion.h;
// refactors, which end when their code block closes) and `coderx serve` (the OpenAI `stop`). Threading: the callbacks run where the generator runs them;
// `stop` cancels as for the generator itself (finish `cancelled`).
#pragma once

#include <functional>
#include <stop_token>
#include <string_view>

#include "lsp/features/generator.h"

namespace coderx::features {

// `ended` (may be empty) is the caller's own test on the answer so far (a completion whose block
// has ended): once it holds, the generation is cancelled and reads as a `stop` finish, with all
// the text generated until then.
GenerationOutput generate_until_stop(TextGenerator& generator, const GenerationInput& input, std::stop_token stop,
                                     const StreamCallbacks& callbacks,
                                     const std::function<bool(std::string_view answer)>& ended = {});

}  // namespace coderx::features
