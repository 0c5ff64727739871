// A stand-in for a language model's output: a seeded (B, T, V) float32 logits tensor, in the form
// onnxruntime-web returns it (an ort.Tensor: { data, dims }), and the token ids that followed each position.
export const VOCAB = ['<s>', 'the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'to', 'it', '.'];

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

/** { logits: { data: Float32Array, dims: [B, T, V] }, targets: Int32Array (B*T) } */
export function toyOutput(batch = 2, steps = 6, seed = 7) {
  const V = VOCAB.length;
  const random = rng(seed);
  const data = new Float32Array(batch * steps * V);
  const targets = new Int32Array(batch * steps);
  for (let i = 0; i < batch * steps; i++) {
    const next = Math.floor(random() * V);
    targets[i] = next;
    for (let v = 0; v < V; v++) data[i * V + v] = 4 * (random() - 0.5) + (v === next ? 3 * random() : 0);
  }
  return { logits: { data, dims: [batch, steps, V] }, targets };
}
