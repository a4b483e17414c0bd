// `coderx model logits` end to end: the fast path on the F16 fixture reproduces llama.cpp's
// logits file within the fixture's tolerance; usage errors exit 2 and write nothing; without a
// GPU, `--device cuda` falls back to the CPU with one warning and the same logits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "model/backend_cuda.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::cli {
namespace {

std::vector<float> read_f32(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

TEST(CmdModelLogits, WritesRowsTimesVocabMatchingTheFixture) {
  testing::TempDir dir;
  const std::string tokens = "2,316,360,264,345,349,337,445,374,346,408,342,377,343,352,264,338,349,407,347,366,436,364,375,329,354,353,470,431,278,437,336,376,395,364,388,499,404,264,493,295,385,388,499,404,264,493,395,469,406,384,278";
  auto r = testing::run_coderx({"model", "logits", "--model",
                                testing::fixture("models/gemma4-tiny-moe-F16.gguf").string(),
                                "--tokens", tokens, "--out", (dir / "l.f32").string(), "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto got = read_f32(dir / "l.f32");
  const auto want = read_f32(testing::fixture("logits/gemma4-tiny-moe-F16.exactgelu.f32"));
  ASSERT_EQ(got.size(), 52u * 512u);
  ASSERT_EQ(want.size(), got.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i < got.size(); ++i) num += (got[i] - want[i]) * double(got[i] - want[i]), den += double(want[i]) * want[i];
  EXPECT_LE(num / den, 1.1e-6);
}

TEST(CmdModelLogits, UsageErrorsExitTwoAndWriteNothing) {
  testing::TempDir dir;
  const std::string model = testing::fixture("models/gemma4-tiny-moe-F16.gguf").string();
  const std::string out = (dir / "l.f32").string();
  EXPECT_EQ(testing::run_coderx({"model", "logits", "--model", model, "--tokens", "2,999", "--out", out}).exit_code, 2);
  EXPECT_EQ(testing::run_coderx({"model", "logits", "--model", model, "--tokens", "2", "--out", out, "--path", "gpu"}).exit_code, 2);
  EXPECT_EQ(testing::run_coderx({"model", "logits", "--model", model, "--bogus"}).exit_code, 2);
  auto missing = testing::run_coderx({"model", "logits", "--model", (dir / "none.gguf").string(), "--tokens", "2", "--out", out});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("none.gguf"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CmdModelLogits, AnOutputThatIsAFolderIsRefusedBeforeTheForwardPass) {
  testing::TempDir dir;
  const std::string model = testing::fixture("models/gemma4-tiny-moe-F16.gguf").string();
  std::filesystem::create_directory(dir / "out");
  auto r = testing::run_coderx({"model", "logits", "--model", model, "--tokens", "2", "--out",
                                (dir / "out").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot write " + (dir / "out").string() + ": it exists and is not a regular file"),
            std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_directory(dir / "out"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()),
            1);  // no temporary file
}

TEST(CmdModelLogits, DeviceCudaWithoutAGpuFallsBackToTheCpu) {
  const model::DeviceProbe probe = model::probe_cuda();
  if (probe.cuda_built && probe.unavailable.empty()) GTEST_SKIP() << "a CUDA device is present: " << probe.name;
  testing::TempDir dir;
  const std::string model = testing::fixture("models/gemma4-tiny-moe-F16.gguf").string();
  auto run = [&](const char* device, const char* out) {
    return testing::run_coderx({"model", "logits", "--model", model, "--tokens", "2,316,360,264", "--out",
                                (dir / out).string(), "--threads", "2", "--device", device});
  };
  const auto cpu = run("cpu", "cpu.f32"), cuda = run("cuda", "cuda.f32"), autod = run("auto", "auto.f32");
  ASSERT_EQ(cpu.exit_code, 0) << cpu.err;
  ASSERT_EQ(cuda.exit_code, 0) << cuda.err;
  ASSERT_EQ(autod.exit_code, 0) << autod.err;
  EXPECT_EQ(cpu.err.find("CUDA"), std::string::npos) << cpu.err;
  for (const auto* r : {&cuda, &autod}) {
    EXPECT_NE(r->err.find("CUDA backend unavailable: " + probe.unavailable + "; running on the CPU"), std::string::npos)
        << r->err;
    EXPECT_EQ(std::count(r->err.begin(), r->err.end(), '\n'), 2) << r->err;  // the message + "wrote ..."
  }
  EXPECT_NE(cuda.err.find("warning CUDA backend unavailable"), std::string::npos) << cuda.err;
  EXPECT_NE(autod.err.find("info CUDA backend unavailable"), std::string::npos) << autod.err;
  const auto want = read_f32(dir / "cpu.f32");
  ASSERT_EQ(want.size(), 4u * 512u);
  EXPECT_EQ(read_f32(dir / "cuda.f32"), want);
  EXPECT_EQ(read_f32(dir / "auto.f32"), want);
}

}  // namespace
}  // namespace coderx::cli
