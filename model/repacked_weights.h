// The CPU fast path's own copy of the weights it reads faster in another layout: every Q4_K,
// Q5_0 and Q8_0 matrix, and every stack of such expert matrices, whose rows come in whole groups
// of eight, repacked (quant/repack.h: a decode step's products run 1.7-2× as fast on it) into
// memory of its own, asked for in 2 MiB pages. As each tensor is copied, the file's pages of it
// are released from this process (the page cache keeps them), so resident memory stays close to
// the file's size throughout (when given the file's mapping). view() is the model with those
// matrices pointing into the copy; the rest (the embedding and LM head, norms, other types)
// still point into the mapping. The reference path and the CUDA backend keep reading the file's
// rows.
// Built once, on the given pool (or on the calling thread alone: a background build that the
// forward pass adopts when done, see CpuBackend); stops between tensors when asked. Read-only
// and thread-safe afterwards. The model's mapping must outlive it.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <stop_token>
#include <vector>

#include "model/model_view.h"
#include "model/thread_pool.h"

namespace coderx::model {

class RepackedWeights {
 public:
  // file: the read-only file mapping the model's weights point into, if they do; the pages of
  // each tensor copied from it are released (never those of weights in other memory, which
  // releasing would zero).
  RepackedWeights(const ModelView& model, ThreadPool* pool, std::span<const std::byte> file = {},
                  std::stop_token stop = {});

  // The byte ranges of the file's tensors a RepackedWeights of this model copies (and releases).
  static std::vector<std::span<const std::byte>> planned(const ModelView& model);

  const ModelView& view() const { return view_; }
  std::size_t bytes() const { return bytes_; }  // of the copy
  std::span<const std::byte> copy() const { return {copy_.get(), bytes_}; }
  // The byte ranges of the file's tensors that view() no longer reads.
  const std::vector<std::span<const std::byte>>& replaced() const { return replaced_; }

 private:
  ModelView view_;
  std::unique_ptr<std::byte, void (*)(void*)> copy_;
  std::size_t bytes_ = 0;
  std::vector<std::span<const std::byte>> replaced_;
};

}  // namespace coderx::model
