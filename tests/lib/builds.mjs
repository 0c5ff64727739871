// Loads both builds once per test file: `for (const [simd, xe] of await builds())`. One thread, so that the
// suite tests the builds a page without cross-origin isolation loads; XE_THREADS=2 runs it all against the
// threaded build instead (its SIMD side), tests/threads.test.mjs compares the two.
import { load } from '../../web/index.js';

export async function builds() {
  const threads = Number(process.env.XE_THREADS) || 1;
  return [
    [false, await load({ simd: false })],
    [true, await load({ simd: true, threads })],
  ];
}

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n float32 values uniform in [lo, hi), as a Float32Array. */
export function uniform(random, n, lo, hi) {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
}
