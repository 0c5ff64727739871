// evaluate() and the streaming evaluator(): cross-entropy, top-k accuracy, perplexity and bits over
// class-index labels, and on request the report's extras: calibration bins, the Brier score and confusion
// counts with the per-class scores derived from them (cpp/kernels/evaluate.cc).
//
// The kernel returns the summed loss and each position's rank (how many classes come before the label in
// topK's order); top-k hits are the positions with rank < k. It adds the bins and the Brier sum, in
// float64, to a state block in wasm memory, [brier, bins (3B: counts, confidence sums, correct counts)],
// which the evaluator owns for its lifetime (freed on GC), and writes each position's prediction: the
// (label, prediction) pairs are counted here, O(P) per batch, into the arrays evaluate() returns or the
// evaluator's own (result() copies them). Counts kept in wasm cost each evaluate() a zeroed C*C block and
// a copy out. A failed add() changes nothing: all checks and allocations come before the kernel.
import * as check from './check.js';

const FROM = ['logits', 'probs'];

/**
 * The evaluator's geometry for one batch: its shape is options.shape with the first axis read from the
 * batch's length, unless the first axis is the class axis (then every batch has options.shape itself).
 */
function batchGeometry(fn, o, length) {
  if (o.shape === undefined) return check.geometry(fn, o, 'logits', length, 1);
  const shape = Array.from(o.shape);
  const rank = shape.length;
  const dim = o.dim === undefined ? (rank === 1 ? 0 : 1) : o.dim;
  if ((dim < 0 ? dim + rank : dim) !== 0) {
    let rest = 1;
    for (let i = 1; i < rank; i++) rest *= shape[i];
    if (rest === 0 ? length !== 0 : length % rest !== 0) {
      throw new RangeError(
        `${fn}: logits has length ${length}, which is not a whole number of [${['N', ...shape.slice(1)]}] batches`,
      );
    }
    shape[0] = rest === 0 ? 0 : length / rest;
  }
  return check.geometry(fn, { ...o, shape }, 'logits', length, 1);
}

function topKList(fn, topK) {
  if (topK === undefined) return [1];
  const list = typeof topK === 'number' ? [topK] : topK;
  if (!Array.isArray(list))
    throw new TypeError(`${fn}: options.topK must be an array of integers, got ${check.describe(topK)}`);
  list.forEach((k, i) => {
    if (typeof k !== 'number') throw new TypeError(`${fn}: options.topK[${i}] = ${check.describe(k)} is not a number`);
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`${fn}: options.topK[${i}] = ${k} must be an integer >= 1`);
  });
  return [...new Set(list)];
}

