#include "lsp/server/settings.h"

namespace coderx::server {

namespace json = boost::json;

features::BudgetPatch to_patch(const lsp::BudgetOverride& o) {
  return {o.context_tokens, o.thinking_tokens, o.answer_tokens, o.deadline_ms};
}

namespace {

void apply_budgets(ServerSettings& s, const json::object& budgets, std::vector<std::string>& errors) {
  static const std::pair<const char*, features::RequestKind> kinds[] = {
      {"inlineCompletion", features::RequestKind::inline_completion},
      {"completion", features::RequestKind::completion},
      {"refactor", features::RequestKind::refactor},
      {"explain", features::RequestKind::explain},
      {"review", features::RequestKind::review}};
  for (auto [name, kind] : kinds) {
    const json::value* v = budgets.if_contains(name);
    if (!v) continue;
    try {
      auto patch = json::value_to<lsp::BudgetOverride>(*v);
      s.budgets.set(kind, features::apply_patch(s.budgets.get(kind), to_patch(patch)));
    } catch (const std::exception& e) {
      errors.push_back(std::string("budgets.") + name + ": " + e.what());
    }
  }
}

}  // namespace

std::vector<std::string> apply_settings(ServerSettings& s, const json::value& value) {
  std::vector<std::string> errors;
  const json::object* o = value.if_object();
  if (!o) return errors;
  if (const json::value* inner = o->if_contains("coderx"); inner && inner->is_object()) o = &inner->get_object();
  if (const json::value* d = o->if_contains("debounceMs")) {
    if (d->is_int64() && d->get_int64() >= 0 && d->get_int64() <= 5000)
      s.debounce = std::chrono::milliseconds(d->get_int64());
    else
      errors.push_back("debounceMs: expected an integer in [0, 5000]");
  }
  for (auto [key, flag] : {std::pair{"inlineCompletion", &s.inline_completion},
                           std::pair{"completion", &s.completion}}) {
    const json::value* section = o->if_contains(key);
    if (!section || section->is_null()) continue;  // unset
    const json::object* f = section->if_object();
    const json::value* enabled = f ? f->if_contains("enabled") : nullptr;
    if (enabled && enabled->is_null()) enabled = nullptr;
    if (!f) errors.push_back(std::string(key) + ": expected an object ({\"enabled\": true|false})");
    else if (enabled && enabled->is_bool()) *flag = enabled->get_bool();
    else if (enabled) errors.push_back(std::string(key) + ".enabled: expected true or false");
  }
  if (const json::value* d = o->if_contains("device")) {
    auto kind = d->is_string() ? model::parse_device(std::string(d->get_string())) : model::parse_device("?");
    if (kind)
      s.device = *kind;
    else
      errors.push_back("device: expected \"auto\", \"cpu\" or \"cuda\"");
  }
  if (const json::value* b = o->if_contains("budgets")) {
    if (b->is_object())
      apply_budgets(s, b->get_object(), errors);
    else
      errors.push_back("budgets: expected an object");
  }
  return errors;
}

}  // namespace coderx::server
