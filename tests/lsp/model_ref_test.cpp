// Model references against fake Ollama stores and Hugging Face caches built in a TempDir,
// following the layouts of formats-extra.md §3 and §4.
#include "lsp/server/model_ref.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/paths.h"

namespace coderx::server {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const std::string kHex(64, 'a');
const std::string kHex2 = std::string(63, 'b') + "c";

using testing::write_file;

std::string manifest(const std::string& hex, std::size_t size) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:)" +
         kHex2 + R"(","size":10},
    "layers":[{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:)" + kHex2 +
         R"(","size":5},
              {"mediaType":"application/vnd.ollama.image.model","digest":"sha256:)" + hex +
         R"(","size":)" + std::to_string(size) + "}]}";
}

ModelRefEnv empty_env(const TempDir& dir) {
  ModelRefEnv env;
  env.system_ollama_root = dir / "system";
  return env;
}

TEST(OllamaName, ParsesLikeOllama) {
  auto n = parse_ollama_name("gemma4:26b").value();
  EXPECT_EQ(n.host, "registry.ollama.ai");
  EXPECT_EQ(n.ns, "library");
  EXPECT_EQ(n.model, "gemma4");
  EXPECT_EQ(n.tag, "26b");
  EXPECT_EQ(parse_ollama_name("gemma4").value().tag, "latest");
  auto m = parse_ollama_name("mannix/gemma4-98e-v7-coderx:Q4_K_M").value();
  EXPECT_EQ(m.ns, "mannix");
  EXPECT_EQ(m.model, "gemma4-98e-v7-coderx");
  EXPECT_EQ(m.tag, "Q4_K_M");
  EXPECT_EQ(m.display(), "mannix/gemma4-98e-v7-coderx:Q4_K_M");
  auto h = parse_ollama_name("hf.co/unsloth/gemma-4-26B-A4B-it-GGUF:Q4_K_M").value();
  EXPECT_EQ(h.host, "hf.co");
  EXPECT_EQ(h.ns, "unsloth");
  auto port = parse_ollama_name("https://localhost:5000/team/model").value();
  EXPECT_EQ(port.host, "localhost:5000");
  EXPECT_EQ(port.tag, "latest");
  for (const char* bad : {"foo:", "", "/model", "a/b.c/model", "-x", "model:t@g"})
    EXPECT_FALSE(parse_ollama_name(bad)) << bad;
}

TEST(ModelRef, OllamaFromOllamaModels) {
  TempDir dir;
  fs::path root = dir / "store";
  write_file(root / "manifests/registry.ollama.ai/mannix/gemma4-98e-v7-coderx/Q4_K_M",
             manifest(kHex, 4));
  write_file(root / ("blobs/sha256-" + kHex), "GGUF");
  ModelRefEnv env = empty_env(dir);
  env.ollama_models = " \"" + root.string() + "\" ";  // trimmed and unquoted like Ollama
  auto p = resolve_model_ref("ollama:mannix/gemma4-98e-v7-coderx:Q4_K_M", env);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, root / ("blobs/sha256-" + kHex));
}

TEST(ModelRef, OllamaHomeThenSystemStoreLegacyBlobAndCase) {
  TempDir dir;
  ModelRefEnv env = empty_env(dir);
  env.home = (dir / "home").string();
  fs::path sys = env.system_ollama_root;
  write_file(sys / "manifests/registry.ollama.ai/library/gemma4/26b", manifest(kHex, 3));
  write_file(sys / ("blobs/sha256:" + kHex), "abc");  // pre-2024 blob name
  auto p = resolve_model_ref("ollama:gemma4:26b", env);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, sys / ("blobs/sha256:" + kHex));
  // $HOME/.ollama/models wins over the system store; lower-cased directory from old stores.
  fs::path home_store = dir / "home/.ollama/models";
  write_file(home_store / "manifests/registry.ollama.ai/library/gemma4/26b", manifest(kHex2, 2));
  write_file(home_store / ("blobs/sha256-" + kHex2), "ab");
  EXPECT_EQ(resolve_model_ref("ollama:gemma4:26b", env).value(),
            home_store / ("blobs/sha256-" + kHex2));
  EXPECT_EQ(resolve_model_ref("ollama:GEMMA4:26b", env).value(),
            home_store / ("blobs/sha256-" + kHex2));
}

