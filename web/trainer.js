// Incremental training. A Trainer holds one data set in wasm memory and walks it through its Classifier in
// seeded, shuffled mini-batches, as many at a time as it is asked for. Classifier.fit runs a Trainer one
// epoch at a time: this file holds the library's only shuffle-and-batch loop.
//
// An epoch's order is the previous epoch's order shuffled again (Fisher-Yates over the model's seeded
// generator), drawn when the epoch's first batch runs, so a trainer that has just ended an epoch has not
// drawn the next one. Hence the batches, and so the weights, depend only on the model's seed, the data, the
// options and the number of batches run, not on how the batches are split into calls: step(3) then step(5)
// is step(8), and epoch() called k times is fit({ epochs: k }).
import * as check from './check.js';
import { Scratch } from './memory.js';

export const OPTIMIZER = { sgd: 0, momentum: 1, adam: 2 };
export const LOSS = { crossEntropy: 0, focal: 1 };
const DEFAULTS = {
  learningRate: 0.01,
  optimizer: 'adam',
  l2: 0,
  labelSmoothing: 0,
  weight: null,
  loss: 'crossEntropy',
  gamma: 2,
  alpha: 1,
  batchSize: 32,
  shuffle: true,
};

/**
 * The options of trainStep, and with `batching` also batchSize and shuffle (a Trainer's and fit's), checked;
 * those not given take their value from `base`. A weight array is copied, so that later changes to it do not
 * bypass the check.
 */
export function trainOptions(fn, opts, classes, batching, base = DEFAULTS) {
  const o = check.options(fn, opts, false);
  const t = {
    learningRate: check.number(fn, 'learningRate', o.learningRate, base.learningRate, { min: 0, minOpen: true }),
    optimizer: check.oneOf(fn, 'optimizer', o.optimizer, Object.keys(OPTIMIZER), base.optimizer),
    l2: check.number(fn, 'l2', o.l2, base.l2, { min: 0 }),
    labelSmoothing: check.number(fn, 'labelSmoothing', o.labelSmoothing, base.labelSmoothing, { min: 0, max: 1 }),
    weight: base.weight,
  };
  t.loss = check.oneOf(fn, 'loss', o.loss, Object.keys(LOSS), base.loss);
  t.gamma = check.number(fn, 'gamma', o.gamma, base.gamma, { min: 0 });
  // alpha (focal): one number >= 0 for every class, or one per class (held in `weight`'s slot of the core).
  t.alpha = base.alpha;
  if (typeof o.alpha === 'number' || o.alpha === undefined) {
    t.alpha = check.number(fn, 'alpha', o.alpha, base.alpha, { min: 0 });
  } else {
    const a = check.sameLength(fn, 'options.alpha', check.floats(fn, 'options.alpha', o.alpha), classes);
    check.finiteValues(fn, 'options.alpha', a, 0);
    t.alpha = { length: classes, data: Float32Array.from(a.wasm ? a.wasm.array : a.data) };
  }
  if (t.loss === 'focal' && o.weight !== undefined) {
    throw new TypeError(
      `${fn}: options.weight applies to loss 'crossEntropy'; the focal loss's class weights are options.alpha`,
    );
  }
  if (o.weight !== undefined) {
    const w = check.sameLength(fn, 'options.weight', check.floats(fn, 'options.weight', o.weight), classes);
    check.finiteValues(fn, 'options.weight', w, 0);
    t.weight = w.wasm ? w : { length: classes, data: Float32Array.from(w.data) };
  }
  if (batching) {
    t.batchSize = check.integerIn(fn, 'options.batchSize', o.batchSize, { min: 1, fallback: base.batchSize });
    t.shuffle = check.boolean(fn, 'options.shuffle', o.shuffle, base.shuffle);
  }
  return t;
}

/** The class-weight pointer of trainStep: `weight` for cross-entropy, a per-class `alpha` for focal loss. */
export function classWeights(s, t) {
  if (t.loss === 'focal') return typeof t.alpha === 'number' ? 0 : s.floats(t.alpha);
  return t.weight ? s.floats(t.weight) : 0;
}

/** The loss arguments of the core's trainStep: kind, gamma, and alpha for every class (when not per class). */
export function lossArgs(t) {
  return [LOSS[t.loss], t.gamma, typeof t.alpha === 'number' ? t.alpha : 1];
}

/** A wasm allocation the Classifier needs for a batch of `rows` rows. */
export function reserve(fn, handle, rows) {
  if (!handle.reserve(rows)) throw new RangeError(`${fn}: cannot allocate wasm memory for a batch of ${rows} rows`);
}

