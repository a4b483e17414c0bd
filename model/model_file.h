// A Gemma 4 GGUF opened for inference: the mapping (model/gguf.h), its config (config.h), the
// checked tensor views (weights.h) and the forward pass's ModelView over them, kept together
// so the borrowed pointers stay valid. Used by the engine, `coderx model logits`, benchmarks.
// Lifetime: immutable after open(); share it by reference across threads freely.
// Errors: whatever the GGUF reader, config or weights loaders report (file, key and tensor
// named), plus make_model_view's unsupported forms.
#pragma once

#include <filesystem>
#include <memory>

#include "model/config.h"
#include "model/error.h"
#include "model/gguf.h"
#include "model/model_view.h"
#include "model/weights.h"

namespace coderx::model {

class ModelFile {
 public:
  static Result<std::unique_ptr<ModelFile>> open(const std::filesystem::path& path);

  const GgufFile& gguf() const { return gguf_; }
  const Gemma4Config& config() const { return config_; }
  const Gemma4Weights& weights() const { return weights_; }
  const ModelView& view() const { return view_; }

 private:
  explicit ModelFile(GgufFile gguf) : gguf_(std::move(gguf)) {}
  GgufFile gguf_;
  Gemma4Config config_;
  Gemma4Weights weights_;
  ModelView view_;
};

}  // namespace coderx::model