TEST(ModelRef, OllamaErrors) {
  TempDir dir;
  ModelRefEnv env = empty_env(dir);
  env.home = (dir / "home").string();
  env.ollama_models = (dir / "store").string();
  auto missing = resolve_model_ref("ollama:gemma4:26b", env);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, model::Errc::not_found);
  const std::string& m = missing.error().message;
  EXPECT_NE(m.find((dir / "store/manifests/registry.ollama.ai/library/gemma4/26b").string()),
            std::string::npos) << m;
  EXPECT_NE(m.find((dir / "home/.ollama/models/manifests").string()), std::string::npos);
  EXPECT_NE(m.find((dir / "system/manifests").string()), std::string::npos);
  EXPECT_NE(m.find("ollama pull gemma4:26b"), std::string::npos);

  fs::path root = dir / "store";
  fs::path mf = root / "manifests/registry.ollama.ai/library/gemma4/26b";
  write_file(mf, manifest(kHex, 4));
  auto no_blob = resolve_model_ref("ollama:gemma4:26b", env);
  EXPECT_NE(no_blob.error().message.find("missing from"), std::string::npos);
  write_file(root / ("blobs/sha256-" + kHex), "GG");
  auto short_blob = resolve_model_ref("ollama:gemma4:26b", env);
  EXPECT_NE(short_blob.error().message.find("has 2 bytes but the manifest says 4"),
            std::string::npos) << short_blob.error().message;
  write_file(mf, R"({"layers":[{"mediaType":"application/vnd.ollama.image.tensor"}]})");
  EXPECT_NE(resolve_model_ref("ollama:gemma4:26b", env).error().message.find("not a GGUF model"),
            std::string::npos);
  write_file(mf, "{not json");
  EXPECT_NE(resolve_model_ref("ollama:gemma4:26b", env).error().message.find("not valid JSON"),
            std::string::npos);
}

TEST(ModelRef, HuggingFaceCacheSnapshot) {
  TempDir dir;
  ModelRefEnv env = empty_env(dir);
  const std::string commit(40, 'e');
  fs::path repo = dir / "hfhome/hub/models--unsloth--gemma-4-26B-A4B-it-GGUF";
  write_file(repo / "refs/main", commit + "\n");
  write_file(repo / "blobs" / kHex, "GGUF");
  fs::create_directories(repo / "snapshots" / commit / "Q4_K_M");
  fs::create_symlink("../../../blobs/" + kHex,
                     repo / "snapshots" / commit / "Q4_K_M/model.gguf");
  env.hf_home = (dir / "hfhome").string();
  auto p = resolve_model_ref("hf:unsloth/gemma-4-26B-A4B-it-GGUF/Q4_K_M/model.gguf", env);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, repo / "snapshots" / commit / "Q4_K_M/model.gguf");  // not the blob path
  // HF_HUB_CACHE comes first.
  fs::path first = dir / "hubcache/models--unsloth--gemma-4-26B-A4B-it-GGUF";
  write_file(first / "refs/main", commit);
  write_file(first / "snapshots" / commit / "Q4_K_M/model.gguf", "GGUF");
  env.hf_hub_cache = (dir / "hubcache").string();
  EXPECT_EQ(resolve_model_ref("hf:unsloth/gemma-4-26B-A4B-it-GGUF/Q4_K_M/model.gguf", env).value(),
            first / "snapshots" / commit / "Q4_K_M/model.gguf");
}

TEST(ModelRef, HuggingFaceXdgAndHomeAndErrors) {
  TempDir dir;
  ModelRefEnv env = empty_env(dir);
  env.home = (dir / "home").string();
  env.xdg_cache_home = (dir / "xdg").string();
  const std::string commit(40, '1');
  fs::path repo = dir / "home/.cache/huggingface/hub/models--o--r";
  write_file(repo / "snapshots" / commit / "f.gguf", "GGUF");  // no refs/main: scan snapshots
  EXPECT_EQ(resolve_model_ref("hf:o/r/f.gguf", env).value(), repo / "snapshots" / commit / "f.gguf");
  write_file(repo / "refs/main", commit);
  write_file(repo / ".no_exist" / commit / "g.gguf", "");
  auto known_missing = resolve_model_ref("hf:o/r/g.gguf", env);
  ASSERT_FALSE(known_missing);
  const std::string& m = known_missing.error().message;
  EXPECT_NE(m.find("does not exist at commit"), std::string::npos) << m;
  EXPECT_NE(m.find((dir / "xdg/huggingface/hub/models--o--r").string()), std::string::npos) << m;
  EXPECT_NE(m.find("huggingface-cli download o/r g.gguf"), std::string::npos) << m;
  EXPECT_FALSE(resolve_model_ref("hf:o/r", env));
  EXPECT_FALSE(resolve_model_ref("hf:o/r/../../etc/passwd", env));
  auto plain = resolve_model_ref((dir / "none.gguf").string(), env);
  EXPECT_NE(plain.error().message.find("does not exist"), std::string::npos);
  EXPECT_EQ(resolve_model_ref((repo / "refs/main").string(), env).value(), repo / "refs/main");
}

}  // namespace
}  // namespace coderx::server