function flag(fn, name, v) {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: options.${name} must be a boolean, got ${check.describe(v)}`);
  return v;
}

function settings(fn, opts) {
  const o = check.options(fn, opts, true);
  const from = check.oneOf(fn, 'from', o.from, FROM, 'logits');
  const temperature = check.number(fn, 'temperature', o.temperature, 1, { min: 0, minOpen: true });
  if (from === 'probs' && temperature !== 1) {
    throw new RangeError(`${fn}: options.temperature = ${temperature} applies to logits only, not from: 'probs'`);
  }
  let bins = 0;
  if (o.calibration !== undefined) {
    if (typeof o.calibration !== 'number')
      throw new TypeError(`${fn}: options.calibration must be a number of bins, got ${check.describe(o.calibration)}`);
    if (!Number.isInteger(o.calibration) || o.calibration < 1 || o.calibration > 2 ** 24)
      throw new RangeError(`${fn}: options.calibration = ${o.calibration} must be an integer in [1, 2^24]`);
    bins = o.calibration;
  }
  return {
    o,
    topK: topKList(fn, o.topK),
    ignoreIndex: check.integer(fn, 'ignoreIndex', o.ignoreIndex, -100),
    fromProbs: from === 'probs',
    temperature,
    eps: check.number(fn, 'eps', o.eps, 1e-7, check.OPEN_UNIT),
    bins,
    brier: flag(fn, 'brier', o.brier),
    confusion: flag(fn, 'confusion', o.confusion),
  };
}

/** Offsets (in doubles) of the report's accumulators in a state block, and its length; 0 when none. */
function stateLayout(s) {
  return { bins: s.bins ? 1 : -1, doubles: s.bins || s.brier ? 1 + 3 * s.bins : 0 };
}

/** Zeroed confusion counts over c classes: the C*C matrix, its row sums (support) and column sums. */
function newCounts(fn, c) {
  try {
    return { matrix: new Float64Array(c * c), support: new Float64Array(c), predicted: new Float64Array(c) };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const mib = ((c * c * 8) / 2 ** 20).toFixed(1);
    throw new RangeError(`${fn}: cannot allocate the ${c} x ${c} confusion matrix (${mib} MiB)`);
  }
}

// From 2^15 cells up the pairs are bucketed by label and counted row by row (a counting sort): in position
// order nearly every pair missed the TLB.
const pairScratch = (c, n) => (c * c >= 2 ** 15 ? { start: new Int32Array(c + 1), cells: new Int32Array(n) } : null);

/** Adds the (label, prediction) pair of each counted position (rank >= 0), all read from int32 memory. */
function countPairs(i32, n, { labels, predictions, ranks }, { matrix, support, predicted }, c, scratch) {
  const start = scratch?.start; // start[t + 1]: the count of label t, then where bucket t + 1 starts
  for (let i = 0; i < n; i++) {
    if (i32[ranks + i] < 0) continue;
    const t = i32[labels + i];
    const p = i32[predictions + i];
    predicted[p]++;
    if (start) start[t + 1]++;
    else {
      matrix[t * c + p]++;
      support[t]++;
    }
  }
  if (!start) return;
  for (let t = 0; t < c; t++) {
    support[t] += start[t + 1];
    start[t + 1] += start[t];
  }
  const { cells } = scratch;
  for (let i = 0; i < n; i++) if (i32[ranks + i] >= 0) cells[start[i32[labels + i]]++] = i32[predictions + i];
  for (let t = 0, k = 0; t < c; t++) {
    for (const end = start[t]; k < end; k++) matrix[t * c + cells[k]]++; // start[t]: bucket t's end
  }
}

const ratio = (a, b) => (b === 0 ? 0 : a / b); // scikit-learn's zero_division = 0

/** A copy of n doubles at element offset `at` of a Float64Array view on wasm memory. */
function copyDoubles(view, at, n) {
  // Byte-wise: copying a Float64Array out of wasm memory (slice, or set into a new array) measured
  // 10-50x slower in Node 20 than copying the same bytes as a Uint8Array.
  const bytes = new Uint8Array(view.buffer, view.byteOffset + at * 8, n * 8);
  return new Float64Array(bytes.slice().buffer);
}

/** The report's confusion part from counts that it may keep (evaluate's own, or copies). */
function confusionReport({ matrix: confusion, support, predicted }, c) {
  const precision = new Float64Array(c);
  const recall = new Float64Array(c);
  const f1 = new Float64Array(c);
  const iou = new Float64Array(c);
  let total = 0;
  let ious = 0;
  let iouCount = 0;
  const macro = { precision: 0, recall: 0, f1: 0 };
  const weighted = { precision: 0, recall: 0, f1: 0 };
  for (let i = 0; i < c; i++) {
    const tp = confusion[i * c + i];
    precision[i] = ratio(tp, predicted[i]);
    recall[i] = ratio(tp, support[i]);
    f1[i] = ratio(2 * precision[i] * recall[i], precision[i] + recall[i]);
    const union = predicted[i] + support[i] - tp;
    iou[i] = union === 0 ? NaN : tp / union;
    if (union !== 0) {
      ious += iou[i];
      iouCount++;
    }
    total += support[i];
    macro.precision += precision[i] / c;
    macro.recall += recall[i] / c;
    macro.f1 += f1[i] / c;
    weighted.precision += precision[i] * support[i];
    weighted.recall += recall[i] * support[i];
    weighted.f1 += f1[i] * support[i];
  }
  for (const m of ['precision', 'recall', 'f1']) weighted[m] = ratio(weighted[m], total);
  return {
    confusion,
    perClass: { precision, recall, f1, iou, support },
    macro,
    weighted,
    meanIoU: iouCount === 0 ? NaN : ious / iouCount,
  };
}

function calibrationReport(state, layout, B, n) {
  const count = copyDoubles(state, layout.bins, B);
  const confidence = new Float64Array(B);
  const accuracy = new Float64Array(B);
  let ece = 0;
  let mce = 0;
  for (let b = 0; b < B; b++) {
    const m = count[b];
    confidence[b] = m === 0 ? NaN : state[layout.bins + B + b] / m;
    accuracy[b] = m === 0 ? NaN : state[layout.bins + 2 * B + b] / m;
    if (m === 0) continue;
    const gap = Math.abs(accuracy[b] - confidence[b]);
    ece += (m / n) * gap;
    mce = Number.isNaN(gap) || gap > mce ? gap : mce; // a NaN row's NaN confidence makes both NaN
  }
  return { bins: B, ece: n === 0 ? NaN : ece, mce: n === 0 ? NaN : mce, confidence, accuracy, count };
}

function summary(totals, s, classes, state, layout, counts) {
  const { loss, count, hits, top1 } = totals;
  const mean = count === 0 ? NaN : loss / count;
  const result = {
    loss: mean,
    accuracy: count === 0 ? NaN : top1 / count,
    topK: {},
    perplexity: Math.exp(mean),
    bits: mean / Math.LN2,
    count,
  };
  for (let i = 0; i < s.topK.length; i++) result.topK[s.topK[i]] = count === 0 ? NaN : hits[i] / count;
  if (s.bins) result.calibration = calibrationReport(state, layout, s.bins, count);
  if (s.brier) result.brier = count === 0 ? NaN : state[0] / count;
  if (s.confusion) Object.assign(result, confusionReport(counts, classes));
  return result;
}

export function createMetrics({ kernel, memory, call, withScratch, input }) {
  const f64 = () => memory.f64; // re-read: growing memory replaces the view

  /**
   * One batch's checked inputs: the logits X, its geometry g and the labels L. `streaming`: an evaluator's
   * batch, whose first axis may have any size.
   */
  function checkBatch(fn, logits, labels, s, streaming) {
    const X = check.floats(fn, 'logits', logits);
    const g = streaming ? batchGeometry(fn, s.o, X.length) : check.geometry(fn, s.o, 'logits', X.length, 1);
    const L = check.labels(fn, 'labels', labels, g.positions, g.classes, s.ignoreIndex);
    return { X, g, L };
  }

  /**
   * Adds one checked batch to `totals`, to the state block at byte offset `state` (0: none) and to the
   * confusion `counts` (null: none), with the call's scratch. Allocates every scratch block before
   * touching any of them.
   */
  function addBatch(scratch, { X, g, L }, s, totals, state, counts) {
    const layout = stateLayout(s);
    const dtype = input(scratch, X, g);
    const px = scratch.floats(X);
    const pl = scratch.labels(L);
    const pr = scratch.alloc(g.positions * 4);
    const pp = counts ? scratch.alloc(g.positions * 4) : 0;
    const pairs = counts && pairScratch(g.classes, g.positions);
    const desc = {
      outer: g.outer,
      classes: g.classes,
      inner: g.inner,
      ignoreIndex: s.ignoreIndex,
      fromProbs: s.fromProbs,
      invTemperature: 1 / s.temperature,
      eps: s.eps,
      bins: s.bins,
    };
    const bins = layout.bins < 0 ? 0 : state + layout.bins * 8;
    const loss = kernel.evaluate(call(desc, dtype), px, pl, pr, pp, bins, s.brier ? state : 0);
    const ranks = memory.i32;
    if (counts) {
      const at = { labels: pl >>> 2, predictions: pp >>> 2, ranks: pr >>> 2 };
      countPairs(ranks, g.positions, at, counts, g.classes, pairs);
    }
    const { topK } = s;
    const hits = totals.hits;
    let count = 0;
    let top1 = 0;
    for (let i = pr >>> 2, end = i + g.positions; i < end; i++) {
      const r = ranks[i];
      if (r < 0) continue;
      count++;
      if (r === 0) top1++;
      for (let j = 0; j < topK.length; j++) if (r < topK[j]) hits[j]++;
    }
    totals.loss += loss;
    totals.count += count;
    totals.top1 += top1;
  }

  const emptyTotals = (s) => ({ loss: 0, count: 0, hits: s.topK.map(() => 0), top1: 0 });

  function evaluate(logits, labels, opts) {
    const fn = 'evaluate';
    const s = settings(fn, opts);
    const b = checkBatch(fn, logits, labels, s, false);
    const layout = stateLayout(s);
    const counts = s.confusion ? newCounts(fn, b.g.classes) : null; // the result's own arrays
    // The state block is scratch here, allocated after the checks; a failure frees it.
    return withScratch(fn, (scratch) => {
      const state = layout.doubles ? scratch.alloc(layout.doubles * 8) : 0;
      if (state) f64().fill(0, state >>> 3, (state >>> 3) + layout.doubles);
      const totals = emptyTotals(s);
      addBatch(scratch, b, s, totals, state, counts);
      const view = state ? f64().subarray(state >>> 3, (state >>> 3) + layout.doubles) : null;
      return summary(totals, s, b.g.classes, view, layout, counts);
    });
  }

  function evaluator(opts) {
    const fn = 'evaluator';
    const s = settings(fn, opts);
    // The classes from options.classes, or from options.shape and dim (checked against their own size).
    const shape = s.o.shape;
    const size = Array.isArray(shape) || check.isIntArray(shape) ? Array.from(shape).reduce((a, v) => a * v, 1) : 0;
    const classes = check.geometry(fn, s.o, 'options.shape', Number.isFinite(size) ? size : 0, 1).classes;
    const layout = stateLayout(s);
    let totals = emptyTotals(s);
    let state = 0;
    const counts = s.confusion ? newCounts(fn, classes) : null;
    const zero = () => state && f64().fill(0, state >>> 3, (state >>> 3) + layout.doubles);
    const self = {
      /** Adds one batch; a batch that throws changes nothing. */
      add(logits, labels) {
        const f = 'evaluator.add';
        const b = checkBatch(f, logits, labels, s, true);
        const next = { ...totals, hits: [...totals.hits] };
        withScratch(f, (scratch) => addBatch(scratch, b, s, next, state, counts));
        totals = next;
        return this;
      },
      result() {
        const view = state ? f64().subarray(state >>> 3, (state >>> 3) + layout.doubles) : null;
        const copies = counts && Object.fromEntries(Object.entries(counts).map(([k, a]) => [k, a.slice()]));
        return summary(totals, s, classes, view, layout, copies);
      },
      reset() {
        totals = emptyTotals(s);
        zero();
        if (counts) for (const a of Object.values(counts)) a.fill(0);
        return this;
      },
    };
    if (layout.doubles) {
      state = memory.malloc(fn, layout.doubles * 8);
      zero();
      memory.registry.register(self, state);
    }
    return self;
  }

  return { evaluate, evaluator };
}
