// The implementations under test. Each `setup(op, data)` runs once in a fresh child process (Node) or page
// (browser), before any timing: it converts inputs to the form the implementation wants (one-hot tensors,
// int64 labels, ...) and returns { run, async?, note? }, where run() does one complete call — typed arrays
// in, a JS number or typed array out — or { unsupported: 'why' }. This file runs in Node and, bundled by
// bench/browser.mjs, in the browsers: where the libraries and their wasm files come from is `host`'s job.
import { FIT, FOCAL_GAMMA, REPORT_OPTIONS, SIGMOID_FOCAL, TOPK, Z_LOSS } from './data.mjs';

/** Node's answers; bench/browser-entry.mjs replaces them with URLs on the bench server. */
export const host = {
  browser: false,
  // bench/run.mjs points XE_BENCH_LIB at its snapshot of web/ + dist/; run by hand, the tree itself.
  async xentropy() {
    const { pathToFileURL } = await import('node:url');
    const lib = process.env.XE_BENCH_LIB;
    return import(lib ? pathToFileURL(lib).href : new URL('../web/index.js', import.meta.url).href);
  },
  async floorWasm() {
    const { readFileSync } = await import('node:fs');
    return readFileSync(new URL('./.build/floor.wasm', import.meta.url));
  },
  /** The directory of tfjs-backend-wasm's .wasm files, with a trailing separator. */
  async tfjsWasmDir() {
    const { createRequire } = await import('node:module');
    const path = await import('node:path');
    const file = createRequire(import.meta.url).resolve(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    );
    return path.dirname(file) + path.sep;
  },
  // tfjs-core's CommonJS bundle (what Node loads) registers no gradients; its ESM files do, but import
  // without extensions: bench/tfjs-hooks.mjs resolves them (the child runs with --import for it).
  tfjsGradients: () => import('@tensorflow/tfjs-core/dist/register_all_gradients.js'),
  tfjsLayers: () => import('@tensorflow/tfjs-layers'),
  ort: () => import('onnxruntime-web'),
  ortWasmPaths: undefined,
};

// ---------------------------------------------------------------- xentropy

async function xentropy(op, { n, c, x, labels, onehot }, { simd = true, zeroCopy = false, threads = 1 } = {}) {
  const { load } = await host.xentropy();
  const xe = await load({ simd, threads });
  if (xe.threads !== threads) throw new Error(`asked for ${threads} threads, got ${xe.threads}`);
  if (op === 'fit') {
    if (zeroCopy) return { unsupported: 'the same Classifier.fit as the copying API', same: 'xentropy' };
    const model = new xe.Classifier({
      features: c,
      classes: FIT.classes,
      hidden: [FIT.hidden],
      activation: 'relu',
      seed: 1,
    });
    const fitOptions = { epochs: 1, batchSize: FIT.batchSize, learningRate: FIT.learningRate, optimizer: 'adam' };
    let epochs = 0;
    return {
      run: () => ({ loss: model.fit(x, labels, fitOptions)[0].loss, epochs: ++epochs }),
      note: `Classifier({ hidden: [${FIT.hidden}], activation: 'relu' }).fit(adam, batch ${FIT.batchSize}, shuffled)`,
      teardown: () => model.dispose(),
    };
  }
  const opts = { classes: c };
  // The 0.2 ops, copying API only (zero-copy gains the same as for loss + grad).
  const extra = {
    focalgrad: (out) => () => xe.focalLossWithGrad(x, labels, { classes: c, gamma: FOCAL_GAMMA, out }),
    zlossgrad: (out) => () => xe.crossEntropyWithGrad(x, labels, { classes: c, zLoss: Z_LOSS, out }),
    bcegrad: (out) => () => xe.binaryCrossEntropyWithGrad(x, onehot, { out }),
    sfocalgrad: (out) => () => xe.sigmoidFocalLossWithGrad(x, onehot, { ...SIGMOID_FOCAL, out }),
  };
  if (extra[op]) {
    if (zeroCopy) return { unsupported: 'measured through the copying API only' };
    return { run: extra[op](new Float32Array(n * c)) };
  }
  if (op === 'topk' || op === 'eval' || op === 'evalx') {
    let input = x;
    if (zeroCopy) {
      input = xe.alloc(n * c);
      input.array.set(x);
    }
    if (op === 'topk') return { run: () => xe.topK(input, TOPK, { classes: c, values: 'logProbs' }) };
    const evalOpts = op === 'evalx' ? { classes: c, ...REPORT_OPTIONS } : opts;
    return { run: () => xe.evaluate(input, labels, evalOpts) };
  }
  if (!zeroCopy) {
    const out = new Float32Array(n * c);
    if (op === 'loss') return { run: () => xe.crossEntropy(x, labels, opts) };
    if (op === 'lossgrad') return { run: () => xe.crossEntropyWithGrad(x, labels, { classes: c, out }) };
    return { run: () => xe.softmax(x, { classes: c, out }) };
  }
  // Zero-copy: logits and output resident in wasm memory; labels (int32, N of them) are still copied.
  const wx = xe.alloc(n * c);
  wx.array.set(x);
  const wout = xe.alloc(n * c);
  const view = (r) => r.array; // for checking only: a view, not a copy
  if (op === 'loss') return { run: () => xe.crossEntropy(wx, labels, opts) };
  if (op === 'lossgrad') {
    return {
      run: () => xe.crossEntropyWithGrad(wx, labels, { classes: c, out: wout }),
      view: (r) => ({ loss: r.loss, grad: view(r.grad) }),
    };
  }
  return { run: () => xe.softmax(wx, { classes: c, out: wout }), view };
}

