#include "fiber_grid.h"

#include <sys/mman.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <optional>
#include <vector>

// Switching fibers: on x86-64 a few instructions that save the callee-saved registers, the
// SSE and x87 control words and the stack pointer (ucontext's swapcontext also saves the signal
// mask, a system call each way, which made the emulation several times slower); elsewhere
// ucontext.
#if defined(__x86_64__)
extern "C" void coderx_emu_switch(void** save_sp, void* load_sp);
asm(R"(
.text
.globl coderx_emu_switch
.type coderx_emu_switch,@function
coderx_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
.size coderx_emu_switch, .-coderx_emu_switch
.section .note.GNU-stack,"",@progbits
.text
)");
#endif

// The linker's bounds of the section holding every CODERX_EMU_STATIC_SHARED variable (weak: a
// program may have none).
extern "C" {
extern unsigned char __start_coderx_emu_shared[] __attribute__((weak));
extern unsigned char __stop_coderx_emu_shared[] __attribute__((weak));
}

namespace coderx::emu {

namespace {

constexpr std::size_t kStackBytes = 512 * 1024;  // kernels at -O0 keep every local on the stack
constexpr std::size_t kMaxSharedBytes = 227 * 1024;
constexpr std::size_t kSharedGuardBytes = 64;  // after the dynamic shared memory, checked per block
constexpr unsigned char kSharedGuardByte = 0xA5;

// What a warp's lanes wait at: a GPU pairs a lane's __syncwarp, shuffle or vote only with the same
// collective in the other lanes, where the emulation's one barrier per warp would pair any two.
enum class Collective { none, syncwarp, shuffle, vote };

struct Barrier {
  unsigned expected = 0;  // threads that have not returned
  unsigned arrived = 0;
  std::uint64_t generation = 0;
  Collective kind = Collective::none;  // what the lanes arrived so far in this generation wait at
};

// One 16-byte cp.async: lands when a wait completes its group.
struct AsyncCopy {
  void* dst;
  const void* src;
  int src_bytes;
};

struct Fiber {
#if defined(__x86_64__)
  void* sp = nullptr;  // saved stack pointer while switched out
#else
  ucontext_t context{};
#endif
  uint3 index{};
  bool done = false;
  const Barrier* waiting = nullptr;  // the barrier it waits at, and that barrier's generation
  std::uint64_t waiting_generation = 0;
  std::vector<AsyncCopy> open_group;               // issued since the last commit
  std::vector<std::vector<AsyncCopy>> committed;   // oldest first
};

struct Grid {
  GridShape shape;
  const std::function<void()>* body = nullptr;
  std::vector<Fiber> fibers;
  std::vector<Barrier> warps;
  Barrier block;
  std::vector<std::uint64_t> slots;  // one exchange value per thread
  std::vector<unsigned char> shared;
  uint3 block_index{};
  int current = -1;
#if defined(__x86_64__)
  void* scheduler_sp = nullptr;
#else
  ucontext_t scheduler{};
#endif
  std::uint64_t events = 0;  // arrivals, releases and returns: progress, for deadlock detection
  std::string fault;         // the first mismatched warp collective of the block, if any
};

Grid* g_grid = nullptr;
std::optional<Schedule> g_schedule;  // unset: from the environment
std::vector<void*> g_stacks;  // reused by later grids

void* stack_for(std::size_t i) {
  while (g_stacks.size() <= i) {
    void* p = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      std::fprintf(stderr, "cuda emulation: cannot map a fiber stack\n");
      std::abort();
    }
    g_stacks.push_back(p);
  }
  return g_stacks[i];
}

Fiber& running() { return g_grid->fibers[static_cast<std::size_t>(g_grid->current)]; }
int running_warp() { return g_grid->current / 32; }
Barrier& running_warp_barrier() { return g_grid->warps[static_cast<std::size_t>(running_warp())]; }

const char* collective_name(Collective c) {
  switch (c) {
    case Collective::syncwarp: return "__syncwarp";
    case Collective::shuffle: return "a shuffle";
    case Collective::vote: return "a vote";
    case Collective::none: break;
  }
  return "a barrier";
}

#if defined(__x86_64__)
void yield() { coderx_emu_switch(&running().sp, g_grid->scheduler_sp); }
void resume(Grid& g, Fiber& f) { coderx_emu_switch(&g.scheduler_sp, f.sp); }
#else
void yield() { swapcontext(&running().context, &g_grid->scheduler); }
void resume(Grid& g, Fiber& f) { swapcontext(&g.scheduler, &f.context); }
#endif

void release(Barrier& b) {
  b.arrived = 0;
  ++b.generation;
  ++g_grid->events;
}

void wait(Barrier& b, Collective kind = Collective::none) {
  ++g_grid->events;
  const std::uint64_t generation = b.generation;
  if (b.arrived == 0) b.kind = kind;
  if (b.kind != kind && g_grid->fault.empty())
    g_grid->fault = "the lanes of warp " + std::to_string(running_warp()) + " wait at different collectives (" +
                    collective_name(b.kind) + " and " + collective_name(kind) + ")";
  if (++b.arrived == b.expected) {
    release(b);
    return;
  }
  Fiber& self = running();
  self.waiting = &b;
  self.waiting_generation = generation;
  while (b.generation == generation) yield();
  self.waiting = nullptr;
}

// A returning thread no longer counts; a barrier it was the last one missing completes.
void leave(Barrier& b) {
  --b.expected;
  if (b.arrived > 0 && b.arrived == b.expected) release(b);
}

void finish_thread() {
  running().done = true;
  ++g_grid->events;
  leave(g_grid->block);
  leave(g_grid->warps[static_cast<std::size_t>(running_warp())]);
}

#if defined(__x86_64__)
[[noreturn]] void fiber_main() {
  (*g_grid->body)();
  finish_thread();
  yield();  // never resumed: the scheduler skips finished fibers
  std::abort();
}

// A new fiber's stack as coderx_emu_switch leaves a switched-out one: the control words, six
// registers, then fiber_main as the return address, placed so that fiber_main starts with the
// stack alignment of a called function (rsp + 8 a multiple of 16).
void* initial_stack(void* base, std::size_t bytes) {
  auto top = (reinterpret_cast<std::uintptr_t>(base) + bytes) & ~std::uintptr_t(15);
  auto* slot = reinterpret_cast<std::uint64_t*>(top) - 2;  // [return address][pad]
  slot[0] = reinterpret_cast<std::uint64_t>(&fiber_main);
  slot -= 6;
  for (int i = 0; i < 6; ++i) slot[i] = 0;
  slot -= 1;
  const std::uint32_t words[2] = {0x1F80u, 0x037Fu};  // MXCSR and x87 control word defaults
  std::memcpy(slot, words, sizeof words);
  return slot;
}
#else
void fiber_main() {
  (*g_grid->body)();
  finish_thread();
}  // uc_link returns to the scheduler
#endif

unsigned threads_per_block(const dim3& b) { return b.x * b.y * b.z; }

void start_block(Grid& g, const uint3& block_index) {
  const unsigned n = threads_per_block(g.shape.block);
  g.block_index = block_index;
  g.fault.clear();
  std::fill(g.shared.begin(), g.shared.end() - kSharedGuardBytes, static_cast<unsigned char>(0xFF));
  std::fill(g.shared.end() - kSharedGuardBytes, g.shared.end(), kSharedGuardByte);
  if (__start_coderx_emu_shared != __stop_coderx_emu_shared)
    std::fill(__start_coderx_emu_shared, __stop_coderx_emu_shared, static_cast<unsigned char>(0xFF));
  g.block = Barrier{n, 0, 0};
  for (std::size_t w = 0; w < g.warps.size(); ++w) {
    const unsigned first = static_cast<unsigned>(w) * 32;
    g.warps[w] = Barrier{std::min(32u, n - first), 0, 0};
  }
  for (unsigned t = 0; t < n; ++t) {
    Fiber& f = g.fibers[t];
    f.done = false;
    f.waiting = nullptr;
    f.open_group.clear();
    f.committed.clear();
    f.index = uint3{t % g.shape.block.x, (t / g.shape.block.x) % g.shape.block.y,
                    t / (g.shape.block.x * g.shape.block.y)};
#if defined(__x86_64__)
    f.sp = initial_stack(stack_for(t), kStackBytes);
#else
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = stack_for(t);
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = &g.scheduler;
    makecontext(&f.context, fiber_main, 0);
#endif
  }
}

// Runs the block's fibers round-robin in the schedule's order until all return, skipping those
// whose barrier has not completed; false on a deadlock (a round in which nothing arrived,
// completed or returned).
bool run_block(Grid& g, Schedule order) {
  const std::size_t n = g.fibers.size();
  std::size_t remaining = n;
  while (remaining > 0) {
    const std::uint64_t before = g.events;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t t = order == Schedule::forward ? i : n - 1 - i;
      Fiber& f = g.fibers[t];
      if (f.done || (f.waiting && f.waiting->generation == f.waiting_generation)) continue;
      g.current = static_cast<int>(t);
      resume(g, f);
      if (f.done) --remaining;
    }
    if (remaining > 0 && g.events == before) return false;
  }
  return true;
}

