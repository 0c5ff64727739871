// A thread pool with one verb, as pthreadpool's parallelize_1d: parallel_for(chunks, work, task) calls
// task(i) once for every chunk i in [0, chunks), on the calling thread and on the pool's threads.
//
// Results never depend on the number of threads: a kernel cuts its work into chunks whose size depends on
// the shape only (chunk_rows below), each chunk writes its own outputs and its own partial result (an
// array indexed by chunk), and the kernel combines the partials in chunk order after parallel_for returns.
// One thread runs exactly the same chunks one after the other, so 1, 2 or 8 threads give the same bits.
//
// Only the build linked with -pthread (xentropy-threads) has a pool; in the SIMD and scalar builds
// parallel_for is the plain loop below, inlined, and costs nothing.
#pragma once

#include <cstddef>

namespace xe {

// The size of one chunk, in elements: a few tens of microseconds of work. Measured 2^13..2^16 within noise
// at 512 x 1000 on 2 threads; smaller chunks balance better over uneven rows.
constexpr size_t kChunkElements = size_t{1} << 14;

// Rows of c elements per chunk: about kChunkElements elements, at least one row. A function of c only.
inline size_t chunk_rows(size_t c) { return c >= kChunkElements ? 1 : kChunkElements / (c ? c : 1); }
inline size_t chunk_count(size_t rows, size_t per_chunk) { return (rows + per_chunk - 1) / per_chunk; }

using ChunkFn = void (*)(void* context, size_t chunk);

#ifdef __EMSCRIPTEN_PTHREADS__
// Which thread runs the current chunk: 0 on the calling thread, 1..n-1 on the pool's threads. Kernels use
// it to give each thread its own part of a shared scratch buffer (the float16 work buffer, rows.h).
int thread_index();
// Runs fn(context, i) for i in [0, chunks); on the calling thread alone when work (elements touched) is
// below the pool's threshold or the pool has no threads. Returns when every chunk has run.
void parallel_run(size_t chunks, size_t work, ChunkFn fn, void* context);
#else
inline int thread_index() { return 0; }
inline void parallel_run(size_t chunks, size_t, ChunkFn fn, void* context) {
  for (size_t i = 0; i < chunks; i++) fn(context, i);
}
#endif

template <class Task>
inline void parallel_for(size_t chunks, size_t work, Task&& task) {
  parallel_run(
      chunks, work, [](void* t, size_t i) { (*static_cast<Task*>(t))(i); }, &task);
}

// Rows [0, n) of c elements in chunks of chunk_rows(c): rows(begin, end) for each chunk, on any thread.
template <class Rows>
inline void parallel_rows(size_t n, size_t c, Rows&& rows) {
  const size_t per = chunk_rows(c);
  if (n <= per) {  // one chunk (most calls): called here, so the kernel's row loop can be inlined
    if (n != 0) rows(0, n);
    return;
  }
  parallel_for(chunk_count(n, per), n * c, [&](size_t chunk) {
    const size_t begin = chunk * per;
    rows(begin, n - begin < per ? n : begin + per);
  });
}

// As parallel_rows for a reduction: rows(begin, end) returns its chunk's partial sum, and the partials
// are added in chunk order, so the total does not depend on the number of threads.
template <class Rows>
inline double parallel_sum_rows(size_t n, size_t c, Rows&& rows) {
  const size_t per = chunk_rows(c), chunks = chunk_count(n, per);
  if (chunks <= 1) return chunks == 0 ? 0.0 : 0.0 + rows(0, n);  // 0.0 + : the sum below turns -0 into +0
  double* partial = new double[chunks];
  parallel_for(chunks, n * c, [&](size_t chunk) {
    const size_t begin = chunk * per;
    partial[chunk] = rows(begin, n - begin < per ? n : begin + per);
  });
  double total = 0.0;
  for (size_t i = 0; i < chunks; i++) total += partial[i];
  delete[] partial;
  return total;
}

// The pool (threaded build; elsewhere these say 1 and do nothing). pool_start(n) makes the calling thread
// and n - 1 pool threads work on every parallel_for; it returns the number of pool threads running.
// pool_stop() ends them (they return from their thread function) and waits until they have.
int pool_start(int threads);
void pool_stop();
int pool_threads();
// Calls of fewer elements than this stay on the calling thread (see README, Threads: measured).
void pool_set_threshold(size_t elements);

}  // namespace xe
