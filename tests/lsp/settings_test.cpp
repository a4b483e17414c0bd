// Server settings from client JSON, and budget patches with clamping.
#include "lsp/server/settings.h"

#include <gtest/gtest.h>

namespace coderx::server {
namespace {

TEST(Settings, PatchesWhatIsNamedAndReportsBadValues) {
  ServerSettings s;
  auto before = s.budgets.get(features::RequestKind::refactor);
  auto errors = apply_settings(s, boost::json::parse(R"({"coderx":{"debounceMs":25,
      "inlineCompletion":{"enabled":false},
      "budgets":{"explain":{"answerTokens":100,"deadlineMs":5000},"completion":{"answerTokens":"many"}}}})"));
  EXPECT_EQ(s.debounce.count(), 25);
  EXPECT_FALSE(s.inline_completion);
  EXPECT_EQ(s.budgets.get(features::RequestKind::explain).answer_tokens, 100);
  EXPECT_EQ(s.budgets.get(features::RequestKind::explain).deadline.count(), 5000);
  EXPECT_EQ(s.budgets.get(features::RequestKind::refactor).answer_tokens, before.answer_tokens);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("budgets.completion"), std::string::npos);
  EXPECT_EQ(apply_settings(s, boost::json::parse(R"({"debounceMs":-4})")).size(), 1u);
  EXPECT_EQ(s.debounce.count(), 25);
  EXPECT_TRUE(apply_settings(s, nullptr).empty());
}

TEST(Settings, FeatureSwitchesTakeBooleansAndSayWhatIsWrong) {
  ServerSettings s;
  EXPECT_TRUE(apply_settings(s, boost::json::parse(R"({"completion":{"enabled":false},"inlineCompletion":null})")).empty());
  EXPECT_FALSE(s.completion);
  EXPECT_TRUE(s.inline_completion);
  struct Case {
    const char* json;
    const char* error;
  } cases[] = {{R"({"inlineCompletion":{"enabled":"no"}})", "inlineCompletion.enabled: expected true or false"},
               {R"({"completion":{"enabled":0}})", "completion.enabled: expected true or false"},
               {R"({"inlineCompletion":false})", "inlineCompletion: expected an object"}};
  for (const Case& c : cases) {
    auto errors = apply_settings(s, boost::json::parse(c.json));
    ASSERT_EQ(errors.size(), 1u) << c.json;
    EXPECT_EQ(errors[0].rfind(c.error, 0), 0u) << errors[0];
  }
  EXPECT_FALSE(s.completion);  // bad values change nothing
  EXPECT_TRUE(s.inline_completion);
}

TEST(Settings, DeviceIsOneOfAutoCpuCuda) {
  ServerSettings s;
  EXPECT_FALSE(s.device);
  EXPECT_TRUE(apply_settings(s, boost::json::parse(R"({"coderx":{"device":"cuda"}})")).empty());
  EXPECT_EQ(s.device, model::DeviceKind::cuda);
  EXPECT_TRUE(apply_settings(s, boost::json::parse(R"({"device":"cpu"})")).empty());
  EXPECT_EQ(s.device, model::DeviceKind::cpu);
  for (const char* bad : {R"({"device":"gpu"})", R"({"device":1})", R"({"device":null})"}) {
    auto errors = apply_settings(s, boost::json::parse(bad));
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_NE(errors[0].find("device"), std::string::npos);
    EXPECT_EQ(s.device, model::DeviceKind::cpu) << bad;  // a bad value changes nothing
  }
  EXPECT_TRUE(apply_settings(s, boost::json::parse(R"({"device":"auto"})")).empty());
  EXPECT_EQ(s.device, model::DeviceKind::auto_select);
}

TEST(Settings, BudgetPatchesClamp) {
  features::Budgets b = features::apply_patch({}, {-5, std::int64_t{1} << 40, std::nullopt, 0});
  EXPECT_EQ(b.context_tokens, 0);
  EXPECT_EQ(b.thinking_tokens, 1 << 20);
  EXPECT_EQ(b.answer_tokens, features::Budgets{}.answer_tokens);
  EXPECT_EQ(b.deadline.count(), 1);
}

}  // namespace
}  // namespace coderx::server
