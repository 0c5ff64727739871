// Type definitions for xentropy: softmax, cross-entropy and their gradients in WebAssembly SIMD.
// Hand-written; checked by tests/types.test.mjs with `tsc --strict --noEmit`.

/**
 * `Float16Array` where the TypeScript lib has it (`lib: ["ESNext"]`, TypeScript >= 5.7), else nothing. Half
 * floats are widened exactly to float32: results are bit-identical to a Float32Array of the same values.
 */
export type Float16Input = typeof globalThis extends { Float16Array: { prototype: infer T } } ? T : never;
/**
 * A flat row-major float input: N rows of C classes as one array of length N*C, or any shape with
 * `{ shape, dim }`. A `Float16Array` (where the runtime has one) or float16 {@link WasmArray} crosses into wasm
 * as halves (half the bytes to copy) for the main input; other float inputs are widened to float32 in JS.
 */
export type FloatInput = Float32Array | Float64Array | Float16Input | readonly number[] | WasmArray;
/**
 * Class indices, one per row (per position with `shape`: length P, in row-major order of the shape with
 * `dim` removed). Integer typed arrays are always read as indices; `Uint16Array` never as half floats.
 */
export type LabelInput =
  Int32Array | Uint32Array | Uint16Array | Uint8Array | Uint8ClampedArray | Int16Array | Int8Array | readonly number[];
/** A cross-entropy target: class indices (length N) or a distribution per row (length N*C). */
export type TargetInput = LabelInput | FloatInput;
/** Where an array result is written: a Float32Array or WasmArray of the exact length. */
export type Out = Float32Array | WasmArray;
export type Reduction = 'mean' | 'sum' | 'none';

/** Options for {@link load}. */
export interface LoadOptions {
  /** `'auto'` (default) feature-detects SIMD128; `true` requires it (else throws); `false` loads the scalar build. */
  simd?: 'auto' | boolean;
  /** The `.wasm` of the chosen build, for bundlers and CSP setups: a URL, bytes or a compiled module. */
  wasm?: URL | string | ArrayBuffer | Uint8Array | WebAssembly.Module;
  /**
   * `'auto'` (default): more than one thread where shared wasm memory is available (Node.js; cross-origin
   * isolated pages and workers) and the machine has more than one core (at most 8), else exactly 1. An
   * integer >= 1 asks for that many; more than 1 loads the threaded SIMD build. Results are bit-identical
   * whatever the number.
   */
  threads?: 'auto' | number;
}

/**
 * Loads a new, independent instance (its own wasm memory). Works in browsers, Web Workers and Node >= 18.
 * @throws {TypeError} for malformed options.
 * @throws {Error} when `simd: true` and the engine lacks SIMD128.
 * @throws {RangeError} when `wasm` is the other build than the one `simd` chose; when `threads` is not
 *   `'auto'` or an integer >= 1; when `threads` > 1 where shared memory is unavailable (the page is not
 *   served with COOP/COEP headers) or with `simd: false`.
 */
export function load(options?: LoadOptions): Promise<Xentropy>;
/** True when this engine can run the SIMD128 build. */
export function simdSupported(): boolean;
/** The package version. */
export const version: string;

/**
 * A float32 (or float16) array in wasm memory: every function reads it, and a float32 one is also written,
 * without copying. A float16 WasmArray is an input only: as `out` it is a TypeError (results are float32).
 */
export interface WasmArray {
  /** Number of elements. */
  readonly length: number;
  /** `'float32'` (from `alloc(length)`) or `'float16'` (from `alloc(length, { dtype: 'float16' })`). */
  readonly dtype: 'float32' | 'float16';
  /**
   * A Float32Array view of the data (a Float16Array for dtype `'float16'`). Re-read it after any call: wasm
   * memory may grow and detach old views.
   * @throws {Error} once freed.
   */
  readonly array: Float32Array;
  /**
   * Releases the memory. A forgotten array is also released when garbage-collected.
   * @throws {Error} when already freed.
   */
  free(): void;
}

/**
 * The layout of the input: `classes` (rows of C, the classes last) or `shape` + `dim` (any rank, the class
 * axis anywhere, read row-major as PyTorch does); one of `classes` and `shape` is required (else a
 * TypeError). With both, `classes` must equal `shape[dim]` (else a RangeError). `{ classes: C }` is
 * `{ shape: [N, C] }`.
 */
export interface Geometry {
  /** Number of classes C (row length), an integer >= 1. */
  classes?: number;
  /**
   * The input's shape: integers >= 0 whose product is its length (else a RangeError). A position is one
   * index of every axis but `dim`; there are P = length / C of them (0 for an empty input).
   */
  shape?: readonly number[];
  /**
   * The class axis of `shape`, in [-rank, rank) (negative counts from the end; else a RangeError). Default
   * -1 for softmax, logSoftmax and softmaxBackward; 1 for the losses, entropy and klDivergence (PyTorch's
   * (N, C, d1, ..., dk)), 0 when the rank is 1. Without `shape`, a TypeError.
   */
  dim?: number;
}