// The n-th block of the grid in the schedule's order (x fastest).
uint3 block_at(const dim3& grid, std::uint64_t n, Schedule order) {
  const std::uint64_t total = static_cast<std::uint64_t>(grid.x) * grid.y * grid.z;
  const std::uint64_t i = order == Schedule::forward ? n : total - 1 - n;
  return uint3{static_cast<unsigned>(i % grid.x), static_cast<unsigned>(i / grid.x % grid.y),
               static_cast<unsigned>(i / grid.x / grid.y)};
}

}  // namespace

std::string launch_error(const GridShape& s) {
  const unsigned n = threads_per_block(s.block);
  if (n == 0 || n > 1024 || s.block.z > 64) return "invalid block shape";
  if (s.grid.x == 0 || s.grid.y == 0 || s.grid.z == 0 || s.grid.y > 65535 || s.grid.z > 65535)
    return "invalid grid shape";
  if (s.dynamic_smem > kMaxSharedBytes) return "too much dynamic shared memory";
  return "";
}

void set_schedule(Schedule schedule) { g_schedule = schedule; }

Schedule current_schedule() {
  if (g_schedule) return *g_schedule;
  const char* env = std::getenv("CODERX_EMU_SCHEDULE");
  const std::string name = env ? env : "forward";
  if (name == "forward") return Schedule::forward;
  if (name == "reverse") return Schedule::reverse;
  std::fprintf(stderr, "cuda emulation: CODERX_EMU_SCHEDULE is '%s'; it must be forward or reverse\n", name.c_str());
  std::abort();
}