// ---------------------------------------------------------------- read-once floor (bench/floor.c)

async function floor(op, { n, c, x }) {
  if (op === 'topk' || op === 'eval' || op === 'evalx') return { unsupported: 'floor: see loss (mean)' };
  const { instance } = await WebAssembly.instantiate(await host.floorWasm(), {});
  const e = instance.exports;
  e._initialize?.();
  const bytes = n * c * 4;
  const base = (e.heap_base() + 63) & ~63;
  const need = base + 2 * bytes + 64;
  const have = e.memory.buffer.byteLength;
  if (need > have) e.memory.grow(Math.ceil((need - have) / 65536));
  const px = base,
    py = (base + bytes + 63) & ~63;
  new Float32Array(e.memory.buffer, px, n * c).set(x);
  if (op === 'loss') {
    return { run: () => e.floor_read(px, n * c), note: 'SIMD sum of the logits (read once)', floor: 'read' };
  }
  return {
    run: () => e.floor_rw(px, py, n * c, 0.5),
    note: 'SIMD y = x * k (read once, write once)',
    floor: 'read+write',
  };
}

// ---------------------------------------------------------------- plain JavaScript, float64 sums

function js(op, { n, c, x, labels, onehot }) {
  if (JS_EXTRA[op]) return { run: JS_EXTRA[op]({ n, c, x, labels, onehot }) };
  // Two passes per row: the max, then sum of exp(x - max) in float64 (the exponentials stored for the
  // array outputs), then one scaling pass for the array outputs.
  const loss = () => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const o = i * c;
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (x[o + j] > m) m = x[o + j];
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(x[o + j] - m);
      total += m + Math.log(s) - x[o + labels[i]];
    }
    return total / n;
  };
  const out = new Float32Array(n * c);
  const rows = (grad) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const o = i * c;
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (x[o + j] > m) m = x[o + j];
      let s = 0;
      for (let j = 0; j < c; j++) {
        const e = Math.exp(x[o + j] - m);
        out[o + j] = e;
        s += e;
      }
      const k = grad ? 1 / (s * n) : 1 / s;
      for (let j = 0; j < c; j++) out[o + j] *= k;
      if (grad) {
        const t = labels[i];
        total += m + Math.log(s) - x[o + t];
        out[o + t] -= 1 / n;
      }
    }
    return grad ? { loss: total / n, grad: out } : out;
  };
  if (op === 'eval' || op === 'evalx') return { unsupported: 'no peer computes this report' };
  if (op === 'topk') {
    // One pass for the max and the running top 5, one for the sum of exponentials.
    const indices = new Int32Array(n * TOPK);
    const values = new Float32Array(n * TOPK);
    const tv = new Float64Array(TOPK);
    const ti = new Int32Array(TOPK);
    const run = () => {
      for (let i = 0; i < n; i++) {
        const o = i * c;
        let filled = 0;
        for (let j = 0; j < c; j++) {
          const v = x[o + j];
          if (filled === TOPK && !(v > tv[TOPK - 1])) continue;
          let p = filled < TOPK ? filled++ : TOPK - 1;
          for (; p > 0 && v > tv[p - 1]; p--) {
            tv[p] = tv[p - 1];
            ti[p] = ti[p - 1];
          }
          tv[p] = v;
          ti[p] = j;
        }
        const m = tv[0];
        let s = 0;
        for (let j = 0; j < c; j++) s += Math.exp(x[o + j] - m);
        const lse = m + Math.log(s);
        for (let r = 0; r < TOPK; r++) {
          indices[i * TOPK + r] = ti[r];
          values[i * TOPK + r] = tv[r] - lse;
        }
      }
      return { indices, values };
    };
    return { run, note: 'one pass with a running top 5, one for the sum of exponentials' };
  }
  if (op === 'loss') return { run: loss };
  if (op === 'lossgrad') return { run: () => rows(true) };
  return { run: () => rows(false) };
}