export interface SoftmaxOptions extends Geometry {
  /** Divides the logits: softmax(x / temperature). A finite number > 0; default 1. */
  temperature?: number;
  /** Write the N*C result here and return it. */
  out?: Out;
}

export interface ClassesOptions extends Geometry {
  out?: Out;
}

/**
 * With `shape`, class-index targets have length P (PyTorch's target (N, d1, ..., dk)), dense targets the
 * input's length and layout; per-position losses (`'none'`) have length P, and `'mean'` divides as PyTorch
 * over N·d1···dk.
 */
export interface CrossEntropyOptions extends Geometry {
  /** `'logits'` (default; stable log-sum-exp) or `'probs'` (clamped to [eps, 1]). */
  from?: 'logits' | 'probs';
  /** `'mean'` (default: weighted mean over non-ignored rows), `'sum'` or `'none'` (per-row losses). */
  reduction?: Reduction;
  /** Per-class weights, length C. */
  weight?: FloatInput;
  /** Class index whose rows count for nothing (with class-index targets); default -100. */
  ignoreIndex?: number;
  /** Label smoothing epsilon in [0, 1]: the target becomes (1 - eps) * target + eps / C. Default 0. */
  labelSmoothing?: number;
  /** Logarithm base: Math.E (default, nats), 2 (bits) or any finite base > 1. */
  base?: number;
  /** Probability clamp for `from: 'probs'`, in (0, 1); default 1e-7. */
  eps?: number;
  /**
   * z-loss (PaLM): each non-ignored row's loss gains zLoss * logsumexp(row)^2, unweighted. A number >= 0,
   * default 0; logits only (a positive zLoss with `from: 'probs'` is a RangeError).
   */
  zLoss?: number;
  /**
   * With `reduction: 'none'` the per-row losses (N); for `crossEntropyWithGrad` the gradient (N*C). With
   * `'mean'` or `'sum'` `crossEntropy` returns a number, and `out` is a TypeError.
   */
  out?: Out;
}

/**
 * Options of `focalLoss`: those of cross-entropy except `weight` and `zLoss` (each a TypeError here), plus
 * `gamma` and `alpha`.
 */
export interface FocalLossOptions extends Omit<CrossEntropyOptions, 'weight' | 'zLoss'> {
  /** The focusing exponent of (1 - q): a finite number >= 0, default 2. 0 (with alpha 1) is cross-entropy. */
  gamma?: number;
  /** Class weights: one finite number >= 0 for every class, or one per class (length C). Default 1. */
  alpha?: number | FloatInput;
}

/** Options of `sigmoidFocalLoss` (torchvision.ops.sigmoid_focal_loss). */
export interface SigmoidFocalLossOptions {
  /** The focusing exponent of (1 - p_t): a finite number >= 0, default 2. */
  gamma?: number;
  /** Weight of the positive class, alpha t + (1 - alpha)(1 - t); a finite number, < 0 turns it off. Default 0.25. */
  alpha?: number;
  /** `'mean'` (default, over all elements), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Per-element weights, the length of the input. */
  weight?: FloatInput;
  /** Logarithm base, default Math.E. */
  base?: number;
  /** With `reduction: 'none'` the per-element losses; for the `WithGrad` form the gradient. Else a TypeError. */
  out?: Out;
}

export interface BinaryCrossEntropyOptions {
  /** `'logits'` (default) or `'probs'` (clamped to [eps, 1 - eps]). */
  from?: 'logits' | 'probs';
  /** `'mean'` (default, over all elements), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Per-element weights, the length of the input. */
  weight?: FloatInput;
  /** Scales the positive term, as PyTorch's pos_weight (a single number). Default 1. */
  posWeight?: number;
  /** Logarithm base, default Math.E. */
  base?: number;
  /** Probability clamp for `from: 'probs'`, in (0, 0.5]; default 1e-7 (as Keras). */
  eps?: number;
  /** Label smoothing in [0, 1]: the target becomes t * (1 - eps) + eps / 2 (Keras), before `posWeight`. Default 0. */
  labelSmoothing?: number;
  /** With `reduction: 'none'` the per-element losses; for the `WithGrad` form the gradient. Else a TypeError. */
  out?: Out;
}

/** One value per position (length P with `shape`). */
export interface EntropyOptions extends Geometry {
  /** Logarithm base, default Math.E. */
  base?: number;
  /** `'none'` (default: one value per row), `'mean'` or `'sum'` over rows. */
  reduction?: Reduction;
  /** Where the per-row values go with `reduction: 'none'` (a TypeError with `'mean'` or `'sum'`). */
  out?: Out;
}

