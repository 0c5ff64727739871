// A language model's logits, scored client-side: perplexity, the log-probability of each actual next token,
// and the top-5 alternatives at every position.
//   node examples/lm-logprobs/main.mjs
// The logits are (B, T, V), shaped as an onnxruntime-web ort.Tensor gives them: { data, dims }. The class
// axis is the last one (dim: -1), not PyTorch's loss default (dim 1), so every call says so.
import { load } from '../../web/index.js';
import { VOCAB, toyOutput } from './toy-model.mjs';

const xe = await load();
const { logits, targets } = toyOutput(); // replace with: const logits = (await session.run(feeds)).logits;
const opts = { shape: logits.dims, dim: -1 };
const [B, T, V] = logits.dims;

// Perplexity over every token: exp(mean cross-entropy); bits per token too.
const { perplexity, bits, accuracy } = xe.evaluate(logits.data, targets, opts);

// The log-probability of each actual next token: log-softmax along the vocabulary, then a gather.
const logProbs = xe.logSoftmax(logits.data, opts);
const tokenLogProbs = Array.from(targets, (t, i) => logProbs[i * V + t]);

// The 5 most likely tokens at each position with their log-probabilities: one pass per position.
const top = xe.topK(logits.data, 5, { ...opts, values: 'logProbs' }); // indices, values: (B, T, 5)

for (let b = 0; b < B; b++) {
  console.log(`sequence ${b}`);
  for (let t = 0; t < T; t++) {
    const i = b * T + t;
    const alts = Array.from(
      top.indices.subarray(i * 5, i * 5 + 5),
      (k, r) => `${VOCAB[k]} ${top.values[i * 5 + r].toFixed(2)}`,
    );
    console.log(
      `  ${String(t).padStart(2)}  ${VOCAB[targets[i]].padEnd(4)} ${tokenLogProbs[i].toFixed(3).padStart(7)}   ${alts.join(', ')}`,
    );
  }
}
console.log(
  `perplexity ${perplexity.toFixed(3)}, ${bits.toFixed(3)} bits per token, top-1 ${(100 * accuracy).toFixed(1)} %`,
);
console.log(
  JSON.stringify({
    perplexity,
    tokenLogProbs,
    top5: { indices: Array.from(top.indices), values: Array.from(top.values) },
  }),
);
