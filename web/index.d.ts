// Type definitions for xentropy: softmax, cross-entropy and their gradients in WebAssembly SIMD.
// Hand-written; checked by tests/types.test.mjs with `tsc --strict --noEmit`.

/** A flat row-major float input: N rows of C classes as one array of length N*C. */
export type FloatInput = Float32Array | Float64Array | readonly number[] | WasmArray;
/** Class indices, one per row. Integer typed arrays are always read as indices. */
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

/** A float32 array in wasm memory: every function reads and writes it without copying. */
export interface WasmArray {
  /** Number of float32 elements. */
  readonly length: number;
  /**
   * A Float32Array view of the data. Re-read it after any call: wasm memory may grow and detach old views.
   * @throws {Error} once freed.
   */
  readonly array: Float32Array;
  /**
   * Releases the memory. A forgotten array is also released when garbage-collected.
   * @throws {Error} when already freed.
   */
  free(): void;
}

export interface SoftmaxOptions {
  /** Number of classes C (row length); required, an integer >= 1. */
  classes: number;
  /** Divides the logits: softmax(x / temperature). A finite number > 0; default 1. */
  temperature?: number;
  /** Write the N*C result here and return it. */
  out?: Out;
}

export interface ClassesOptions {
  /** Number of classes C; required, an integer >= 1. */
  classes: number;
  out?: Out;
}

export interface CrossEntropyOptions {
  /** Number of classes C; required, an integer >= 1. */
  classes: number;
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
   * With `reduction: 'none'` the per-row losses (N); for `crossEntropyWithGrad` the gradient (N*C). With
   * `'mean'` or `'sum'` `crossEntropy` returns a number, and `out` is a TypeError.
   */
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
  /** With `reduction: 'none'` the per-element losses; for the `WithGrad` form the gradient. Else a TypeError. */
  out?: Out;
}

export interface EntropyOptions {
  /** Number of classes C; required. */
  classes: number;
  /** Logarithm base, default Math.E. */
  base?: number;
  /** `'none'` (default: one value per row), `'mean'` or `'sum'` over rows. */
  reduction?: Reduction;
  /** Where the per-row values go with `reduction: 'none'` (a TypeError with `'mean'` or `'sum'`). */
  out?: Out;
}

export interface KlDivergenceOptions {
  /** Number of classes C; required. */
  classes: number;
  /** Logarithm base, default Math.E. */
  base?: number;
  /** `'mean'` (default: over rows, PyTorch's batchmean), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** `'probs'` (default) or `'logits'`: how q is given. p is always probabilities. */
  from?: 'probs' | 'logits';
  /** Where the per-row values go with `reduction: 'none'` (a TypeError with `'mean'` or `'sum'`). */
  out?: Out;
}

export interface EvaluateOptions {
  /** Number of classes C; required. */
  classes: number;
  /** The k of each top-k accuracy, integers >= 1 (one number or a list); default [1]. k > C counts every row as a hit. */
  topK?: number | readonly number[];
  /** Label whose rows count nowhere; default -100. */
  ignoreIndex?: number;
}

export interface Evaluation {
  /** Mean cross-entropy in nats over the counted rows (NaN when none). */
  loss: number;
  /** Top-1 accuracy. */
  accuracy: number;
  /** Accuracy for each requested k. */
  topK: Record<number, number>;
  /** exp(loss). */
  perplexity: number;
  /** The loss in bits: loss / ln 2. */
  bits: number;
  /** Rows counted (not ignored). */
  count: number;
}

/** Streaming evaluation over any number of batches; `result()` equals `evaluate` on their concatenation. */
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
  /** Hidden layer sizes; [] (default) is softmax regression. */
  hidden?: readonly number[];
  /** Hidden activation; default 'relu'. */
  activation?: Activation;
  /** Seed of the weight initialisation (and of `fit`'s shuffling); default 1. */
  seed?: number;
}

export interface TrainOptions {
  /** Step size, a finite number > 0; default 0.01. */
  learningRate?: number;
  /** Default 'adam'. */
  optimizer?: Optimizer;
  /** L2 penalty on the weights (not biases); default 0. */
  l2?: number;
  /** Label smoothing in [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Per-class weights of the loss, length `classes`. */
  weight?: FloatInput;
}

export interface FitOptions extends TrainOptions {
  /** Passes over the data; default 10. */
  epochs?: number;
  /** Rows per step; default 32. */
  batchSize?: number;
  /** Shuffle the rows each epoch (seeded); default true. */
  shuffle?: boolean;
  /** Called after each epoch. */
  onEpoch?: (entry: FitEntry) => void;
}

export interface FitEntry {
  epoch: number;
  /** Mean training loss over the epoch's batches, in nats. */
  loss: number;
  /** Training accuracy over the epoch. */
  accuracy: number;
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
   * @throws {Error} once disposed. @throws {RangeError} for non-finite inputs, bad labels or options.
   */
  trainStep(x: FloatInput, y: LabelInput, options?: TrainOptions): number;
  /** Mini-batch training; returns one entry per epoch. */
  fit(x: FloatInput, y: LabelInput, options?: FitOptions): FitEntry[];
  /** Class probabilities, N*C. */
  predict(x: FloatInput, options?: { out?: Out }): Float32Array;
  /** Mean cross-entropy (nats) and accuracy. */
  evaluate(x: FloatInput, y: LabelInput): { loss: number; accuracy: number };
  /** Configuration and weights as plain JSON-serialisable data. */
  toJSON(): ClassifierJSON;
  /** Releases the wasm memory; using the model afterwards throws. */
  dispose(): void;
}

export interface ClassifierJSON {
  features: number;
  classes: number;
  hidden: number[];
  activation: Activation;
  [key: string]: unknown;
}

export interface ClassifierConstructor {
  /**
   * @throws {TypeError | RangeError} for malformed options.
   */
  new (options: ClassifierOptions): Classifier;
  /** Restores a model saved with `toJSON()`. */
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
   * A zero-filled float32 array in wasm memory, usable wherever an array is accepted, without copies.
   * @throws {TypeError} when `length` is not a number.
   * @throws {RangeError} when `length` is not an integer >= 0 or the memory cannot be had.
   */
  alloc(length: number): WasmArray;

  /**
   * Softmax over each row of C classes: exp(x / T - max) / sum. `-Infinity` gives exactly 0; NaN propagates.
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
   * The gradient through softmax: p * (g - sum(g * p)) per row. `out` may be `probs` or `gradOut` itself.
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
   * Loss, accuracy, top-k accuracies, perplexity and bits of logits against class labels.
   * @throws {TypeError} wrong argument types. @throws {RangeError} wrong lengths, labels outside [0, C), bad `topK`.
   */
  evaluate(logits: FloatInput, labels: LabelInput, options: EvaluateOptions): Evaluation;
  /**
   * A streaming evaluator.
   * @throws {TypeError | RangeError} for malformed options, as {@link Xentropy.evaluate}.
   */
  evaluator(options: EvaluateOptions): Evaluator;

  /** The classifier trainer of this instance. */
  readonly Classifier: ClassifierConstructor;
}