/** One value per position (length P with `shape`); q has p's length and layout. */
export interface KlDivergenceOptions extends Geometry {
  /** Logarithm base, default Math.E. */
  base?: number;
  /** `'mean'` (default: over rows, PyTorch's batchmean), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** `'probs'` (default) or `'logits'`: how q is given. p is always probabilities. */
  from?: 'probs' | 'logits';
  /** Where the per-row values go with `reduction: 'none'` (a TypeError with `'mean'` or `'sum'`). */
  out?: Out;
}

/**
 * Where the classes are: `classes` (rows of C, the class axis last) or `shape` and `dim` (the input read
 * row-major with that shape, the class axis `dim`; API.md "N-dimensional inputs").
 */
export type ClassAxis =
  | {
      /** Number of classes C, an integer >= 1: the input is rows of C. */
      classes: number;
      shape?: undefined;
      dim?: undefined;
    }
  | {
      /** The input's shape: integers >= 0 whose product is its length. */
      shape: readonly number[];
      /** The class axis, in [-rank, rank); default as each function says. */
      dim?: number;
      /** When given, must equal shape[dim]. */
      classes?: number;
    };

/** What {@link Xentropy.topK} returns next to the indices. */
export type TopKValues = 'input' | 'probs' | 'logProbs';

/** Options of {@link Xentropy.topK}. `dim` defaults to -1 (the last axis). */
export type TopKOptions = ClassAxis & {
  /**
   * `'input'` (default): the entries themselves; `'probs'`: their softmax probability; `'logProbs'`: their
   * log-softmax. Both from the same single pass over each row.
   */
  values?: TopKValues;
  /** Divides the logits before `'probs'` / `'logProbs'`, as softmax does; a finite number > 0, default 1. */
  temperature?: number;
};

/** The k largest entries per position: the input's shape with shape[dim] replaced by k (N*k for `classes`). */
export interface TopKResult {
  /** Class indices, in descending order of their entries (ties: lower index first; NaN first). */
  indices: Int32Array;
  /** The entries, probabilities or log-probabilities (see {@link TopKOptions.values}). */
  values: Float32Array;
}

/** Options of {@link Xentropy.evaluate} and {@link Xentropy.evaluator}. `dim` defaults to 1 (0 for rank 1). */
export type EvaluateOptions = ClassAxis & {
  /** The k of each top-k accuracy, integers >= 1 (one number or a list); default [1]. k > C counts every row as a hit. */
  topK?: number | readonly number[];
  /** Label whose positions count nowhere; default -100. */
  ignoreIndex?: number;
  /**
   * `'logits'` (default) or `'probs'`: the input is probabilities, the loss is -log(clamp(p_t, eps, 1)), and
   * confidences and predictions are read as given, not renormalised.
   */
  from?: 'logits' | 'probs';
  /** Logits only: divides them before everything; a finite number > 0, default 1 (another value with `'probs'` is a RangeError). */
  temperature?: number;
  /** The clamp of `from: 'probs'`, in (0, 1); default 1e-7. */
  eps?: number;
  /** A number of equal-width confidence bins B (an integer >= 1): adds `calibration` to the result. Off by default. */
  calibration?: number;
  /** Adds `brier`, the mean Brier score, to the result. Default false. */
  brier?: boolean;
  /** Adds the confusion matrix and per-class, macro and weighted scores to the result. Default false. */
  confusion?: boolean;
};

/** Reliability-diagram data (torchmetrics CalibrationError conventions). */
export interface Calibration {
  /** The number of bins B. A sample of confidence c (its top-1 probability) goes to bin min(floor(c·B), B − 1). */
  bins: number;
  /** Expected calibration error: Σ_b (count[b] / n)·|accuracy[b] − confidence[b]| over non-empty bins (NaN with no samples). */
  ece: number;
  /** Maximum calibration error: the largest |accuracy[b] − confidence[b]| over non-empty bins (NaN with no samples). */
  mce: number;
  /** Each bin's mean confidence (NaN when empty), length B. */
  confidence: Float64Array;
  /** Each bin's fraction of correct top-1 predictions (NaN when empty), length B. */
  accuracy: Float64Array;
  /** Each bin's number of samples, length B. */
  count: Float64Array;
}

