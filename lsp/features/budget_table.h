// Budgets per request kind: defaults in code, replaced by configuration (server settings) and
// overridden per request. Plain values; thread-safe to copy.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "lsp/features/generator.h"

namespace coderx::features {

// Any field left empty keeps the base value.
struct BudgetPatch {
  std::optional<std::int64_t> context_tokens;
  std::optional<std::int64_t> thinking_tokens;
  std::optional<std::int64_t> answer_tokens;
  std::optional<std::int64_t> deadline_ms;
};

// Applies `patch` to `base`, clamping each value to a sane range (no negative or absurd
// budgets: tokens to [0, 1<<20], deadline to [1 ms, 10 min]).
Budgets apply_patch(Budgets base, const BudgetPatch& patch);

class BudgetTable {
 public:
  BudgetTable();  // the defaults
  const Budgets& get(RequestKind kind) const { return table_[static_cast<int>(kind)]; }
  void set(RequestKind kind, const Budgets& budgets) { table_[static_cast<int>(kind)] = budgets; }
  Budgets for_request(RequestKind kind, const std::optional<BudgetPatch>& patch) const {
    return patch ? apply_patch(get(kind), *patch) : get(kind);
  }

 private:
  std::array<Budgets, 5> table_;
};

}  // namespace coderx::features
