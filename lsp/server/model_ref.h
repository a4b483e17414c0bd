// Model references: wherever a model is named (CLI --model, `coderx model info`, the server's
// settings) coderx accepts
//   - a path to a GGUF file;
//   - `ollama:NAME[:TAG]` — the local Ollama store (formats-extra.md §3): $OLLAMA_MODELS, then
//     $HOME/.ollama/models, then /usr/share/ollama/.ollama/models; manifest → the layer of
//     media type application/vnd.ollama.image.model → blobs/sha256-<hex> (or the legacy
//     sha256:<hex>), size checked against the manifest. Names like gemma4:26b,
//     mannix/gemma4-98e-v7-coderx:Q4_K_M and hf.co/OWNER/REPO:TAG are accepted;
//   - `hf:OWNER/REPO/PATH/IN/REPO.gguf` — the local Hugging Face hub cache (formats-extra.md
//     §4): $HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub,
//     ~/.cache/huggingface/hub; refs/main → snapshots/<commit>/<path> (the snapshot path is
//     returned, not the blob, so split GGUFs find their siblings).
// Nothing is downloaded. A missing model gives Errc::not_found with every place looked and the
// command that fetches it (`ollama pull NAME`, `huggingface-cli download OWNER/REPO FILE`).
// Lives in lsp/server (JSON manifests; model/ stays JSON-free). Used by lsp/cli and the server.
// Pure functions of the file system and the ModelRefEnv passed in; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "model/error.h"

namespace coderx::server {

// The environment that resolution reads (injectable for tests).
struct ModelRefEnv {
  std::optional<std::string> ollama_models;          // OLLAMA_MODELS
  std::optional<std::string> home;                   // HOME
  std::optional<std::string> hf_hub_cache;           // HF_HUB_CACHE
  std::optional<std::string> huggingface_hub_cache;  // HUGGINGFACE_HUB_CACHE
  std::optional<std::string> hf_home;                // HF_HOME
  std::optional<std::string> xdg_cache_home;         // XDG_CACHE_HOME
  std::filesystem::path system_ollama_root = "/usr/share/ollama/.ollama/models";

  static ModelRefEnv from_process();
};

// Ollama name parts after defaults (registry.ollama.ai / library / latest).
struct OllamaName {
  std::string host, ns, model, tag;
  std::string display() const;  // "gemma4:26b" style, as `ollama pull` takes it
};
model::Result<OllamaName> parse_ollama_name(std::string_view name);

// The GGUF file a reference names (a path is returned as given after checking it exists).
model::Result<std::filesystem::path> resolve_model_ref(std::string_view ref,
                                                       const ModelRefEnv& env);
inline model::Result<std::filesystem::path> resolve_model_ref(std::string_view ref) {
  return resolve_model_ref(ref, ModelRefEnv::from_process());
}

}  // namespace coderx::server