/** Precision, recall and F1 averaged over the classes. */
export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface Evaluation {
  /** Mean cross-entropy in nats over the counted positions (NaN when none). */
  loss: number;
  /** Top-1 accuracy: the first largest entry (lowest index among ties) is the label. */
  accuracy: number;
  /** Accuracy for each requested k. */
  topK: Record<number, number>;
  /** exp(loss). */
  perplexity: number;
  /** The loss in bits: loss / ln 2. */
  bits: number;
  /** Positions counted (not ignored). */
  count: number;
  /** With `calibration: B`. */
  calibration?: Calibration;
  /** With `brier: true`: the mean over samples of Σ_k (p_k − y_k)², y one-hot (between 0 and 2; NaN when none). */
  brier?: number;
  /** With `confusion: true`: C·C counts, row = true class, column = top-1 prediction. */
  confusion?: Float64Array;
  /**
   * With `confusion: true`, each of length C: precision TP/(TP+FP), recall TP/(TP+FN), F1 2PR/(P+R), each 0
   * where its denominator is 0 (scikit-learn's zero_division = 0); IoU TP/(TP+FP+FN), NaN where that is 0;
   * support, the number of samples of the class.
   */
  perClass?: {
    precision: Float64Array;
    recall: Float64Array;
    f1: Float64Array;
    iou: Float64Array;
    support: Float64Array;
  };
  /** With `confusion: true`: the unweighted mean over all C classes. */
  macro?: AveragedScores;
  /** With `confusion: true`: the mean weighted by support (0 with no samples). */
  weighted?: AveragedScores;
  /** With `confusion: true`: the mean IoU over the classes whose IoU is not NaN. */
  meanIoU?: number;
}

/**
 * Streaming evaluation over any number of batches: `result()` equals `evaluate` on their concatenation
 * (counts exactly, sums to float64 rounding). Keeps O(C² + bins) state, never the data. With `shape`,
 * every batch has that shape except that its first axis may have any size (unless it is the class axis).
 */
export interface Evaluator {
  /**
   * Adds one batch. A batch that throws changes nothing.
   * @throws {TypeError | RangeError} as {@link Xentropy.evaluate}.
   */
  add(logits: FloatInput, labels: LabelInput): this;
  /** The evaluation of every batch added since creation or the last reset(). */
  result(): Evaluation;
  /** Forgets every batch. */
  reset(): this;
}

export interface LossWithGrad<L, G extends Out = Float32Array> {
  loss: L;
  /** d loss / d input (for `reduction: 'none'`, of the sum of the losses); `out` when given. */
  grad: G;
}

export type Optimizer = 'sgd' | 'momentum' | 'adam';
export type Activation = 'relu' | 'tanh' | 'sigmoid';

export interface ClassifierOptions {
  /** Input features per example, an integer >= 1. */
  features: number;
  /** Number of classes, an integer >= 1. */
  classes: number;
  /** Hidden layer sizes, each an integer >= 1; [] (default) is softmax regression. */
  hidden?: readonly number[];
  /** Hidden activation; default 'relu'. */
  activation?: Activation;
  /** Seed of the weight initialisation and of the trainers' shuffles, an integer in [0, 2^32); default 1. */
  seed?: number;
}

export interface TrainOptions {
  /** Step size, a finite number > 0; default 0.01. */
  learningRate?: number;
  /** Default 'adam'. */
  optimizer?: Optimizer;
  /** L2 penalty on the weights (not biases), a finite number >= 0; default 0. */
  l2?: number;
  /** Label smoothing in [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Per-class weights of the cross-entropy, length `classes`, each finite and >= 0 (a TypeError with `loss: 'focal'`). */
  weight?: FloatInput;
  /** The training loss: `'crossEntropy'` (default) or `'focal'` (focal loss, see `focalLoss`). */
  loss?: 'crossEntropy' | 'focal';
  /** Focal loss: the exponent of (1 - q), a finite number >= 0; default 2. */
  gamma?: number;
  /** Focal loss: class weights, one number >= 0 for every class or one per class; default 1. */
  alpha?: number | FloatInput;
}

export interface FitOptions extends TrainOptions {
  /** Passes over the data, an integer >= 0; default 10. */
  epochs?: number;
  /** Rows per step, an integer >= 1; default 32. The last batch of an epoch takes the rows left. */
  batchSize?: number;
  /** Shuffle the rows each epoch (seeded by the model's seed); default true. */
  shuffle?: boolean;
  /** Called after each epoch with its entry; an error it throws ends `fit`. */
  onEpoch?: (entry: FitEntry) => void;
}

/** The options of a {@link Trainer}: those of `fit` without `epochs` and `onEpoch`. */
export type TrainerOptions = Omit<FitOptions, 'epochs' | 'onEpoch'>;

export interface FitEntry {
  /** The epoch, counted from 1. */
  epoch: number;
  /** Mean training loss over the epoch's batches (each before its update), in nats. */
  loss: number;
  /** Training accuracy over the epoch (each batch before its update). */
  accuracy: number;
}

/**
 * Incremental training over one data set, made by {@link Classifier.trainer}: mini-batches on demand,
 * exactly those `fit` runs. With the same seed, data and options the weights depend only on the number of
 * batches run, not on how they are split into calls: `step(3)` then `step(5)` is `step(8)`, and `epoch()`
 * k times is `fit({ epochs: k })`. Each epoch's order is drawn (from the model's seeded generator) when its
 * first batch runs. The data are copied into wasm memory once (a `WasmArray` x is used in place);
 * `dispose()` frees them, as does garbage collection.
 */
