// The pool behind parallel_for (parallel.h). Built into every variant; only the -pthread build has threads.
//
// One job at a time, published by the calling thread: the job's function, context and thread count go to
// one of two slots, the chunks are cut into one contiguous range per thread ([t * chunks / T, (t + 1) *
// chunks / T) for T threads), then `wake` = the job's generation announces it and a futex wakes the pool.
// Each thread first runs the chunks of its own range in order, then takes what is left of the others'
// from their ends (the calling thread owns the last range, the pool's thread i the range i - 1). So
// successive calls on the same arrays run each part on the thread that touched it last, from its cache,
// where chunks claimed in order by whichever thread came first moved about half of them between the cores
// on every call (2 threads, zero-copy, against that with the stack gap of parallel_run: softmax 1.15x at
// 8 x 128000, softmax and loss + grad 1.05x at 64 x 32000, 1.0-1.05x at 512 x 1000). The calling thread
// owns the end: an input it has just copied in is still in its cache from there (measured within noise).
// A range is one 64-bit word, generation (24 bits) | lo (20) | hi (20); a thread claims a chunk by a
// compare-and-swap that succeeds only while the word holds its job's generation, so a thread that wakes
// late can never run a chunk of a job that has ended (and a slot is rewritten only two jobs later, after
// every chunk of its job has run). Each thread adds the number of chunks it ran to `done` once, and the
// caller returns when `done` reaches the chunk count. Which thread runs which chunk does not change the
// results: each chunk writes its own outputs, and kernels combine per-chunk partial results in chunk order.
// The words that threads write (a range each, `done`) and those they poll (`wake`) have cache lines of
// their own.
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

// A range's word: generation | lo | hi, kBits each for lo and hi. A job of more chunks runs on the calling
// thread alone (none in 32-bit memory: 2^20 chunks of at least 2^13 elements).
constexpr int kBits = 20;
constexpr uint64_t kMask = (uint64_t{1} << kBits) - 1;
constexpr size_t kMaxChunks = kMask;
constexpr uint32_t kGenerationMask = (uint32_t{1} << (64 - 2 * kBits)) - 1;

struct alignas(64) Range {
  std::atomic<uint64_t> word{0};
};
struct alignas(64) Slot {
  std::atomic<ChunkFn> fn{nullptr};
  std::atomic<void*> context{nullptr};
  std::atomic<int> parts{1};
};
struct alignas(64) Signal {
  std::atomic<uint32_t> wake{0};
  std::atomic<int> quit{0};
};
struct alignas(64) Counter {
  std::atomic<size_t> value{0};
};

Range ranges[kMaxThreads + 1];
Slot slots[2];
Signal signal;
Counter done;
std::atomic<int> started{0};
uint32_t generation = 0;
pthread_t threads[kMaxThreads];
int thread_count = 0;
// Calls below this many elements stay on the calling thread. Measured 2026-12-02 (2 cores, load average
// 8-13) as bench/threads.mjs --threshold does, but with one threaded instance at threshold 2^32 - 1 against
// one at 0 (same build), interleaved, min of 200-300 rounds: loss, loss + grad and softmax at C = 10 and
// 1000, 2^13..2^19 elements. At best a second thread costs about 10 us (wake-up and join: the 2-thread time
// minus half the 1-thread time at 2 chunks, 8-13 us), and the cheapest kernels (loss and softmax at C = 1000)
// take 0.9 ns per element on one thread, so 2 threads reach 1.3x from 3.7 * 10 us / 0.9 ns = 41000 elements:
// 2^16, the next power of two. Under that load the helper mostly got no core and most sizes up to 2^19 ran
// at 1.0x (the calling thread runs every chunk a late helper has not claimed). Re-measured 2026-12-03 on the
// quiet VM (load 0.8, `node bench/threads.mjs --threshold`, after the stack gap): with the pool thread
// spinning from the previous call, 2 chunks (2^15 elements, 28-98 us on one thread) already gain 1.37-1.79x
// and 2^16 1.56-1.84x; but a pool thread that has gone to sleep (after ~30 us idle) costs 10-20 us to wake,
// which would eat a 2^15 call's gain, so the threshold stays at 2^16.
size_t threshold = size_t{1} << 16;

