// evaluate() and the streaming evaluator(): cross-entropy, top-k accuracy, perplexity and bits over
// class-index labels. The wasm core returns the summed loss and each row's rank (how many classes
// score strictly above the label); top-k hits are the rows with rank < k.
import * as check from './check.js';

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

function settings(fn, opts) {
  const o = check.options(fn, opts, true);
  return {
    classes: check.classes(fn, o.classes),
    topK: topKList(fn, o.topK),
    ignoreIndex: check.integer(fn, 'ignoreIndex', o.ignoreIndex, -100),
  };
}

function summary(totals, topK) {
  const { loss, count, hits, top1 } = totals;
  const mean = count === 0 ? NaN : loss / count;
  return {
    loss: mean,
    accuracy: count === 0 ? NaN : top1 / count,
    topK: Object.fromEntries(topK.map((k, i) => [k, count === 0 ? NaN : hits[i] / count])),
    perplexity: Math.exp(mean),
    bits: mean / Math.LN2,
    count,
  };
}

export function createMetrics({ core, memory, call, withScratch }) {
  // The totals of one batch; checks everything before touching wasm.
  function batch(fn, logits, labels, { classes: c, topK, ignoreIndex }) {
    const X = check.floats(fn, 'logits', logits);
    const n = check.rows(fn, 'logits', X.length, c);
    const L = check.labels(fn, 'labels', labels, n, c, ignoreIndex);
    return withScratch(fn, (s) => {
      const px = s.floats(X);
      const pl = s.labels(L);
      const pr = s.alloc(n * 4);
      const loss = core.evaluate(call({ outer: n, classes: c, ignoreIndex }), px, pl, pr);
      const ranks = memory.i32.subarray(pr >>> 2, (pr >>> 2) + n);
      const hits = topK.map(() => 0);
      let count = 0;
      let top1 = 0;
      for (const r of ranks) {
        if (r < 0) continue;
        count++;
        if (r === 0) top1++;
        for (let i = 0; i < topK.length; i++) if (r < topK[i]) hits[i]++;
      }
      return { loss, count, hits, top1 };
    });
  }

  function evaluate(logits, labels, opts) {
    const s = settings('evaluate', opts);
    return summary(batch('evaluate', logits, labels, s), s.topK);
  }

  function evaluator(opts) {
    const s = settings('evaluator', opts);
    const empty = () => ({ loss: 0, count: 0, hits: s.topK.map(() => 0), top1: 0 });
    let totals = empty();
    return {
      /** Adds one batch; a batch that throws changes nothing. */
      add(logits, labels) {
        const b = batch('evaluator.add', logits, labels, s);
        totals = {
          loss: totals.loss + b.loss,
          count: totals.count + b.count,
          hits: totals.hits.map((h, i) => h + b.hits[i]),
          top1: totals.top1 + b.top1,
        };
        return this;
      },
      result: () => summary(totals, s.topK),
      reset() {
        totals = empty();
        return this;
      },
    };
  }

  return { evaluate, evaluator };
}