export interface Trainer {
  /** Completed epochs. */
  readonly epochs: number;
  /** Batches run (optimizer steps). */
  readonly steps: number;
  /** Epochs run including the fraction of the current one: `epochs + rows done / rows`. */
  readonly progress: number;
  /**
   * Runs the next `batches` mini-batches, into new epochs as needed.
   * @param batches an integer >= 0; default 1.
   * @returns the entries of the epochs that ended during the call (usually none).
   * @throws {TypeError | RangeError} when `batches` is not an integer >= 0; a `RangeError` when a batch
   *   does not fit in wasm memory (the batches before it are kept).
   * @throws {Error} once this trainer or its model is disposed, or when its `WasmArray` x or weight was freed.
   */
  step(batches?: number): FitEntry[];
  /**
   * Runs to the end of the current epoch, or a whole epoch when none is under way.
   * @returns that epoch's entry, over all its batches, including those run by earlier `step` calls.
   * @throws {RangeError} when a batch does not fit in wasm memory.
   * @throws {Error} once this trainer or its model is disposed, or when its `WasmArray` x or weight was freed.
   */
  epoch(): FitEntry;
  /**
   * Changes options from the next batch on; the position in the epoch is kept, options not given keep their
   * values. A new `shuffle` applies from the next epoch.
   * @throws {TypeError | RangeError} for malformed options, which change nothing.
   * @throws {Error} once this trainer or its model is disposed.
   */
  set(options: TrainerOptions): void;
  /**
   * Frees the trainer's copy of the data; using it afterwards throws.
   * @throws {Error} when already disposed.
   */
  dispose(): void;
}

/** A multilayer perceptron whose forward pass, backward pass and optimizer step run in wasm. */
export interface Classifier {
  readonly features: number;
  readonly classes: number;
  readonly hidden: number[];
  readonly activation: Activation;
  /**
   * One optimizer step on a batch. Returns the mean cross-entropy (without the L2 term) of the forward
   * pass before the update. Switching optimizer starts its state afresh. Inputs must be finite.
   * @throws {TypeError} for wrong argument types. @throws {RangeError} for non-finite inputs, no rows, bad
   *   labels or options, or a batch too large for wasm memory (then nothing changes).
   * @throws {Error} once disposed, or for a freed `WasmArray`.
   */
  trainStep(x: FloatInput, y: LabelInput, options?: TrainOptions): number;
  /**
   * Mini-batch training over seeded shuffles, on a {@link Trainer} run one epoch at a time.
   * @returns one entry per epoch.
   * @throws {TypeError | RangeError} as `trainer`, and for malformed `epochs` or `onEpoch`; a `RangeError`
   *   when a batch does not fit in wasm memory (epochs before it are kept).
   * @throws {Error} once disposed (also by `onEpoch`), for a freed `WasmArray`, or what `onEpoch` throws.
   */
  fit(x: FloatInput, y: LabelInput, options?: FitOptions): FitEntry[];
  /**
   * A {@link Trainer} over (x, y), for training a few batches at a time (in a worker, between frames).
   * x and y are checked and copied now (a `WasmArray` x is used in place).
   * @throws {TypeError} for wrong argument types. @throws {RangeError} for non-finite inputs, no rows, bad
   *   labels or options, or data that do not fit in wasm memory.
   * @throws {Error} once disposed, or for a freed `WasmArray`.
   */
  trainer(x: FloatInput, y: LabelInput, options?: TrainerOptions): Trainer;
  /**
   * Class probabilities, N*C.
   * @returns `out` if given (a `WasmArray` out gives that `WasmArray` back), else a new Float32Array.
   * @throws {TypeError} for wrong argument types. @throws {RangeError} when x's length is not a multiple of
   *   `features`, `out` has the wrong length, or the forward pass does not fit in wasm memory.
   * @throws {Error} once disposed, or for a freed `WasmArray`.
   */
  predict<O extends Out = Float32Array>(x: FloatInput, options?: { out?: O }): O;
  /**
   * Mean cross-entropy (nats) and top-1 accuracy (ties count as hits); both NaN for no rows.
   * @throws {TypeError} for wrong argument types. @throws {RangeError} for bad lengths or labels, or when the
   *   forward pass does not fit in wasm memory.
   * @throws {Error} once disposed, or for a freed `WasmArray`.
   */
  evaluate(x: FloatInput, y: LabelInput): { loss: number; accuracy: number };
  /**
   * Configuration and weights as plain JSON-serialisable data; not the optimizer state.
   * @throws {Error} once disposed.
   */
  toJSON(): ClassifierJSON;
  /**
   * Releases the wasm memory; using the model afterwards throws.
   * @throws {Error} when already disposed.
   */
  dispose(): void;
}

