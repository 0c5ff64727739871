// A stand-in for a segmentation network's output: seeded (N, C, H, W) float32 logits, in the form
// onnxruntime-web returns them (an ort.Tensor: { data, dims }, classes on axis 1), and the label images
// (N, H, W) they are scored against, with 255 marking "void" pixels on region borders (ignored, as in
// Pascal VOC).
export const CLASSES = ['background', 'sky', 'road', 'car'];
export const VOID = 255;

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The true class of pixel (y, x) of image n: sky above a horizon, road below, a car (a box) on the road,
// background in a band around the horizon.
function scene(n, y, x, H, W) {
  const horizon = Math.floor(H * (0.35 + 0.1 * n));
  const car = y >= horizon + 2 && y < horizon + 2 + H / 4 && x >= W / 4 + 3 * n && x < W / 2 + 3 * n;
  if (car) return 3;
  if (y < horizon - 1) return 1;
  if (y <= horizon + 1) return 0;
  return 2;
}

/** { logits: { data: Float32Array, dims: [N, C, H, W] }, labels: Uint8Array (N*H*W) } */
export function toyOutput(N = 2, H = 24, W = 20, seed = 11) {
  const C = CLASSES.length;
  const random = rng(seed);
  const data = new Float32Array(N * C * H * W);
  const labels = new Uint8Array(N * H * W);
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const truth = scene(n, y, x, H, W);
        const border = [
          [y - 1, x],
          [y + 1, x],
          [y, x - 1],
          [y, x + 1],
        ].some(([v, u]) => v >= 0 && v < H && u >= 0 && u < W && scene(n, v, u, H, W) !== truth);
        labels[(n * H + y) * W + x] = border ? VOID : truth;
        // The "network" favours the true class, by a margin that sometimes loses to the noise.
        for (let c = 0; c < C; c++) {
          const margin = c === truth ? 2.5 * random() : 0;
          data[((n * C + c) * H + y) * W + x] = 3 * (random() - 0.5) + margin;
        }
      }
    }
  }
  return { logits: { data, dims: [N, C, H, W] }, labels };
}
