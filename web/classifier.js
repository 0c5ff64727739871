// The Classifier: a multilayer perceptron whose forward pass, backward pass and optimizer step run in the
// wasm core (cpp/model/classifier.h). Here: argument checks, copies in and out of wasm memory, fit()'s loop
// over seeded shuffled batches, and toJSON / fromJSON.
//
// The wasm object owns the parameters, laid out as [W_0 | b_0 | W_1 | b_1 | ...], W_l of shape
// (in, out) row-major; toJSON reads them in place and fromJSON writes them. The optimizer state (momentum,
// Adam moments and step count) persists across trainStep and fit calls; switching to another optimizer
// starts it afresh, and it is not part of toJSON.
import * as check from './check.js';
import { WasmArray } from './memory.js';

const ACTIVATION = { relu: 0, tanh: 1, sigmoid: 2 };
const OPTIMIZER = { sgd: 0, momentum: 1, adam: 2 };
const FORMAT = 'xentropy.Classifier';
// Parameters, gradients and two moment buffers are 16 bytes per parameter: stay well inside 4 GiB.
const MAX_PARAMETERS = 2 ** 27;
const MAX_WIDTH = 2 ** 31 - 1;

function positiveInteger(fn, name, v) {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${check.describe(v)}`);
  if (!Number.isInteger(v) || v < 1 || v > MAX_WIDTH)
    throw new RangeError(`${fn}: ${name} = ${v} must be an integer >= 1`);
  return v;
}

/** The model configuration from constructor options or a saved JSON object; `from` names the argument. */
function config(fn, o, from) {
  if (o === null || typeof o !== 'object') {
    throw new TypeError(`${fn}: ${from} must be an object with features and classes, got ${check.describe(o)}`);
  }
  const features = positiveInteger(fn, `${from}.features`, o.features);
  const classes = positiveInteger(fn, `${from}.classes`, o.classes);
  const hidden = o.hidden === undefined ? [] : o.hidden;
  if (!Array.isArray(hidden))
    throw new TypeError(`${fn}: ${from}.hidden must be an array of layer sizes, got ${check.describe(hidden)}`);
  hidden.forEach((h, i) => positiveInteger(fn, `${from}.hidden[${i}]`, h));
  let activation = 'relu';
  if (o.activation !== undefined) {
    if (typeof o.activation !== 'string')
      throw new TypeError(`${fn}: ${from}.activation must be a string, got ${check.describe(o.activation)}`);
    if (!(o.activation in ACTIVATION)) {
      throw new RangeError(
        `${fn}: ${from}.activation = ${JSON.stringify(o.activation)} must be one of 'relu', 'tanh', 'sigmoid'`,
      );
    }
    activation = o.activation;
  }
  const seed = o.seed === undefined ? 1 : o.seed;
  if (typeof seed !== 'number')
    throw new TypeError(`${fn}: ${from}.seed must be a number, got ${check.describe(seed)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new RangeError(`${fn}: ${from}.seed = ${seed} must be an integer in [0, 2^32)`);
  const widths = [features, ...hidden, classes];
  let parameters = 0;
  for (let l = 1; l < widths.length; l++) parameters += (widths[l - 1] + 1) * widths[l];
  if (parameters > MAX_PARAMETERS) {
    throw new RangeError(
      `${fn}: the model would have ${parameters} parameters, more than the ${MAX_PARAMETERS} supported`,
    );
  }
  return { features, classes, hidden: [...hidden], activation, seed, widths, parameters };
}

/** Options of trainStep and fit. */
function trainOptions(fn, opts, classes) {
  const o = check.options(fn, opts, false);
  const learningRate = check.number(fn, 'learningRate', o.learningRate, 0.01, { min: 0, minOpen: true });
  const optimizer = check.oneOf(fn, 'optimizer', o.optimizer, Object.keys(OPTIMIZER), 'adam');
  const l2 = check.number(fn, 'l2', o.l2, 0, { min: 0 });
  const labelSmoothing = check.number(fn, 'labelSmoothing', o.labelSmoothing, 0, { min: 0, max: 1 });
  let weight = null;
  if (o.weight !== undefined) {
    weight = check.sameLength(fn, 'options.weight', check.floats(fn, 'options.weight', o.weight), classes);
    const values = weight.wasm ? weight.wasm.array : weight.data;
    for (let j = 0; j < classes; j++) {
      if (!(values[j] >= 0 && values[j] < Infinity))
        throw new RangeError(`${fn}: options.weight[${j}] = ${values[j]} must be finite and >= 0`);
    }
  }
  return { o, learningRate, optimizer, l2, labelSmoothing, weight };
}

function rowsOf(fn, X, features) {
  if (X.length % features !== 0) {
    throw new RangeError(`${fn}: x has length ${X.length}, which is not a multiple of features = ${features}`);
  }
  return X.length / features;
}

/** Training data must be finite: one NaN would turn every weight into NaN. */
function finite(fn, X) {
  const values = X.wasm ? X.wasm.array : X.data;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${fn}: x[${i}] = ${values[i]} is not finite`);
  }
}

/** A seeded uniform generator in [0, 1) (mulberry32) for fit's shuffling. */
function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createClassifier(core, memory, withScratch) {
  // A forgotten model is freed when it is garbage-collected; dispose() unregisters it.
  const registry = new FinalizationRegistry((handle) => handle.delete());

  function create(fn, c) {
    return withScratch(fn, (s) => {
      const hidden = s.labels(c.hidden); // int32 copy
      const handle = new core.Classifier(
        c.features,
        c.classes,
        hidden,
        c.hidden.length,
        ACTIVATION[c.activation],
        c.seed,
      );
      if (!handle.ok()) {
        handle.delete();
        throw new RangeError(`${fn}: cannot allocate wasm memory for ${c.parameters} parameters`);
      }
      return handle;
    });
  }

  function reserve(fn, handle, rows) {
    if (!handle.reserve(rows)) throw new RangeError(`${fn}: cannot allocate wasm memory for a batch of ${rows} rows`);
  }

  class Classifier {
    #handle;
    #config;
    #random;

    /**
     * @param {{ features: number, classes: number, hidden?: number[], activation?: 'relu'|'tanh'|'sigmoid', seed?: number }} options
     */
    constructor(options) {
      const fn = 'Classifier';
      this.#config = config(fn, options, 'options');
      this.#random = mulberry32(this.#config.seed ^ 0x5bd1e995);
      this.#handle = create(fn, this.#config);
      registry.register(this, this.#handle, this);
    }

    get features() {
      return this.#config.features;
    }
    get classes() {
      return this.#config.classes;
    }
    get hidden() {
      return [...this.#config.hidden];
    }
    get activation() {
      return this.#config.activation;
    }

    #live(fn) {
      if (this.#handle === null) throw new Error(`${fn}: this Classifier has been disposed`);
      return this.#handle;
    }

    #input(fn, x) {
      const X = check.floats(fn, 'x', x);
      return { X, n: rowsOf(fn, X, this.#config.features) };
    }

    #training(fn, x, y) {
      const { X, n } = this.#input(fn, x);
      const Y = check.labels(fn, 'y', y, n, this.#config.classes);
      if (n === 0) throw new RangeError(`${fn}: x has no rows`);
      finite(fn, X);
      return { X, Y, n };
    }

    /** One optimizer step on the batch (x, y); returns the mean loss of the forward pass before the update. */
    trainStep(x, y, opts) {
      const fn = 'Classifier.trainStep';
      const handle = this.#live(fn);
      const t = trainOptions(fn, opts, this.#config.classes);
      const { X, Y, n } = this.#training(fn, x, y);
      return withScratch(fn, (s) => {
        const px = s.floats(X);
        const py = s.labels(Y);
        const pw = t.weight ? s.floats(t.weight) : 0;
        reserve(fn, handle, n);
        return handle.trainStep(px, py, 0, n, t.learningRate, OPTIMIZER[t.optimizer], t.l2, t.labelSmoothing, pw);
      });
    }

    /** Mini-batch training over seeded shuffles; returns [{ epoch, loss, accuracy }], epochs counted from 1. */
    fit(x, y, opts) {
      const fn = 'Classifier.fit';
      const handle = this.#live(fn);
      const t = trainOptions(fn, opts, this.#config.classes);
      const epochs = check.integer(fn, 'epochs', t.o.epochs, 10);
      if (epochs < 0) throw new RangeError(`${fn}: options.epochs = ${epochs} must be an integer >= 0`);
      const batchSize = check.integer(fn, 'batchSize', t.o.batchSize, 32);
      if (batchSize < 1) throw new RangeError(`${fn}: options.batchSize = ${batchSize} must be an integer >= 1`);
      const shuffle = t.o.shuffle === undefined ? true : t.o.shuffle;
      if (typeof shuffle !== 'boolean')
        throw new TypeError(`${fn}: options.shuffle must be a boolean, got ${check.describe(shuffle)}`);
      const onEpoch = t.o.onEpoch;
      if (onEpoch !== undefined && typeof onEpoch !== 'function') {
        throw new TypeError(`${fn}: options.onEpoch must be a function, got ${check.describe(onEpoch)}`);
      }
      const { X, Y, n } = this.#training(fn, x, y);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      const history = [];
      withScratch(fn, (s) => {
        const px = s.floats(X);
        const py = s.labels(Y);
        const pw = t.weight ? s.floats(t.weight) : 0;
        const pidx = s.alloc(n * 4);
        for (let epoch = 1; epoch <= epochs; epoch++) {
          // onEpoch may have disposed the model or freed a WasmArray input.
          this.#live(fn);
          if (X.wasm) X.wasm.ptr(fn, memory);
          if (t.weight?.wasm) t.weight.wasm.ptr(fn, memory);
          reserve(fn, handle, Math.min(batchSize, n));
          if (shuffle) {
            for (let i = n - 1; i > 0; i--) {
              const j = Math.floor(this.#random() * (i + 1));
              const tmp = order[i];
              order[i] = order[j];
              order[j] = tmp;
            }
          }
          memory.i32.set(order, pidx >>> 2);
          let loss = 0;
          let correct = 0;
          for (let start = 0; start < n; start += batchSize) {
            const m = Math.min(batchSize, n - start);
            loss +=
              m *
              handle.trainStep(
                px,
                py,
                pidx + 4 * start,
                m,
                t.learningRate,
                OPTIMIZER[t.optimizer],
                t.l2,
                t.labelSmoothing,
                pw,
              );
            correct += handle.lastCorrect();
          }
          const entry = { epoch, loss: loss / n, accuracy: correct / n };
          history.push(entry);
          if (onEpoch) onEpoch({ ...entry });
        }
      });
      return history;
    }

    /** Class probabilities, N*C, into `out` when given. */
    predict(x, opts) {
      const fn = 'Classifier.predict';
      const handle = this.#live(fn);
      const o = check.options(fn, opts, false);
      const { X, n } = this.#input(fn, x);
      const length = n * this.#config.classes;
      const out = check.out(fn, o.out, length, memory);
      return withScratch(fn, (s) => {
        const px = s.floats(X);
        const direct = out instanceof WasmArray && out !== X.wasm;
        const ptr = direct ? out.ptr(fn, memory) : s.alloc(length * 4);
        if (!handle.predict(px, n, ptr))
          throw new RangeError(`${fn}: cannot allocate wasm memory for the forward pass`);
        if (direct) return out;
        const view = memory.f32.subarray(ptr >>> 2, (ptr >>> 2) + length);
        if (out === undefined) return view.slice();
        (out instanceof WasmArray ? out.array : out).set(view);
        return out;
      });
    }

    /** Mean cross-entropy in nats and top-1 accuracy (ties count as hits); NaN for no rows. */
    evaluate(x, y) {
      const fn = 'Classifier.evaluate';
      const handle = this.#live(fn);
      const { X, n } = this.#input(fn, x);
      const Y = check.labels(fn, 'y', y, n, this.#config.classes);
      return withScratch(fn, (s) => {
        const px = s.floats(X);
        const py = s.labels(Y);
        const pr = s.alloc(16);
        if (!handle.evaluate(px, py, n, pr))
          throw new RangeError(`${fn}: cannot allocate wasm memory for the forward pass`);
        const [loss, hits] = new Float64Array(memory.f32.buffer, pr, 2);
        return { loss: n === 0 ? NaN : loss / n, accuracy: n === 0 ? NaN : hits / n };
      });
    }

    /** The configuration and weights as plain JSON data: layers[l] = { weights (in*out, row-major), bias }. */
    toJSON() {
      const handle = this.#live('Classifier.toJSON');
      const { features, classes, hidden, activation, seed, widths } = this.#config;
      const params = memory.f32.subarray(
        handle.parameters() >>> 2,
        (handle.parameters() >>> 2) + handle.parameterCount(),
      );
      const layers = [];
      let at = 0;
      for (let l = 1; l < widths.length; l++) {
        const w = widths[l - 1] * widths[l];
        layers.push({
          weights: Array.from(params.subarray(at, at + w)),
          bias: Array.from(params.subarray(at + w, at + w + widths[l])),
        });
        at += w + widths[l];
      }
      return { format: FORMAT, version: 1, features, classes, hidden: [...hidden], activation, seed, layers };
    }

    /** Releases the wasm memory; using the model afterwards throws. */
    dispose() {
      const handle = this.#live('Classifier.dispose');
      registry.unregister(this);
      this.#handle = null;
      handle.delete();
    }

    /** Restores a model saved with toJSON() (the object or its JSON string); optimizer state starts afresh. */
    static fromJSON(json) {
      const fn = 'Classifier.fromJSON';
      let o = json;
      if (typeof json === 'string') {
        try {
          o = JSON.parse(json);
        } catch (e) {
          throw new TypeError(`${fn}: json is not valid JSON: ${e.message}`);
        }
      }
      const c = config(fn, o, 'json');
      if (o.format !== undefined && o.format !== FORMAT) {
        throw new RangeError(`${fn}: json.format = ${JSON.stringify(o.format)}, expected '${FORMAT}'`);
      }
      if (!Array.isArray(o.layers))
        throw new TypeError(`${fn}: json.layers must be an array, got ${check.describe(o.layers)}`);
      const L = c.widths.length - 1;
      if (o.layers.length !== L)
        throw new RangeError(`${fn}: json.layers has length ${o.layers.length}, expected ${L}`);
      const params = new Float32Array(c.parameters);
      let at = 0;
      o.layers.forEach((layer, l) => {
        const name = `json.layers[${l}]`;
        if (layer === null || typeof layer !== 'object')
          throw new TypeError(`${fn}: ${name} must be an object, got ${check.describe(layer)}`);
        for (const [key, length] of [
          ['weights', c.widths[l] * c.widths[l + 1]],
          ['bias', c.widths[l + 1]],
        ]) {
          const v = layer[key];
          if (!Array.isArray(v))
            throw new TypeError(`${fn}: ${name}.${key} must be an array of numbers, got ${check.describe(v)}`);
          if (v.length !== length)
            throw new RangeError(`${fn}: ${name}.${key} has length ${v.length}, expected ${length}`);
          for (let i = 0; i < length; i++) {
            if (typeof v[i] !== 'number')
              throw new TypeError(`${fn}: ${name}.${key}[${i}] = ${check.describe(v[i])} is not a number`);
            if (!Number.isFinite(v[i])) throw new RangeError(`${fn}: ${name}.${key}[${i}] = ${v[i]} is not finite`);
          }
          params.set(v, at);
          at += length;
        }
      });
      const model = new Classifier({
        features: c.features,
        classes: c.classes,
        hidden: c.hidden,
        activation: c.activation,
        seed: c.seed,
      });
      const handle = model.#handle;
      memory.f32.set(params, handle.parameters() >>> 2);
      return model;
    }
  }

  return Classifier;
}