/** A Classifier saved by `toJSON()`: every field is required by `fromJSON`. */
export interface ClassifierJSON {
  format: 'xentropy.Classifier';
  /** The saved form's version; `fromJSON` reads version 1. */
  version: 1;
  features: number;
  classes: number;
  hidden: number[];
  activation: Activation;
  seed: number;
  /**
   * One per layer (`hidden.length + 1`), with widths running `[features, ...hidden, classes]`: layer l maps
   * `in` to `out` features, `weights` of length `in * out` ((in, out) row-major), `bias` of length `out`.
   */
  layers: { weights: number[]; bias: number[] }[];
}

export interface ClassifierConstructor {
  /**
   * @throws {TypeError | RangeError} for malformed options, or more than 2^27 parameters.
   * @throws {RangeError} when the parameters do not fit in wasm memory.
   */
  new (options: ClassifierOptions): Classifier;
  /**
   * Restores a model saved with `toJSON()` (the object or its JSON string); the optimizer state starts afresh.
   * @throws {TypeError} for invalid JSON, a missing field or one of the wrong type (an array that is not
   *   one, a value that is not a number). @throws {RangeError} for another format or version, a wrong
   *   array length, a value out of range or not finite.
   */
  fromJSON(json: ClassifierJSON | string): Classifier;
}

/** One loaded instance. Every function checks its arguments and throws TypeError / RangeError naming them. */
export interface Xentropy {
  /** True when the SIMD128 build was loaded. */
  readonly simd: boolean;
  /** The package version. */
  readonly version: string;
  /** How many threads this instance uses (the calling thread included). */
  readonly threads: number;
  /**
   * Ends the instance's threads. Any later call on it, `alloc` included, throws an `Error` that says it
   * was disposed. Calling it again does nothing.
   */
  dispose(): void;

  /**
   * A zero-filled array in wasm memory, usable wherever an array is accepted, without copies: float32, or
   * with `{ dtype: 'float16' }` half floats (an input only, never an `out`).
   * @throws {TypeError} when `length` is not a number, `dtype` not a string, or `'float16'` where the runtime
   * has no Float16Array.
   * @throws {RangeError} when `length` is not an integer >= 0, `dtype` neither `'float32'` nor `'float16'`,
   * or the memory cannot be had.
   */
  alloc(length: number, options?: { dtype?: 'float32' | 'float16' }): WasmArray;

  /**
   * Softmax over each row of C classes (or along axis `dim` of `shape`, default the last): exp(x / T - max) / sum. `-Infinity` gives exactly 0; NaN propagates.
   * @returns `out` if given, else a new Float32Array of N*C.
   * @throws {TypeError} wrong argument types (`classes` missing, `x` or `out` not a float array).
   * @throws {RangeError} a length that is not a multiple of C, `out` of the wrong length, `temperature` <= 0 or not finite.
   */
  softmax<O extends Out = Float32Array>(x: FloatInput, options: SoftmaxOptions & { out?: O }): O;
  /**
   * Log-softmax over each row, by log-sum-exp.
   * @throws {TypeError | RangeError} as {@link Xentropy.softmax}.
   */
  logSoftmax<O extends Out = Float32Array>(x: FloatInput, options: SoftmaxOptions & { out?: O }): O;
  /**
   * The gradient through softmax: p * (g - sum(g * p)) per row (per position with `shape`; `dim` default -1). `out` may be `probs` or `gradOut` itself.
   * @throws {TypeError} wrong argument types. @throws {RangeError} lengths that disagree or are not a multiple of C.
   */
  softmaxBackward<O extends Out = Float32Array>(
    probs: FloatInput,
    gradOut: FloatInput,
    options: ClassesOptions & { out?: O },
  ): O;
  /**
   * 1 / (1 + exp(-x)), element-wise. `out` may be `x` itself.
   * @throws {TypeError} `x` or `out` not a float array. @throws {RangeError} `out` of the wrong length.
   */
  sigmoid<O extends Out = Float32Array>(x: FloatInput, options?: { out?: O }): O;

  /**
   * Cross-entropy between targets and softmax(input) (or probabilities), as PyTorch's F.cross_entropy.
   * @returns the loss for 'mean' / 'sum'; per-row losses (N) for 'none'.
   * @throws {TypeError} wrong argument types, or `out` with a reduction other than 'none'.
   * @throws {RangeError} wrong lengths, labels outside [0, C), weights negative or not finite, options out of range.
   */
  crossEntropy(
    input: FloatInput,
    target: TargetInput,
    options: CrossEntropyOptions & { reduction?: 'mean' | 'sum'; out?: undefined },
  ): number;
  crossEntropy(
    input: FloatInput,
    target: TargetInput,
    options: CrossEntropyOptions & { reduction: 'none' },
  ): Float32Array;
  crossEntropy(
    input: FloatInput,
    target: TargetInput,
    options: Omit<CrossEntropyOptions, 'out'>,
  ): number | Float32Array;
  /**
   * Loss and d loss / d input (N*C) in one fused pass; `out` receives the gradient (it must not be the input).
   * @throws {TypeError | RangeError} as {@link Xentropy.crossEntropy}.
   */
  crossEntropyWithGrad<G extends Out = Float32Array>(
    input: FloatInput,
    target: TargetInput,
    options: CrossEntropyOptions & { reduction?: 'mean' | 'sum'; out?: G },
  ): LossWithGrad<number, G>;
  crossEntropyWithGrad<G extends Out = Float32Array>(
    input: FloatInput,
    target: TargetInput,
    options: CrossEntropyOptions & { reduction: 'none'; out?: G },
  ): LossWithGrad<Float32Array, G>;
  crossEntropyWithGrad(
    input: FloatInput,
    target: TargetInput,
    options: CrossEntropyOptions,
  ): LossWithGrad<number | Float32Array, Out>;

