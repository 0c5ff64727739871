// The bandwidth floor for the benchmark: the cheapest passes over float32 data already in wasm memory.
//   floor_read:  sum of n floats (every element read once), wasm SIMD128, 4 independent accumulators.
//   floor_rw:    y = x * k (every element read once and written once).
// Built by bench/floor.mjs with emcc into bench/.build/floor.wasm (standalone, no JS glue, no imports).
#include <stddef.h>
#include <wasm_simd128.h>

extern unsigned char __heap_base;

__attribute__((export_name("heap_base"))) size_t heap_base(void) { return (size_t)&__heap_base; }

__attribute__((export_name("floor_read"))) float floor_read(const float* x, size_t n) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = wasm_f32x4_add(a0, wasm_v128_load(x + i));
    a1 = wasm_f32x4_add(a1, wasm_v128_load(x + i + 4));
    a2 = wasm_f32x4_add(a2, wasm_v128_load(x + i + 8));
    a3 = wasm_f32x4_add(a3, wasm_v128_load(x + i + 12));
  }
  v128_t a = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
  float s = wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1) + wasm_f32x4_extract_lane(a, 2) +
            wasm_f32x4_extract_lane(a, 3);
  for (; i < n; i++) s += x[i];
  return s;
}

__attribute__((export_name("floor_rw"))) void floor_rw(const float* x, float* y, size_t n, float k) {
  const v128_t vk = wasm_f32x4_splat(k);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    wasm_v128_store(y + i, wasm_f32x4_mul(wasm_v128_load(x + i), vk));
    wasm_v128_store(y + i + 4, wasm_f32x4_mul(wasm_v128_load(x + i + 4), vk));
    wasm_v128_store(y + i + 8, wasm_f32x4_mul(wasm_v128_load(x + i + 8), vk));
    wasm_v128_store(y + i + 12, wasm_f32x4_mul(wasm_v128_load(x + i + 12), vk));
  }
  for (; i < n; i++) y[i] = x[i] * k;
}