std::string run_grid(const GridShape& shape, const std::function<void()>& body) {
  const Schedule order = current_schedule();
  Grid g;
  g.shape = shape;
  g.body = &body;
  const unsigned n = threads_per_block(shape.block);
  g.fibers.resize(n);
  g.warps.resize((n + 31) / 32);
  g.slots.assign(n, 0);
  g.shared.resize(shape.dynamic_smem + kSharedGuardBytes);
  g_grid = &g;
  std::string error;
  const std::uint64_t blocks = static_cast<std::uint64_t>(shape.grid.x) * shape.grid.y * shape.grid.z;
  for (std::uint64_t n = 0; n < blocks && error.empty(); ++n) {
    const uint3 b = block_at(shape.grid, n, order);
    start_block(g, b);
    const std::string where = "block (" + std::to_string(b.x) + ", " + std::to_string(b.y) + ", " + std::to_string(b.z) + ")";
    if (!run_block(g, order))
      error = "deadlock in " + where + ": every live thread waits at a barrier the others never reach";
    else if (!g.fault.empty())
      error = where + ": " + g.fault;
    else if (std::any_of(g.shared.end() - kSharedGuardBytes, g.shared.end(),
                         [](unsigned char b) { return b != kSharedGuardByte; }))
      error = where + " wrote past its " + std::to_string(shape.dynamic_smem) + " bytes of dynamic shared memory";
  }
  g_grid = nullptr;
  return error;
}

const uint3& thread_idx() { return running().index; }
const uint3& block_idx() { return g_grid->block_index; }
const dim3& block_dim() { return g_grid->shape.block; }
const dim3& grid_dim() { return g_grid->shape.grid; }
unsigned char* dynamic_shared() { return g_grid->shared.data(); }

void sync_block() { wait(g_grid->block); }

void async_copy16(void* dst, const void* src, int src_bytes) {
  if ((reinterpret_cast<std::uintptr_t>(dst) | reinterpret_cast<std::uintptr_t>(src)) & 15u) {
    std::fprintf(stderr, "cuda emulation: cp.async of 16 bytes from %p to %p: both must be 16-byte aligned (a GPU faults)\n",
                 src, dst);
    std::abort();
  }
  std::memset(dst, 0xFF, 16);  // undefined until the copy lands: NaN halves and floats
  running().open_group.push_back(AsyncCopy{dst, src, src_bytes});
}

void async_commit() {
  Fiber& f = running();
  f.committed.push_back(std::move(f.open_group));
  f.open_group.clear();
}

void async_wait(int newest_left_pending) {
  Fiber& f = running();
  const std::size_t keep = static_cast<std::size_t>(std::max(newest_left_pending, 0));
  while (f.committed.size() > keep) {
    for (const AsyncCopy& c : f.committed.front()) {
      std::memset(c.dst, 0, 16);
      std::memcpy(c.dst, c.src, static_cast<std::size_t>(c.src_bytes));
    }
    f.committed.erase(f.committed.begin());
  }
}
void sync_warp() { wait(running_warp_barrier(), Collective::syncwarp); }

std::uint64_t exchange_bits(std::uint64_t mine, int from) {
  const std::size_t base = static_cast<std::size_t>(running_warp()) * 32;
  g_grid->slots[static_cast<std::size_t>(g_grid->current)] = mine;
  wait(running_warp_barrier(), Collective::shuffle);
  const std::size_t src = base + static_cast<std::size_t>(from & 31);
  const std::uint64_t out = src < g_grid->slots.size() ? g_grid->slots[src] : mine;
  wait(running_warp_barrier(), Collective::shuffle);  // nobody overwrites its slot before every lane has read
  return out;
}

bool warp_any(bool mine) {
  const std::size_t base = static_cast<std::size_t>(running_warp()) * 32;
  g_grid->slots[static_cast<std::size_t>(g_grid->current)] = mine ? 1 : 0;
  wait(running_warp_barrier(), Collective::vote);
  bool any = false;
  for (std::size_t t = base; t < std::min(base + 32, g_grid->slots.size()); ++t)
    if (!g_grid->fibers[t].done && g_grid->slots[t] != 0) any = true;
  wait(running_warp_barrier(), Collective::vote);
  return any;
}

}  // namespace coderx::emu
