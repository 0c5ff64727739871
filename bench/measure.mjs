// The timing of one cell, shared by Node (bench/child.mjs, one process per cell) and the browsers
// (bench/browser.html, one page per cell): the inputs, the implementation's setup, a checked first call,
// warm-up, rounds of >= timing.roundMs, a checked last call. Returns the cell's result object.
import { makeInput, reference, check } from './data.mjs';

function median(a) {
  const s = [...a].sort((p, q) => p - q);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

// Times `count` calls; returns [total ms, the last result] (kept for the final check).
async function timed(run, isAsync, count) {
  let last;
  const t0 = performance.now();
  if (isAsync) for (let i = 0; i < count; i++) last = await run();
  else for (let i = 0; i < count; i++) last = run();
  return [performance.now() - t0, last];
}

/** Measures `impl` (an entry of IMPLS) on `op` at `shape` ([n, c]); timing: { warmupMs, roundMs, rounds, maxCellMs }. */
export async function measure(impl, op, shape, timing) {
  const data = makeInput(op, shape);
  const ref = reference(data, op);
  const t0 = performance.now();
  const h = await impl.setup(op, data);
  const setupMs = performance.now() - t0;
  if (h.unsupported) return { status: 'n/a', why: h.unsupported, same: h.same };
  const isAsync = Boolean(h.async);
  const view = h.view ?? ((r) => r);

  // Validate the first result (and, below, the last one).
  const verify = (r) => {
    if (impl.kind === 'floor') {
      if (op !== 'loss') return { ok: true, err: 0 };
      let s = 0;
      for (let i = 0; i < data.x.length; i++) s += data.x[i];
      const err = Math.abs(r - s) / Math.max(1, Math.abs(s));
      // float32 sum of up to 2M elements: only a sanity check
      return err < 1e-2 ? { ok: true, err } : { ok: false, err, why: `floor sum ${r}, expected ${s}` };
    }
    return check(op, view(r), ref);
  };
  const first = verify(await h.run());
  if (!first.ok) return { status: 'FAIL', why: first.why, err: first.err, note: h.note };

  // Warm-up: at least `warmupMs` and one call (after the checked first one); estimates the per-call time.
  let calls = 0,
    spent = 0,
    batch = 1;
  while (spent < timing.warmupMs || calls < 1) {
    spent += (await timed(h.run, isAsync, batch))[0];
    calls += batch;
    if (spent < timing.warmupMs / 4) batch *= 2;
  }
  const per = spent / calls;
  const iters = Math.max(1, Math.ceil(timing.roundMs / per));
  // Slow implementations (one call longer than a round) get fewer rounds, at least 3, within maxCellMs.
  const count = Math.max(3, Math.min(timing.rounds, Math.floor(timing.maxCellMs / (iters * per))));
  const rounds = [];
  let result;
  for (let r = 0; r < count; r++) {
    const [ms, res] = await timed(h.run, isAsync, iters);
    rounds.push(ms / iters);
    result = res;
  }

  const last = verify(result); // the result of the last timed call
  if (!last.ok) return { status: 'FAIL', why: `after timing: ${last.why}`, err: last.err, note: h.note };
  await h.teardown?.();
  return {
    status: 'ok',
    ms: median(rounds),
    min: Math.min(...rounds),
    max: Math.max(...rounds),
    rounds,
    iters,
    err: Math.max(first.err, last.err),
    setupMs,
    note: h.note,
    info: h.info,
  };
}
