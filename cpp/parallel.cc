// The pool behind parallel_for (parallel.h). Built into every variant; only the -pthread build has threads.
//
// One job at a time, published by the calling thread: the job's function, context and chunk count go to
// one of two slots, then `state` = (generation << 32 | next chunk) announces it and a futex wakes the pool.
// Every thread, the caller included, claims chunks by a compare-and-swap on `state`, which succeeds only
// while the generation is still the job's, so a thread that wakes late can never run a chunk of a job that
// has ended (and a slot is rewritten only two jobs later, after every chunk of its job has run). The caller
// returns once `done` reaches the chunk count. Which thread runs which chunk does not matter: each chunk
// writes its own outputs, and kernels combine per-chunk partial results in chunk order.
#include "parallel.h"

#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/threading.h>
#include <pthread.h>

#include <atomic>
#include <climits>
#include <cmath>
#include <cstdint>
#endif

namespace xe {

#ifdef __EMSCRIPTEN_PTHREADS__
namespace {

constexpr int kMaxThreads = 64;
// Idle threads poll for a next job this many times before sleeping on the futex: back-to-back calls then
// skip the wake-up (tens of microseconds in browsers and Node), at the price of a few tens of microseconds
// of one core after each call.
constexpr int kSpins = 1 << 14;

struct Slot {
  std::atomic<ChunkFn> fn{nullptr};
  std::atomic<void*> context{nullptr};
  std::atomic<size_t> chunks{0};
};

Slot slots[2];
std::atomic<uint64_t> state{0};  // (generation << 32) | next chunk to claim
std::atomic<uint32_t> wake{0};   // futex word: the latest generation
std::atomic<size_t> done{0};     // chunks of the current job that have run
std::atomic<int> quit{0};
std::atomic<int> started{0};  // pool threads inside their loop
uint32_t generation = 0;      // calling thread only
pthread_t threads[kMaxThreads];
int thread_count = 0;
// Calls below this many elements stay on the calling thread. Measured 2026-12-02 (2 cores, load average
// 8-13) as bench/threads.mjs --threshold does, but with one threaded instance at threshold 2^32 - 1 against
// one at 0 (same build), interleaved, min of 200-300 rounds: loss, loss + grad and softmax at C = 10 and
// 1000, 2^13..2^19 elements. At best a second thread costs about 10 us (wake-up and join: the 2-thread time
// minus half the 1-thread time at 2 chunks, 8-13 us), and the cheapest kernels (loss and softmax at C = 1000)
// take 0.9 ns per element on one thread, so 2 threads reach 1.3x from 3.7 * 10 us / 0.9 ns = 41000 elements:
// 2^16, the next power of two. Under that load the helper mostly got no core and most sizes up to 2^19 ran
// at 1.0x (the calling thread runs every chunk a late helper has not claimed): re-measure on a quiet machine.
size_t threshold = size_t{1} << 16;

// Runs chunks of job g until none is left or the job has ended.
void help(uint32_t g) {
  const Slot& s = slots[g & 1];
  const ChunkFn fn = s.fn.load();
  void* const context = s.context.load();
  const size_t chunks = s.chunks.load();
  uint64_t v = state.load();
  for (;;) {
    if (static_cast<uint32_t>(v >> 32) != g || static_cast<uint32_t>(v) >= chunks) return;
    if (!state.compare_exchange_weak(v, v + 1)) continue;  // v now holds the current state
    fn(context, static_cast<uint32_t>(v));
    done.fetch_add(1);
    v = state.load();
  }
}

thread_local int this_thread = 0;  // 0 on the calling thread; set by thread_main on the pool's

void* thread_main(void* arg) {
  this_thread = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  started.fetch_add(1);
  uint32_t seen = wake.load();
  for (;;) {
    uint32_t w;
    for (int spin = 0;; spin++) {
      if (quit.load()) {
        started.fetch_sub(1);
        return nullptr;
      }
      w = wake.load();
      if (w != seen) break;
      if (spin >= kSpins) emscripten_futex_wait(&wake, w, INFINITY);
    }
    seen = w;
    help(w);
  }
}

}  // namespace

int thread_index() { return this_thread; }

void parallel_run(size_t chunks, size_t work, ChunkFn fn, void* context) {
  if (thread_count == 0 || chunks < 2 || work < threshold) {
    for (size_t i = 0; i < chunks; i++) fn(context, i);
    return;
  }
  const uint32_t g = ++generation;
  Slot& s = slots[g & 1];
  s.fn.store(fn);
  s.context.store(context);
  s.chunks.store(chunks);
  done.store(0);
  state.store(static_cast<uint64_t>(g) << 32);
  wake.store(g);
  emscripten_futex_wake(&wake, INT_MAX);
  help(g);
  while (done.load() < chunks) {
  }
}

int pool_start(int n) {
  pool_stop();
  quit.store(0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);  // the kernels need little stack
  for (int i = 0; i + 1 < n && i < kMaxThreads; i++) {
    if (pthread_create(&threads[thread_count], &attr, thread_main,
                       reinterpret_cast<void*>(static_cast<intptr_t>(thread_count + 1))) != 0)
      break;
    thread_count++;
  }
  pthread_attr_destroy(&attr);
  return thread_count;
}

void pool_stop() {
  if (thread_count == 0) return;
  quit.store(1);
  wake.fetch_add(1);
  emscripten_futex_wake(&wake, INT_MAX);
  for (int i = 0; i < thread_count; i++) pthread_join(threads[i], nullptr);
  thread_count = 0;
}

int pool_threads() { return started.load(); }
void pool_set_threshold(size_t elements) { threshold = elements; }

#else
int pool_start(int) { return 0; }
void pool_stop() {}
int pool_threads() { return 0; }
void pool_set_threshold(size_t) {}
#endif

}  // namespace xe