uint64_t pack(uint32_t g, size_t lo, size_t hi) {
  return static_cast<uint64_t>(g) << (2 * kBits) | static_cast<uint64_t>(lo) << kBits | hi;
}

// Claims a chunk of range r: its lowest (its owner) or its highest (any other thread).
bool claim(Range& r, uint32_t g, bool low, size_t* chunk) {
  uint64_t v = r.word.load();
  for (;;) {
    const size_t lo = (v >> kBits) & kMask, hi = v & kMask;
    if (static_cast<uint32_t>(v >> (2 * kBits)) != g || lo >= hi) return false;
    if (r.word.compare_exchange_weak(v, low ? v + (uint64_t{1} << kBits) : v - 1)) {
      *chunk = low ? lo : hi - 1;
      return true;
    }
  }
}

thread_local int this_thread = 0;  // 0 on the calling thread; set by thread_main on the pool's

// The range thread t starts on: the caller's is the last one.
int own_range(int t, int parts) { return t == 0 ? parts - 1 : (t - 1) % parts; }

// Runs chunks of job g, its own range's first, until none is left or the job has ended; adds them to done.
void help(uint32_t g) {
  const Slot& s = slots[g & 1];
  const ChunkFn fn = s.fn.load();
  void* const context = s.context.load();
  const int parts = s.parts.load();
  const int own = own_range(this_thread, parts);
  size_t count = 0, chunk;
  while (claim(ranges[own], g, true, &chunk)) {
    fn(context, chunk);
    count++;
  }
  for (int k = 1; k < parts; k++) {
    const int r = (own + parts - k) % parts;
    while (claim(ranges[r], g, false, &chunk)) {
      fn(context, chunk);
      count++;
    }
  }
  if (count) done.value.fetch_add(count);
}

void* thread_main(void* arg) {
  this_thread = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  started.fetch_add(1);
  uint32_t seen = signal.wake.load();
  for (;;) {
    uint32_t w;
    for (int spin = 0;; spin++) {
      if (signal.quit.load()) {
        started.fetch_sub(1);
        return nullptr;
      }
      w = signal.wake.load();
      if (w != seen) break;
      if (spin >= kSpins) emscripten_futex_wait(&signal.wake, w, INFINITY);
    }
    seen = w;
    help(w);
  }
}

}  // namespace

int thread_index() { return this_thread; }

void parallel_run(size_t chunks, size_t work, ChunkFn fn, void* context) {
  if (thread_count == 0 || chunks < 2 || work < threshold || chunks > kMaxChunks) {
    for (size_t i = 0; i < chunks; i++) fn(context, i);
    return;
  }
  const uint32_t g = generation = (generation + 1) & kGenerationMask;
  const int parts = thread_count + 1;
  Slot& s = slots[g & 1];
  s.fn.store(fn);
  s.context.store(context);
  s.parts.store(parts);
  done.value.store(0);
  for (int t = 0; t < parts; t++) ranges[t].word.store(pack(g, chunks * t / parts, chunks * (t + 1) / parts));
  signal.wake.store(g);
  emscripten_futex_wake(&signal.wake, INT_MAX);
  // Every thread reads the task and what it captures from the frames above this one, while the calling
  // thread's own chunks write their frames below: 128 bytes of stack between the two keep those writes off
  // the lines (and line pairs) the other threads read. Without it, softmax at 512 x 1000 on 2 threads took
  // 0.245 ms instead of 0.200 with the stack where this build happened to put it (old pool code too).
  volatile char* const gap = static_cast<volatile char*>(__builtin_alloca(128));
  gap[0] = 0;
  help(g);
  while (done.value.load() < chunks) {
  }
}

int pool_start(int n) {
  pool_stop();
  signal.quit.store(0);
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
  signal.quit.store(1);
  signal.wake.fetch_add(1);
  emscripten_futex_wake(&signal.wake, INT_MAX);
  for (int i = 0; i < thread_count; i++) pthread_join(threads[i], nullptr);
  thread_count = 0;
  generation = signal.wake.load() & kGenerationMask;  // the next job's differs from what new threads see
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
