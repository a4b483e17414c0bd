// The CUDA emulation's scheduler (fiber_grid.h): barriers wait for every live thread of the
// block or warp, warp exchanges see every lane's value, threads that return early release the
// others, a missing barrier shows up as stale data, mismatched barriers are reported as a
// deadlock, writes past the dynamic shared memory or a device buffer are reported, shapes
// CUDA would refuse are refused, cp.async copies land only at the wait for their group, and the
// reverse schedule runs blocks and threads last first, showing races the forward one hides, and
// static shared memory starts each block poisoned, and lanes of a warp waiting at different
// collectives are reported.
#include "fiber_grid.h"

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include "device_guards.h"

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace coderx::emu {
namespace {

unsigned linear_thread() { return thread_idx().x + thread_idx().y * block_dim().x; }

TEST(FiberGrid, BlockBarrierPublishesEveryThreadsWrite) {
  const GridShape shape{dim3(3), dim3(32, 3), 0};
  std::vector<int> shared(96, -1), seen(3 * 96, -1);
  const std::string error = run_grid(shape, [&] {
    const unsigned t = linear_thread();
    shared[t] = static_cast<int>(block_idx().x * 1000 + t);
    sync_block();
    seen[block_idx().x * 96 + t] = shared[(t + 1) % 96];
    sync_block();  // nobody rewrites shared for the next block before all have read
  });
  ASSERT_EQ(error, "");
  for (unsigned b = 0; b < 3; ++b)
    for (unsigned t = 0; t < 96; ++t) EXPECT_EQ(seen[b * 96 + t], static_cast<int>(b * 1000 + (t + 1) % 96));
}

TEST(FiberGrid, WithoutABarrierAThreadSeesStaleData) {
  std::vector<int> shared(64, -1), seen(64, 0);
  ASSERT_EQ(run_grid({dim3(1), dim3(64), 0},
                     [&] {
                       const unsigned t = thread_idx().x;
                       shared[t] = static_cast<int>(t);
                       seen[t] = shared[(t + 1) % 64];  // the race a missing __syncthreads leaves
                     }),
            "");
  int stale = 0;
  for (int v : seen) stale += v == -1;
  EXPECT_GT(stale, 0);
}

// Sets the schedule for one test and restores the one before.
class ScheduleScope {
 public:
  explicit ScheduleScope(Schedule s) : before_(current_schedule()) { set_schedule(s); }
  ~ScheduleScope() { set_schedule(before_); }
  ScheduleScope(const ScheduleScope&) = delete;
  ScheduleScope& operator=(const ScheduleScope&) = delete;

 private:
  Schedule before_;
};

// The (block, thread) pairs in the order they first ran.
std::vector<std::pair<unsigned, unsigned>> start_order(Schedule s) {
  ScheduleScope scope(s);
  std::vector<std::pair<unsigned, unsigned>> order;
  EXPECT_EQ(run_grid({dim3(3, 2), dim3(4), 0}, [&] { order.emplace_back(block_idx().x + 3 * block_idx().y, thread_idx().x); }), "");
  return order;
}

TEST(FiberGrid, TheReverseScheduleRunsTheLastBlockAndThreadFirst) {
  const auto forward = start_order(Schedule::forward), reverse = start_order(Schedule::reverse);
  ASSERT_EQ(forward.size(), 24u);
  ASSERT_EQ(reverse.size(), 24u);
  for (std::size_t i = 0; i < 24; ++i) {
    EXPECT_EQ(forward[i], std::make_pair(static_cast<unsigned>(i / 4), static_cast<unsigned>(i % 4))) << i;
    EXPECT_EQ(reverse[i], forward[23 - i]) << i;
  }
}

// How many of 64 threads read a stale value when each reads its lower neighbour's write with
// no barrier between: none forward (the writer ran first), all but thread 0 in reverse.
int stale_reads_of_lower_neighbour(Schedule s) {
  ScheduleScope scope(s);
  std::vector<int> shared(64, -1), seen(64, 0);
  EXPECT_EQ(run_grid({dim3(1), dim3(64), 0},
                     [&] {
                       const unsigned t = thread_idx().x;
                       shared[t] = static_cast<int>(t);
                       if (t > 0) seen[t] = shared[t - 1];
                     }),
            "");
  int stale = 0;
  for (int v : seen) stale += v == -1;
  return stale;
}

TEST(FiberGrid, EachScheduleShowsARaceTheOtherHides) {
  EXPECT_EQ(stale_reads_of_lower_neighbour(Schedule::forward), 0);
  EXPECT_EQ(stale_reads_of_lower_neighbour(Schedule::reverse), 63);
}

TEST(FiberGrid, StaticSharedMemoryIsPoisonedPerBlock) {
  std::vector<std::uint32_t> before(3, 0);
  ASSERT_EQ(run_grid({dim3(3), dim3(32), 0},
                     [&] {
                       CODERX_EMU_STATIC_SHARED std::uint32_t cell[4];
                       if (thread_idx().x == 0) {
                         before[block_idx().x] = cell[1];
                         cell[1] = 7;  // what a GPU would not hand to the next block
                       }
                     }),
            "");
  for (std::uint32_t v : before) EXPECT_EQ(v, 0xFFFFFFFFu);
}

TEST(FiberGrid, LanesAtDifferentWarpCollectivesAreReported) {
  const auto run = [](bool mismatched) {
    return run_grid({dim3(1), dim3(64), 0}, [&] {
      const unsigned t = thread_idx().x;
      if (mismatched && t == 40)
        sync_warp();  // the other lanes of warp 1 shuffle: on a GPU these never meet
      else
        warp_exchange(t, static_cast<int>(t ^ 1));
    });
  };
  EXPECT_EQ(run(false), "");
  const std::string error = run(true);
  EXPECT_NE(error.find("block (0, 0, 0): the lanes of warp 1 wait at different collectives"), std::string::npos) << error;
}

TEST(FiberGrid, WarpExchangeAndAnySeeEveryLane) {
  std::vector<std::uint64_t> sums(64, 0);
  std::vector<int> any_odd(64, -1), any_big(64, -1);
  ASSERT_EQ(run_grid({dim3(1), dim3(64), 0},
                     [&] {
                       const unsigned t = thread_idx().x, lane = t & 31;
                       std::uint64_t v = t;
                       for (int off = 16; off > 0; off >>= 1) v += warp_exchange(v, static_cast<int>(lane) ^ off);
                       sums[t] = v;
                       any_odd[t] = warp_any(t == 40);  // only warp 1 has it
                       any_big[t] = warp_any(false);
                     }),
            "");
  for (unsigned t = 0; t < 64; ++t) {
    EXPECT_EQ(sums[t], t < 32 ? 496u : 32u * 32 + 496u) << t;
    EXPECT_EQ(any_odd[t], t >= 32 ? 1 : 0) << t;
    EXPECT_EQ(any_big[t], 0) << t;
  }
}

TEST(FiberGrid, ReturnedThreadsReleaseTheBarrier) {
  int after = 0;
  ASSERT_EQ(run_grid({dim3(2), dim3(100), 0},
                     [&] {
                       if (thread_idx().x >= 37) return;  // like `if (row >= n) return;`
                       sync_block();
                       ++after;
                     }),
            "");
  EXPECT_EQ(after, 2 * 37);
}

TEST(FiberGrid, MismatchedBarriersAreADeadlock) {
  const std::string error = run_grid({dim3(1), dim3(64), 0}, [&] {
    if (thread_idx().x == 0)
      sync_warp();  // waits for lanes 1…31, which wait at the block barrier for lane 0
    else
      sync_block();
  });
  EXPECT_NE(error.find("deadlock"), std::string::npos) << error;
}

TEST(FiberGrid, DynamicSharedMemoryIsPoisonedPerBlock) {
  std::vector<std::uint8_t> first(2, 0);
  ASSERT_EQ(run_grid({dim3(2), dim3(1), 16},
                     [&] {
                       first[block_idx().x] = dynamic_shared()[5];
                       dynamic_shared()[5] = 7;
                     }),
            "");
  EXPECT_EQ(first[0], 0xFF);
  EXPECT_EQ(first[1], 0xFF);
}

TEST(FiberGrid, AWritePastTheDynamicSharedMemoryIsReported) {
  const std::string error = run_grid({dim3(1), dim3(32), 128}, [&] {
    if (thread_idx().x == 31) dynamic_shared()[128] = 0;  // one byte too far
  });
  EXPECT_NE(error.find("wrote past its 128 bytes of dynamic shared memory"), std::string::npos) << error;
}

TEST(DeviceGuards, AWritePastADeviceBufferIsReportedOnce) {
  void* p = nullptr;
  ASSERT_EQ(cudaMalloc(&p, 100), cudaSuccess);
  EXPECT_EQ(check_device_guards(), "");
  static_cast<unsigned char*>(p)[99] = 1;  // the last byte asked for: fine
  EXPECT_EQ(check_device_guards(), "");
  static_cast<unsigned char*>(p)[100] = 1;  // the first byte past it
  EXPECT_EQ(check_device_guards(), "wrote past the end of a 100-byte device buffer");
  EXPECT_EQ(check_device_guards(), "");
  EXPECT_EQ(cudaFree(p), cudaSuccess);
}

TEST(FiberGrid, ShapesCudaRefusesAreRefused) {
  EXPECT_EQ(launch_error({dim3(1), dim3(1024), 0}), "");
  EXPECT_NE(launch_error({dim3(1), dim3(1025), 0}), "");
  EXPECT_NE(launch_error({dim3(0), dim3(32), 0}), "");
  EXPECT_NE(launch_error({dim3(1, 65536), dim3(32), 0}), "");
  EXPECT_NE(launch_error({dim3(1), dim3(32), 228 * 1024}), "");
}

TEST(FiberGrid, AsyncCopiesLandOnlyWhenAWaitCompletesTheirGroup) {
  const GridShape shape{dim3(2), dim3(4), 0};
  std::vector<unsigned char> source(16 * 8);
  for (std::size_t i = 0; i < source.size(); ++i) source[i] = static_cast<unsigned char>(i);
  std::vector<unsigned char> stage(2 * 16 * 4, 0), before_wait(16 * 4), after_one(16 * 4), after_all(16 * 4);
  const std::string error = run_grid(shape, [&] {
    const unsigned t = thread_idx().x;
    unsigned char* first = &stage[16 * t];
    unsigned char* second = &stage[16 * (4 + t)];
    async_copy16(first, &source[16 * t], 16);
    async_commit();
    async_copy16(second, &source[16 * (4 + t)], 5);  // 5 bytes, then 11 zeros
    async_commit();
    std::memcpy(&before_wait[16 * t], first, 16);
    async_wait(1);  // the older group lands, the newer stays pending
    std::memcpy(&after_one[16 * t], second, 16);
    EXPECT_EQ(std::memcmp(first, &source[16 * t], 16), 0);
    async_wait(0);
    std::memcpy(&after_all[16 * t], second, 16);
  });
  ASSERT_EQ(error, "");
  for (unsigned t = 0; t < 4; ++t)
    for (unsigned b = 0; b < 16; ++b) {
      EXPECT_EQ(before_wait[16 * t + b], 0xFF) << "read before its wait";
      EXPECT_EQ(after_one[16 * t + b], 0xFF) << "the newest group landed early";
      EXPECT_EQ(after_all[16 * t + b], b < 5 ? source[16 * (4 + t) + b] : 0) << "zero fill past src_bytes";
    }
}

TEST(FiberGridDeathTest, AMisalignedAsyncCopyStopsTheRun) {
  alignas(16) unsigned char source[48] = {}, stage[32] = {};
  const auto copy = [&](const unsigned char* src, unsigned char* dst) {
    return run_grid({dim3(1), dim3(1), 0}, [&] {
      async_copy16(dst, src, 16);
      async_commit();
      async_wait(0);
    });
  };
  EXPECT_EQ(copy(source + 16, stage + 16), "");
  EXPECT_DEATH(copy(source + 8, stage), "must be 16-byte aligned");
  EXPECT_DEATH(copy(source, stage + 4), "must be 16-byte aligned");
}

}  // namespace
}  // namespace coderx::emu