// The 0.2 ops in plain JavaScript, float64 arithmetic, the fused forms a careful author would write.
const JS_EXTRA = {
  focalgrad: ({ n, c, x, labels }) => {
    const out = new Float32Array(n * c);
    const g = FOCAL_GAMMA;
    return () => {
      let total = 0;
      for (let i = 0; i < n; i++) {
        const o = i * c;
        let m = -Infinity;
        for (let j = 0; j < c; j++) if (x[o + j] > m) m = x[o + j];
        let s = 0;
        for (let j = 0; j < c; j++) {
          const e = Math.exp(x[o + j] - m);
          out[o + j] = e;
          s += e;
        }
        const t = labels[i];
        const l = x[o + t] - m - Math.log(s);
        const q = Math.exp(l),
          u = 1 - q;
        total -= u ** g * l;
        const w = u ** g - g * q * l * u ** (g - 1);
        const k = w / (s * n);
        for (let j = 0; j < c; j++) out[o + j] *= k;
        out[o + t] -= w / n;
      }
      return { loss: total / n, grad: out };
    };
  },
  zlossgrad: ({ n, c, x, labels }) => {
    const out = new Float32Array(n * c);
    return () => {
      let total = 0;
      for (let i = 0; i < n; i++) {
        const o = i * c;
        let m = -Infinity;
        for (let j = 0; j < c; j++) if (x[o + j] > m) m = x[o + j];
        let s = 0;
        for (let j = 0; j < c; j++) {
          const e = Math.exp(x[o + j] - m);
          out[o + j] = e;
          s += e;
        }
        const lse = m + Math.log(s);
        total += lse - x[o + labels[i]] + Z_LOSS * lse * lse;
        const k = (1 + 2 * Z_LOSS * lse) / (s * n);
        for (let j = 0; j < c; j++) out[o + j] *= k;
        out[o + labels[i]] -= 1 / n;
      }
      return { loss: total / n, grad: out };
    };
  },
  bcegrad: ({ x, onehot }) => {
    const len = x.length;
    const out = new Float32Array(len);
    return () => {
      let total = 0;
      for (let i = 0; i < len; i++) {
        const v = x[i],
          y = onehot[i];
        const e = Math.exp(-Math.abs(v));
        const p = v >= 0 ? 1 / (1 + e) : e / (1 + e);
        total += Math.max(v, 0) - v * y + Math.log1p(e);
        out[i] = (p - y) / len;
      }
      return { loss: total / len, grad: out };
    };
  },
  sfocalgrad: ({ x, onehot }) => {
    const len = x.length;
    const out = new Float32Array(len);
    const { gamma, alpha } = SIGMOID_FOCAL;
    return () => {
      let total = 0;
      for (let i = 0; i < len; i++) {
        const v = x[i],
          y = onehot[i];
        const e = Math.exp(-Math.abs(v));
        const r = 1 / (1 + e);
        const p = v >= 0 ? r : e * r,
          cp = v >= 0 ? e * r : r;
        const ce = Math.max(v, 0) - v * y + Math.log1p(e);
        const M = y * cp + (1 - y) * p;
        const at = alpha * y + (1 - alpha) * (1 - y);
        const pw = M ** gamma;
        total += at * ce * pw;
        out[i] = (at * (pw * (p - y) + gamma * M ** (gamma - 1) * p * cp * (1 - 2 * y) * ce)) / len;
      }
      return { loss: total / len, grad: out };
    };
  },
};

