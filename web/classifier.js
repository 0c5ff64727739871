// The Classifier: a multilayer perceptron whose forward pass, backward pass and optimizer step run in the
// wasm core (cpp/model/classifier.h). Here: argument checks, copies in and out of wasm memory, and the
// methods; the batching loop of trainer() and fit() is in trainer.js, the saved form in classifier-json.js.
//
// The wasm object owns the parameters, laid out as [W_0 | b_0 | W_1 | b_1 | ...], W_l of shape
// (in, out) row-major; toJSON reads them in place and fromJSON writes them. The optimizer state (momentum,
// Adam moments and step count) persists across trainStep, fit and Trainer calls; switching to another
// optimizer starts it afresh, and it is not part of toJSON.
import * as check from './check.js';
import * as saved from './classifier-json.js';
import { WasmArray } from './memory.js';
import { classWeights, createTrainer, lossArgs, OPTIMIZER, reserve, trainOptions } from './trainer.js';

const ACTIVATION = { relu: 0, tanh: 1, sigmoid: 2 };

/** A seeded uniform generator in [0, 1) (mulberry32) for the trainers' shuffles. */
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

/**
 * The wasm model behind a Classifier: its address in wasm memory (an opaque handle) and the core's
 * xe_classifier_* exports that take it (cpp/model/bindings.cc), with booleans and unsigned sizes as JS has them.
 */
function wasmModel(core, ptr) {
  return {
    ptr,
    parameterCount: () => core._xe_classifier_parameter_count(ptr) >>> 0,
    parameters: () => core._xe_classifier_parameters(ptr) >>> 0,
    reserve: (rows) => core._xe_classifier_reserve(ptr, rows) !== 0,
    // (x, labels, index, n, lr, optimizer, l2, smoothing, weight, loss, gamma, alpha): train_step's arguments
    trainStep: (...args) => core._xe_classifier_train_step(ptr, ...args),
    lastCorrect: () => core._xe_classifier_last_correct(ptr) >>> 0,
    predict: (x, n, probs) => core._xe_classifier_predict(ptr, x, n, probs) !== 0,
    evaluate: (x, labels, n, result) => core._xe_classifier_evaluate(ptr, x, labels, n, result) !== 0,
  };
}

export function createClassifier(core, memory, withScratch) {
  // A forgotten model's wasm memory is freed when it is garbage-collected; dispose() unregisters it.
  const free = (ptr) => core._xe_classifier_free(ptr);
  const registry = new FinalizationRegistry(free);
  const Trainer = createTrainer(memory, withScratch);

  function create(fn, c) {
    return withScratch(fn, (s) => {
      const hidden = s.labels(c.hidden); // int32 copy
      const activation = ACTIVATION[c.activation];
      // 0 when the model's memory cannot be allocated (the core has freed what it had).
      const ptr = core._xe_classifier_new(c.features, c.classes, hidden, c.hidden.length, activation, c.seed) >>> 0;
      if (ptr === 0) throw new RangeError(`${fn}: cannot allocate wasm memory for ${c.parameters} parameters`);
      return wasmModel(core, ptr);
    });
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
      if (options === null || typeof options !== 'object') {
        throw new TypeError(
          `${fn}: options must be an object with features and classes, got ${check.describe(options)}`,
        );
      }
      this.#config = saved.config(fn, options, 'options');
      this.#random = mulberry32(this.#config.seed ^ 0x5bd1e995);
      this.#handle = create(fn, this.#config);
      registry.register(this, this.#handle.ptr, this);
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
      const features = this.#config.features;
      if (X.length % features !== 0) {
        throw new RangeError(`${fn}: x has length ${X.length}, which is not a multiple of features = ${features}`);
      }
      return { X, n: X.length / features };
    }

    /** Training data: at least one row, finite (one NaN would turn every weight into NaN), valid labels. */
    #training(fn, x, y) {
      const { X, n } = this.#input(fn, x);
      const Y = check.labels(fn, 'y', y, n, this.#config.classes);
      if (n === 0) throw new RangeError(`${fn}: x has no rows`);
      check.finiteValues(fn, 'x', X);
      return { X, Y, n };
    }

    /** One optimizer step on the batch (x, y); returns the mean loss of the forward pass before the update. */
    trainStep(x, y, opts) {
      const fn = 'Classifier.trainStep';
      const handle = this.#live(fn);
      const t = trainOptions(fn, opts, this.#config.classes, false);
      const { X, Y, n } = this.#training(fn, x, y);
      return withScratch(fn, (s) => {
        const px = s.floats(X);
        const py = s.labels(Y);
        const pw = classWeights(s, t);
        reserve(fn, handle, n);
        const opt = OPTIMIZER[t.optimizer];
        return handle.trainStep(px, py, 0, n, t.learningRate, opt, t.l2, t.labelSmoothing, pw, ...lossArgs(t));
      });
    }

    /** A Trainer over (x, y): mini-batches on demand, the same ones fit would run. */
    trainer(x, y, opts) {
      return this.#trainer('Classifier.trainer', x, y, opts);
    }

    #trainer(fn, x, y, opts, name) {
      this.#live(fn);
      const t = trainOptions(fn, opts, this.#config.classes, true);
      const { X, Y, n } = this.#training(fn, x, y);
      const model = { classes: this.#config.classes, live: (f) => this.#live(f), random: this.#random };
      return new Trainer(model, X, Y, n, t, name);
    }

    /** Mini-batch training over seeded shuffles; returns [{ epoch, loss, accuracy }], epochs counted from 1. */
    fit(x, y, opts) {
      const fn = 'Classifier.fit';
      this.#live(fn);
      const o = check.options(fn, opts, false);
      const epochs = check.integerIn(fn, 'options.epochs', o.epochs, { min: 0, fallback: 10 });
      const onEpoch = check.callback(fn, 'options.onEpoch', o.onEpoch);
      const trainer = this.#trainer(fn, x, y, o, fn);
      try {
        const history = [];
        for (let epoch = 1; epoch <= epochs; epoch++) {
          const entry = trainer.epoch(); // throws if onEpoch disposed the model or freed a WasmArray input
          history.push(entry);
          if (onEpoch) onEpoch({ ...entry });
        }
        return history;
      } finally {
        trainer.dispose();
      }
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

    /** The configuration and weights as plain JSON data (see classifier-json.js). */
    toJSON() {
      const handle = this.#live('Classifier.toJSON');
      const at = handle.parameters() >>> 2;
      return saved.toJSON(this.#config, memory.f32.subarray(at, at + handle.parameterCount()));
    }

    /** Releases the wasm memory; using the model afterwards throws. */
    dispose() {
      const handle = this.#live('Classifier.dispose');
      registry.unregister(this);
      this.#handle = null;
      free(handle.ptr);
    }

    /** Restores a model saved with toJSON() (the object or its JSON string); optimizer state starts afresh. */
    static fromJSON(json) {
      const { config: c, params } = saved.fromJSON('Classifier.fromJSON', json);
      const { features, classes, hidden, activation, seed } = c;
      const model = new Classifier({ features, classes, hidden, activation, seed });
      memory.f32.set(params, model.#handle.parameters() >>> 2);
      return model;
    }
  }

  return Classifier;
}
