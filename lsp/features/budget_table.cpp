#include "lsp/features/budget_table.h"

#include <algorithm>

namespace coderx::features {

const char* to_string(RequestKind kind) {
  switch (kind) {
    case RequestKind::inline_completion: return "inline completion";
    case RequestKind::completion: return "completion";
    case RequestKind::refactor: return "refactor";
    case RequestKind::explain: return "explain";
    case RequestKind::review: return "review";
  }
  return "?";
}

const char* to_string(FinishReason reason) {
  switch (reason) {
    case FinishReason::stop: return "stop";
    case FinishReason::answer_budget: return "answer_budget";
    case FinishReason::deadline: return "deadline";
    case FinishReason::cancelled: return "cancelled";
    case FinishReason::error: return "error";
  }
  return "?";
}

namespace {

std::int64_t clamp_tokens(std::int64_t v) { return std::clamp<std::int64_t>(v, 0, 1 << 20); }

}  // namespace

Budgets apply_patch(Budgets base, const BudgetPatch& patch) {
  if (patch.context_tokens) base.context_tokens = clamp_tokens(*patch.context_tokens);
  if (patch.thinking_tokens) base.thinking_tokens = clamp_tokens(*patch.thinking_tokens);
  if (patch.answer_tokens) base.answer_tokens = clamp_tokens(*patch.answer_tokens);
  if (patch.deadline_ms)
    base.deadline = std::chrono::milliseconds(std::clamp<std::int64_t>(*patch.deadline_ms, 1, 600000));
  return base;
}

BudgetTable::BudgetTable() {
  using std::chrono::milliseconds;
  set(RequestKind::inline_completion, Budgets{2048, 0, 128, milliseconds(2000)});
  set(RequestKind::completion, Budgets{2048, 0, 64, milliseconds(1500)});
  set(RequestKind::refactor, Budgets{6144, 1024, 1024, milliseconds(60000)});
  set(RequestKind::explain, Budgets{4096, 512, 768, milliseconds(30000)});
  set(RequestKind::review, Budgets{4096, 0, 512, milliseconds(120000)});
}

}  // namespace coderx::features