// ---------------------------------------------------------------- TensorFlow.js

/**
 * tfjs-core on `backend`; for 'wasm', threads 1 is the SIMD build on one thread, 'cores' the threaded SIMD
 * build (which tfjs picks where the page is cross-origin isolated) asked for a thread per logical core.
 * tfjs-wasm 4.22 caps its pool at half the logical cores (its default too): one thread on 2 cores.
 */
async function tfjsOn(backend, threads) {
  const tf = await import('@tensorflow/tfjs-core');
  let wasm;
  if (backend === 'wasm') {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    wasm.setWasmPaths(await host.tfjsWasmDir());
    wasm.setThreadsCount(threads === 'cores' ? navigator.hardwareConcurrency : 1);
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} failed to initialise`);
  await tf.ready();
  const info = wasm
    ? `threads=${wasm.getThreadsCount?.() ?? '?'}${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? ' (threaded build)' : ''}`
    : '';
  return { tf, info };
}

async function tfjs(op, { n, c, x, labels }, { backend, sparse = false, threads = 1 }) {
  const { tf, info } = await tfjsOn(backend, threads);
  if (op !== 'loss' && op !== 'softmax' && !sparse) await host.tfjsGradients();
  // Label conversions, before timing: one-hot float32 [n, c]; flat int32 indices i*c + label for gather.
  const onehot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), c), 'float32');
  const flat = tf.tensor1d(
    Int32Array.from(labels, (t, i) => i * c + t),
    'int32',
  );
  const lossOf = (xt) => tf.mean(tf.sub(tf.logSumExp(xt, 1), tf.gather(tf.reshape(xt, [n * c]), flat)));
  const call = (fn) => {
    const outs = tf.tidy(() => fn(tf.tensor2d(x, [n, c])));
    const res = outs.map((t) => t.dataSync());
    outs.forEach((t) => t.dispose());
    return res;
  };
  // The 0.2 ops, composed from tfjs ops and differentiated by tf.valueAndGrad.
  const composed = {
    focalgrad: (xt) => {
      const logp = tf.logSoftmax(xt);
      const u = tf.sub(1, tf.exp(logp));
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.mul(onehot, tf.square(u)), logp), 1)));
    },
    zlossgrad: (xt) =>
      tf.add(tf.losses.softmaxCrossEntropy(onehot, xt), tf.mul(Z_LOSS, tf.mean(tf.square(tf.logSumExp(xt, 1))))),
    bcegrad: (xt) => tf.losses.sigmoidCrossEntropy(onehot, xt),
    sfocalgrad: (xt) => {
      const { alpha } = SIGMOID_FOCAL;
      const p = tf.sigmoid(xt);
      const ce = tf.losses.sigmoidCrossEntropy(onehot, xt, undefined, 0, tf.Reduction.NONE);
      const pt = tf.add(tf.mul(p, onehot), tf.mul(tf.sub(1, p), tf.sub(1, onehot)));
      const at = tf.add(tf.mul(alpha, onehot), tf.mul(1 - alpha, tf.sub(1, onehot)));
      return tf.mean(tf.mul(at, tf.mul(ce, tf.square(tf.sub(1, pt)))));
    },
  };
  if (composed[op]) {
    if (sparse) return { unsupported: 'composed with tf.valueAndGrad only (tfjs-wasm)' };
    const vg = tf.valueAndGrad(composed[op]);
    return {
      run: () => {
        const [l, g] = call((xt) => {
          const { value, grad } = vg(xt);
          return [value, grad];
        });
        return { loss: l[0], grad: g };
      },
      note: `composed from tfjs ops, tf.valueAndGrad`,
      info,
    };
  }
  if (op === 'eval' || op === 'evalx') return { unsupported: 'no evaluation report in tfjs' };
  if (op === 'topk') {
    if (sparse) return { unsupported: 'the same calls as tfjs-wasm', same: 'tfjs-wasm' };
    return {
      run: () => {
        const [v, i] = call((xt) => {
          const { values, indices } = tf.topk(tf.logSoftmax(xt), TOPK);
          return [values, indices];
        });
        return { indices: i, values: v };
      },
      note: `tf.topk(tf.logSoftmax(x), ${TOPK})`,
      info,
    };
  }
  if (op === 'softmax') {
    if (sparse) return { unsupported: 'the same tf.softmax call as tfjs-wasm', same: 'tfjs-wasm' };
    return { run: () => call((xt) => [tf.softmax(xt)])[0], info };
  }
  if (op === 'loss') {
    if (sparse)
      return { run: () => call((xt) => [lossOf(xt)])[0][0], note: 'mean(logSumExp(x) - gather(x, labels))', info };
    return {
      run: () => call((xt) => [tf.losses.softmaxCrossEntropy(onehot, xt)])[0][0],
      note: 'tf.losses.softmaxCrossEntropy, one-hot labels',
      info,
    };
  }
  if (sparse) {
    const scale = tf.scalar(1 / n);
    return {
      run: () => {
        const [l, g] = call((xt) => [lossOf(xt), tf.mul(tf.sub(tf.softmax(xt), onehot), scale)]);
        return { loss: l[0], grad: g };
      },
      note: 'explicit: (softmax(x) - onehot) / N, loss as above',
      info,
    };
  }
  const vg = tf.valueAndGrad((xt) => tf.losses.softmaxCrossEntropy(onehot, xt));
  return {
    run: () => {
      const [l, g] = call((xt) => {
        const { value, grad } = vg(xt);
        return [value, grad];
      });
      return { loss: l[0], grad: g };
    },
    note: 'tf.valueAndGrad(tf.losses.softmaxCrossEntropy), one-hot labels',
    info,
  };
}

// ---------------------------------------------------------------- tfjs-layers (fit)

async function tfjsLayers(op, { n, c, x, labels }, { threads = 1 } = {}) {
  if (op !== 'fit') return { unsupported: 'Classifier.fit only' };
  const { tf, info } = await tfjsOn('wasm', threads);
  await host.tfjsGradients();
  const tfl = await host.tfjsLayers();
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [c], units: FIT.hidden, activation: 'relu' }),
      tfl.layers.dense({ units: FIT.classes, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(FIT.learningRate), loss: 'sparseCategoricalCrossentropy' });
  const xs = tf.tensor2d(x, [n, c]);
  const ys = tf.tensor1d(labels, 'float32');
  const fitOptions = { epochs: 1, batchSize: FIT.batchSize, shuffle: true, verbose: 0 };
  let epochs = 0;
  return {
    run: async () => ({ loss: (await model.fit(xs, ys, fitOptions)).history.loss[0], epochs: ++epochs }),
    async: true,
    note: `tf.sequential: dense(${FIT.hidden}, relu), dense(${FIT.classes}, softmax), sparseCategoricalCrossentropy, tf.train.adam, model.fit(batch ${FIT.batchSize}, shuffled)`,
    info,
    teardown: () => model.dispose(),
  };
}

// ---------------------------------------------------------------- onnxruntime-web (wasm EP)

// threads: 1, or 'cores' (navigator.hardwareConcurrency; onnxruntime-web's own default is
// min(4, ceil(cores / 2)), which is 1 on two cores).
async function ort(op, { n, c, x, labels }, { threads = 1 } = {}) {
  if (!['loss', 'lossgrad', 'softmax'].includes(op)) return { unsupported: 'no training graph in onnxruntime-web' };
  const ortm = await host.ort();
  const { model, DT } = await import('./onnx.mjs');
  ortm.env.wasm.numThreads = threads === 'cores' ? navigator.hardwareConcurrency : threads;
  if (host.ortWasmPaths) ortm.env.wasm.wasmPaths = host.ortWasmPaths;
  ortm.env.logLevel = 'error';
  const X = { name: 'x', type: DT.FLOAT, dims: [n, c] };
  const Y = { name: 'y', type: DT.INT64, dims: [n] };
  let spec, note;
  if (op === 'eval' || op === 'evalx') return { unsupported: 'no evaluation report in ONNX' };
  if (op === 'topk') {
    spec = {
      nodes: [
        { op: 'LogSoftmax', inputs: ['x'], outputs: ['logp'], attrs: { axis: -1 } },
        { op: 'TopK', inputs: ['logp', 'k'], outputs: ['values', 'indices'], attrs: { axis: -1 } },
      ],
      initializers: [{ name: 'k', type: DT.INT64, dims: [1], data: BigInt64Array.of(BigInt(TOPK)) }],
      inputs: [X],
      outputs: [
        { name: 'values', type: DT.FLOAT, dims: [n, TOPK] },
        { name: 'indices', type: DT.INT64, dims: [n, TOPK] },
      ],
    };
    note = `LogSoftmax(axis=-1) + TopK(k=${TOPK}), opset 13`;
  } else if (op === 'loss') {
    spec = {
      nodes: [{ op: 'SoftmaxCrossEntropyLoss', inputs: ['x', 'y'], outputs: ['loss'], attrs: { reduction: 'mean' } }],
      inputs: [X, Y],
      outputs: [{ name: 'loss', type: DT.FLOAT, dims: [] }],
    };
    note = 'SoftmaxCrossEntropyLoss(reduction=mean), opset 13';
  } else if (op === 'lossgrad') {
    // ORT-web has no training graph: the gradient is written out, (exp(log_prob) - onehot(y)) / N.
    spec = {
      nodes: [
        { op: 'SoftmaxCrossEntropyLoss', inputs: ['x', 'y'], outputs: ['loss', 'logp'], attrs: { reduction: 'mean' } },
        { op: 'Exp', inputs: ['logp'], outputs: ['p'] },
        { op: 'OneHot', inputs: ['y', 'depth', 'onoff'], outputs: ['onehot'], attrs: { axis: -1 } },
        { op: 'Sub', inputs: ['p', 'onehot'], outputs: ['d'] },
        { op: 'Mul', inputs: ['d', 'inv_n'], outputs: ['grad'] },
      ],
      initializers: [
        { name: 'depth', type: DT.INT64, dims: [], data: BigInt64Array.of(BigInt(c)) },
        { name: 'onoff', type: DT.FLOAT, dims: [2], data: Float32Array.of(0, 1) },
        { name: 'inv_n', type: DT.FLOAT, dims: [], data: Float32Array.of(1 / n) },
      ],
      inputs: [X, Y],
      outputs: [
        { name: 'loss', type: DT.FLOAT, dims: [] },
        { name: 'grad', type: DT.FLOAT, dims: [n, c] },
      ],
    };
    note = 'SoftmaxCrossEntropyLoss(mean) + grad = (exp(log_prob) - OneHot(y)) / N in the same graph';
  } else {
    spec = {
      nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['p'], attrs: { axis: -1 } }],
      inputs: [X],
      outputs: [{ name: 'p', type: DT.FLOAT, dims: [n, c] }],
    };
    note = 'Softmax(axis=-1), opset 13';
  }
  const session = await ortm.InferenceSession.create(model({ opset: 13, ...spec }), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  // int64 labels, converted before timing
  const y = new ortm.Tensor(
    'int64',
    BigInt64Array.from(labels, (t) => BigInt(t)),
    [n],
  );
  const feeds = () =>
    op === 'softmax' || op === 'topk'
      ? { x: new ortm.Tensor('float32', x, [n, c]) }
      : { x: new ortm.Tensor('float32', x, [n, c]), y };
  if (op === 'topk') {
    const run = async () => {
      const r = await session.run(feeds());
      return { indices: r.indices.data, values: r.values.data };
    };
    return { run, async: true, note, teardown: () => session.release() };
  }
  const info = `threads=${ortm.env.wasm.numThreads}`;
  const run =
    op === 'loss'
      ? async () => (await session.run(feeds())).loss.data[0]
      : op === 'lossgrad'
        ? async () => {
            const r = await session.run(feeds());
            return { loss: r.loss.data[0], grad: r.grad.data };
          }
        : async () => (await session.run(feeds())).p.data;
  return { run, async: true, note, info, teardown: () => session.release() };
}

// ---------------------------------------------------------------- registry

/**
 * kind: 'xentropy' (ours), 'floor', 'peer' (counts for "fastest peer"). ops: the only ops it runs (else
 * every op but fit, plus fit where `fit`); where: 'node' or 'browser' when it runs in only one of them.
 */
export const IMPLS = {
  xentropy: { label: 'xentropy', kind: 'xentropy', fit: true, setup: (op, d) => xentropy(op, d) },
  'xentropy-zc': {
    label: 'xentropy zero-copy',
    kind: 'xentropy',
    setup: (op, d) => xentropy(op, d, { zeroCopy: true }),
  },
  'xentropy-2t': {
    label: 'xentropy 2 threads',
    kind: 'xentropy',
    fit: true,
    setup: (op, d) => xentropy(op, d, { threads: 2 }),
  },
  'xentropy-zc-2t': {
    label: 'xentropy zero-copy 2 threads',
    kind: 'xentropy',
    setup: (op, d) => xentropy(op, d, { zeroCopy: true, threads: 2 }),
  },
  'xentropy-scalar': {
    label: 'xentropy scalar',
    kind: 'xentropy',
    optional: true,
    setup: (op, d) => xentropy(op, d, { simd: false }),
  },
  floor: { label: 'floor', kind: 'floor', where: 'node', setup: floor },
  'tfjs-wasm': { label: 'tfjs-wasm', kind: 'peer', tfjs: true, setup: (op, d) => tfjs(op, d, { backend: 'wasm' }) },
  'tfjs-wasm-sparse': {
    label: 'tfjs-wasm explicit',
    kind: 'peer',
    tfjs: true,
    setup: (op, d) => tfjs(op, d, { backend: 'wasm', sparse: true }),
  },
  'tfjs-wasm-mt': {
    label: 'tfjs-wasm threaded',
    kind: 'peer',
    where: 'browser',
    setup: (op, d) => tfjs(op, d, { backend: 'wasm', threads: 'cores' }),
  },
  'tfjs-cpu': {
    label: 'tfjs-cpu',
    kind: 'peer',
    tfjs: true,
    where: 'node',
    setup: (op, d) => tfjs(op, d, { backend: 'cpu' }),
  },
  ort: { label: 'onnxruntime-web', kind: 'peer', setup: ort },
  'ort-mt': {
    label: 'onnxruntime-web all cores',
    kind: 'peer',
    where: 'browser',
    setup: (op, d) => ort(op, d, { threads: 'cores' }),
  },
  js: { label: 'plain JS', kind: 'peer', setup: js },
  'tfjs-layers': {
    label: 'tfjs-layers (wasm)',
    kind: 'peer',
    tfjs: true,
    ops: ['fit'],
    setup: (op, d) => tfjsLayers(op, d),
  },
  'tfjs-layers-mt': {
    label: 'tfjs-layers (wasm) threaded',
    kind: 'peer',
    where: 'browser',
    ops: ['fit'],
    setup: (op, d) => tfjsLayers(op, d, { threads: 'cores' }),
  },
};

/** Whether implementation `name` runs `op` at all (bench/run.mjs starts no process or page otherwise). */
export function applies(name, op) {
  const impl = IMPLS[name];
  return impl.ops ? impl.ops.includes(op) : op !== 'fit' || Boolean(impl.fit);
}
