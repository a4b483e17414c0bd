#include "model/model_file.h"

namespace coderx::model {

Result<std::unique_ptr<ModelFile>> ModelFile::open(const std::filesystem::path& path) {
  auto gguf = GgufFile::open(path);
  if (!gguf) return gguf.error();
  std::unique_ptr<ModelFile> m(new ModelFile(std::move(*gguf)));
  auto config = load_config(m->gguf_);
  if (!config) return config.error();
  m->config_ = std::move(*config);
  auto weights = load_weights(m->gguf_, m->config_);
  if (!weights) return weights.error();
  m->weights_ = std::move(*weights);
  auto view = make_model_view(m->config_, m->weights_);
  if (!view) return make_error(view.error().code, path.string() + ": " + view.error().message);
  m->view_ = std::move(*view);
  return m;
}

}  // namespace coderx::model
