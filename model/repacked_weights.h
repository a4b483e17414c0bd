// The CPU fast path's own copy of the weights it reads faster in another layout: every Q4_K,
// Q5_0 and Q8_0 matrix, and every stack of such expert matrices, whose rows come in whole groups
// of eight, repacked (quant/repack.h: a decode step's products run 1.7-2× as fast on it) into
// memory of its own, asked for in 2 MiB pages. The reference path and the CUDA backend keep
// reading the file's rows.
// In three steps, so that a server can answer while the copy is made: the constructor plans the
// copy and reserves its memory; build() copies the tensors one after another (on a pool, or on a
// thread of its own), publishing each; adopt() points a view of the model at the copies done so
// far and releases the file's pages of them from this process (the page cache keeps them), so
// resident memory stays close to the file's size throughout. The embedding (also the tied LM
// head), norms and other types keep pointing into the mapping.
// Threading: build() on one thread at a time; copied() from any; adopt() from the thread that
// owns the view, between its reads of it. The model's mapping must outlive this.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <stop_token>
#include <vector>

#include "model/model_view.h"
#include "model/quant/types.h"
#include "model/thread_pool.h"

namespace coderx::model {

class RepackedWeights {
 public:
  // file: the read-only file mapping the model's weights point into, if they do: adopt()
  // releases the pages of each adopted tensor from it (never those of weights in other memory,
  // which releasing would zero). Without memory for the copy, nothing is planned.
  explicit RepackedWeights(const ModelView& model, std::span<const std::byte> file = {});

  // Copies every tensor not yet copied, in order; stops between tensors when asked.
  void build(ThreadPool* pool, std::stop_token stop = {});
  // Copies the next tensor; false when all are.
  bool build_next(ThreadPool* pool);
  std::size_t tensors() const { return plan_.size(); }
  std::size_t copied() const { return copied_.load(std::memory_order_acquire); }
  // Points view (the constructor's model or a copy of it) at the copies of tensors
  // [from, copied()) and releases their file pages; returns copied().
  std::size_t adopt(ModelView& view, std::size_t from) const;

  // The byte ranges of the tensors the plan copies (in the model given to the constructor).
  std::vector<std::span<const std::byte>> sources() const;
  std::size_t bytes() const { return bytes_; }  // of the copy
  std::span<const std::byte> copy() const { return {copy_.get(), bytes_}; }

 private:
  struct Tensor {
    std::span<const std::byte> source;  // in the model given to the constructor
    quant::Type type;
    std::int64_t rows, cols;
    std::size_t offset;  // in the copy
  };
  std::vector<Tensor> plan_;
  std::span<const std::byte> file_;
  std::unique_ptr<std::byte, void (*)(void*)> copy_;
  std::size_t bytes_ = 0;
  std::atomic<std::size_t> copied_{0};
};

// A model's repacked copy made at once on a pool, each tensor adopted as soon as it is copied
// (so that resident memory stays close to the file's size): the view, and the copy it points
// into.
struct RepackedModel {
  RepackedModel(const ModelView& model, ThreadPool* pool, std::span<const std::byte> file = {});
  RepackedWeights weights;
  ModelView view;
};

}  // namespace coderx::model