  /**
   * Binary cross-entropy, element-wise over any length, from logits (default) or probabilities.
   * @throws {TypeError} wrong argument types, or `out` with a reduction other than 'none'.
   * @throws {RangeError} lengths that disagree, `eps` outside (0, 0.5], options out of range.
   */
  binaryCrossEntropy(
    input: FloatInput,
    target: FloatInput,
    options?: BinaryCrossEntropyOptions & { reduction?: 'mean' | 'sum'; out?: undefined },
  ): number;
  binaryCrossEntropy(
    input: FloatInput,
    target: FloatInput,
    options: BinaryCrossEntropyOptions & { reduction: 'none' },
  ): Float32Array;
  binaryCrossEntropy(
    input: FloatInput,
    target: FloatInput,
    options?: Omit<BinaryCrossEntropyOptions, 'out'>,
  ): number | Float32Array;
  /**
   * Loss and d loss / d input in one pass; `out` receives the gradient and may be the input itself.
   * @throws {TypeError | RangeError} as {@link Xentropy.binaryCrossEntropy}.
   */
  binaryCrossEntropyWithGrad<G extends Out = Float32Array>(
    input: FloatInput,
    target: FloatInput,
    options?: BinaryCrossEntropyOptions & { reduction?: 'mean' | 'sum'; out?: G },
  ): LossWithGrad<number, G>;
  binaryCrossEntropyWithGrad<G extends Out = Float32Array>(
    input: FloatInput,
    target: FloatInput,
    options: BinaryCrossEntropyOptions & { reduction: 'none'; out?: G },
  ): LossWithGrad<Float32Array, G>;
  binaryCrossEntropyWithGrad(
    input: FloatInput,
    target: FloatInput,
    options?: BinaryCrossEntropyOptions,
  ): LossWithGrad<number | Float32Array, Out>;

  /**
   * Multi-class focal loss (Lin et al. 2017): per row -sum_k alpha_k t_k (1 - q_k)^gamma log q_k, q the
   * softmax of the input (or the clamped probabilities), t the target after label smoothing. `mean` divides by
   * the number of non-ignored rows (N with dense targets).
   * @returns the loss for 'mean' / 'sum'; per-row losses (N) for 'none'.
   * @throws {TypeError} wrong argument types, `weight` or `zLoss` given, or `out` with a reduction other than 'none'.
   * @throws {RangeError} wrong lengths, labels outside [0, C), `gamma` negative or not finite, `alpha` negative
   * or of a length other than C, options out of range.
   */
  focalLoss(
    input: FloatInput,
    target: TargetInput,
    options: FocalLossOptions & { reduction?: 'mean' | 'sum'; out?: undefined },
  ): number;
  focalLoss(input: FloatInput, target: TargetInput, options: FocalLossOptions & { reduction: 'none' }): Float32Array;
  focalLoss(input: FloatInput, target: TargetInput, options: Omit<FocalLossOptions, 'out'>): number | Float32Array;
  /**
   * Focal loss and d loss / d input (N*C) in one pass; `out` receives the gradient (it must not be the input).
   * @throws {TypeError | RangeError} as {@link Xentropy.focalLoss}.
   */
  focalLossWithGrad<G extends Out = Float32Array>(
    input: FloatInput,
    target: TargetInput,
    options: FocalLossOptions & { reduction?: 'mean' | 'sum'; out?: G },
  ): LossWithGrad<number, G>;
  focalLossWithGrad<G extends Out = Float32Array>(
    input: FloatInput,
    target: TargetInput,
    options: FocalLossOptions & { reduction: 'none'; out?: G },
  ): LossWithGrad<Float32Array, G>;
  focalLossWithGrad(
    input: FloatInput,
    target: TargetInput,
    options: FocalLossOptions,
  ): LossWithGrad<number | Float32Array, Out>;

