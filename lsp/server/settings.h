// The server's user settings: budgets per request kind, debounce, feature switches. Read from
// LSP initializationOptions, workspace/didChangeConfiguration and workspace/configuration
// (section "coderx"); each source patches what it names, in that precedence. Unknown keys are
// ignored; a value of the wrong type is skipped with a message (never fails the session).
// Shape: {"debounceMs": 60, "inlineCompletion": {"enabled": true}, "device": "auto|cpu|cuda",
//         "budgets": {"inlineCompletion"|"completion"|"refactor"|"explain":
//                     {"contextTokens", "thinkingTokens", "answerTokens", "deadlineMs"}}}
// optionally wrapped as {"coderx": {...}}. Plain values; copy to share across threads.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lsp/features/budget_table.h"
#include "lsp/protocol/types_features.h"
#include "model/device_select.h"

namespace coderx::server {

struct ServerSettings {
  features::BudgetTable budgets;
  std::chrono::milliseconds debounce{60};  // wait before starting an inline completion
  bool inline_completion = true;
  bool completion = true;
  // Where the embedded engine runs (model/device_select.h); read when the model loads (after
  // `initialize`), so only initializationOptions can set it. `--device` takes precedence.
  std::optional<model::DeviceKind> device;
};

// Applies the settings in `value`; returns one message per skipped entry.
std::vector<std::string> apply_settings(ServerSettings& settings, const boost::json::value& value);

features::BudgetPatch to_patch(const lsp::BudgetOverride& o);

}  // namespace coderx::server