export function createTrainer(memory, withScratch) {
  // A forgotten trainer's copy of the data is freed when it is garbage-collected; dispose() unregisters it.
  const registry = new FinalizationRegistry((data) => data.release());

  class Trainer {
    #model; // { live(fn): the wasm handle, or throws once the model is disposed; random(): [0, 1) }
    #name; // the function name of every error, for fit's own trainer; else each method's own
    #data; // the Scratch that owns the copies of x and y and the index array; null once disposed
    #X;
    #n;
    #px;
    #py;
    #pidx; // (n) int32: the current epoch's order
    #order;
    #options;
    #cursor = 0; // rows of the current epoch done
    #loss = 0; // summed over those rows
    #correct = 0;
    #epochs = 0;
    #steps = 0;

    /** @internal Made by Classifier.trainer() and Classifier.fit() from checked data and options. */
    constructor(model, X, Y, n, options, name) {
      this.#model = model;
      this.#name = name;
      const data = new Scratch(memory, name ?? 'Classifier.trainer');
      try {
        this.#px = X.wasm ? 0 : data.floats(X);
        this.#py = data.labels(Y);
        this.#pidx = data.alloc(4 * n);
      } catch (e) {
        data.release();
        throw e;
      }
      this.#data = data;
      this.#X = X;
      this.#n = n;
      this.#order = Int32Array.from({ length: n }, (_, i) => i);
      this.#options = options;
      registry.register(this, data, this);
    }

    /** Completed epochs. */
    get epochs() {
      return this.#epochs;
    }
    /** Optimizer steps taken (batches run). */
    get steps() {
      return this.#steps;
    }
    /** Epochs run, with the fraction of the current one: epochs + rows done / rows. */
    get progress() {
      return this.#epochs + this.#cursor / this.#n;
    }

    #live(fn) {
      if (this.#data === null) throw new Error(`${fn}: this Trainer has been disposed`);
      return this.#model.live(fn);
    }

    /** Runs the next `batches` mini-batches; returns the entries of the epochs that ended meanwhile. */
    step(batches = 1) {
      const fn = this.#name ?? 'Trainer.step';
      const handle = this.#live(fn);
      check.integerIn(fn, 'batches', batches, { min: 0 });
      return this.#run(fn, handle, batches, false);
    }

    /** Runs to the end of the current epoch (a whole one if none is under way); returns its entry. */
    epoch() {
      const fn = this.#name ?? 'Trainer.epoch';
      const handle = this.#live(fn);
      return this.#run(fn, handle, Infinity, true)[0];
    }

    /** Changes training options from the next batch on; those not given keep their values. */
    set(options) {
      const fn = this.#name ?? 'Trainer.set';
      this.#live(fn);
      this.#options = trainOptions(fn, options, this.#model.classes, true, this.#options);
    }

    /** Releases the wasm copy of the data; using the trainer afterwards throws. */
    dispose() {
      const fn = this.#name ?? 'Trainer.dispose';
      if (this.#data === null) throw new Error(`${fn}: this Trainer has been disposed`);
      registry.unregister(this);
      this.#data.release();
      this.#data = null;
    }

    #run(fn, handle, batches, untilEpochEnd) {
      const t = this.#options;
      const n = this.#n;
      const ended = [];
      withScratch(fn, (s) => {
        const px = this.#X.wasm ? this.#X.wasm.ptr(fn, memory) : this.#px; // throws if it was freed
        const pw = classWeights(s, t);
        reserve(fn, handle, Math.min(t.batchSize, n));
        for (let b = 0; b < batches; b++) {
          if (this.#cursor === 0) this.#newEpoch(t.shuffle);
          const m = Math.min(t.batchSize, n - this.#cursor);
          const rows = this.#pidx + 4 * this.#cursor;
          const opt = OPTIMIZER[t.optimizer];
          const loss = handle.trainStep(
            px,
            this.#py,
            rows,
            m,
            t.learningRate,
            opt,
            t.l2,
            t.labelSmoothing,
            pw,
            ...lossArgs(t),
          );
          this.#loss += m * loss;
          this.#correct += handle.lastCorrect();
          this.#cursor += m;
          this.#steps++;
          if (this.#cursor === n) {
            this.#epochs++;
            ended.push({ epoch: this.#epochs, loss: this.#loss / n, accuracy: this.#correct / n });
            this.#cursor = this.#loss = this.#correct = 0;
            if (untilEpochEnd) break;
          }
        }
      });
      return ended;
    }

    #newEpoch(shuffle) {
      const order = this.#order;
      if (shuffle) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(this.#model.random() * (i + 1));
          const tmp = order[i];
          order[i] = order[j];
          order[j] = tmp;
        }
      }
      memory.i32.set(order, this.#pidx >>> 2);
    }
  }

  return Trainer;
}