  /**
   * Sigmoid focal loss, element-wise over any length, as torchvision.ops.sigmoid_focal_loss: with
   * p = sigmoid(x) and p_t = p t + (1 - p)(1 - t), BCE(x, t) * (1 - p_t)^gamma, times alpha t + (1 - alpha)(1 - t).
   * @throws {TypeError} wrong argument types, or `out` with a reduction other than 'none'.
   * @throws {RangeError} lengths that disagree, targets outside [0, 1], `gamma` negative or not finite.
   */
  sigmoidFocalLoss(
    input: FloatInput,
    target: FloatInput,
    options?: SigmoidFocalLossOptions & { reduction?: 'mean' | 'sum'; out?: undefined },
  ): number;
  sigmoidFocalLoss(
    input: FloatInput,
    target: FloatInput,
    options: SigmoidFocalLossOptions & { reduction: 'none' },
  ): Float32Array;
  sigmoidFocalLoss(
    input: FloatInput,
    target: FloatInput,
    options?: Omit<SigmoidFocalLossOptions, 'out'>,
  ): number | Float32Array;
  /**
   * Sigmoid focal loss and its gradient in one pass; `out` receives the gradient and may be the input itself.
   * @throws {TypeError | RangeError} as {@link Xentropy.sigmoidFocalLoss}.
   */
  sigmoidFocalLossWithGrad<G extends Out = Float32Array>(
    input: FloatInput,
    target: FloatInput,
    options?: SigmoidFocalLossOptions & { reduction?: 'mean' | 'sum'; out?: G },
  ): LossWithGrad<number, G>;
  sigmoidFocalLossWithGrad<G extends Out = Float32Array>(
    input: FloatInput,
    target: FloatInput,
    options: SigmoidFocalLossOptions & { reduction: 'none'; out?: G },
  ): LossWithGrad<Float32Array, G>;
  sigmoidFocalLossWithGrad(
    input: FloatInput,
    target: FloatInput,
    options?: SigmoidFocalLossOptions,
  ): LossWithGrad<number | Float32Array, Out>;

  /**
   * Entropy -sum p log p of each row of probabilities (0 log 0 = 0); per row by default.
   * @throws {TypeError} wrong argument types, or `out` with a reduction other than 'none'.
   * @throws {RangeError} a length that is not a multiple of C, options out of range.
   */
  entropy(p: FloatInput, options: EntropyOptions & { reduction?: 'none' }): Float32Array;
  entropy(p: FloatInput, options: EntropyOptions & { reduction: 'mean' | 'sum'; out?: undefined }): number;
  entropy(p: FloatInput, options: Omit<EntropyOptions, 'out'>): number | Float32Array;
  /**
   * KL divergence D(p || q) = sum p (log p - log q) per row; mean over rows by default.
   * @throws {TypeError | RangeError} as {@link Xentropy.entropy}, and for `p` and `q` of different lengths.
   */
  klDivergence(
    p: FloatInput,
    q: FloatInput,
    options: KlDivergenceOptions & { reduction?: 'mean' | 'sum'; out?: undefined },
  ): number;
  klDivergence(p: FloatInput, q: FloatInput, options: KlDivergenceOptions & { reduction: 'none' }): Float32Array;
  klDivergence(p: FloatInput, q: FloatInput, options: Omit<KlDivergenceOptions, 'out'>): number | Float32Array;

  /**
   * The k largest entries of each position along the class axis, in descending order (ties: the lower index
   * first; NaN above every number, as torch.topk; -Infinity below every number), with the entries, their
   * softmax or their log-softmax. Each row is read once, whatever `values` is.
   * @example
   * const { indices, values } = xe.topK(logits, 5, { classes: vocab, values: 'logProbs' });
   * @throws {TypeError} wrong argument types, `k` not a number.
   * @throws {RangeError} `k` not an integer in [1, C], a bad shape, dim or temperature, an unknown `values`.
   */
  topK(x: FloatInput, k: number, options: TopKOptions): TopKResult;

  /**
   * Loss, accuracy, top-k accuracies, perplexity and bits of logits (or probabilities) against class
   * labels, and on request calibration bins, the Brier score and a confusion matrix with per-class scores,
   * all from one pass over the logits. Every position (a row, a pixel, a token) is one sample.
   * @throws {TypeError} wrong argument types (also a non-boolean `brier` / `confusion`, a non-number `calibration`).
   * @throws {RangeError} wrong lengths, labels outside [0, C), bad `topK`, `calibration`, `temperature` or `eps`.
   */
  evaluate(logits: FloatInput, labels: LabelInput, options: EvaluateOptions): Evaluation;
  /**
   * A streaming evaluator: `add(logits, labels)` per batch, `result()`, `reset()`.
   * @throws {TypeError | RangeError} for malformed options, as {@link Xentropy.evaluate}.
   * @throws {RangeError} when its O(C²) state cannot be allocated.
   */
  evaluator(options: EvaluateOptions): Evaluator;

  /** The classifier trainer of this instance. */
  readonly Classifier: ClassifierConstructor;
}
