// What the app computes with a loaded instance; the test checks window.__result against hand-computed values.

/** The test opens the page with ?scalar to load the scalar build in a browser that has SIMD. */
export const forceScalar = new URLSearchParams(location.search).has('scalar');

export function compute(xe) {
  return {
    simd: xe.simd,
    version: xe.version,
    // The seed example: prediction [0.7, 0.2, 0.1], true class 0 -> 0.35667494 nats.
    seed: xe.crossEntropy([0.7, 0.2, 0.1], [0], { classes: 3, from: 'probs' }),
    softmax: Array.from(xe.softmax(new Float32Array([1, 2, 3]), { classes: 3 })),
  };
}

export function report(promise) {
  promise.then(
    (result) => (window.__result = result),
    (error) => (window.__result = { error: String(error && error.stack ? error.stack : error) }),
  );
}
