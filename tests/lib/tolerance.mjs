// The one tolerance check of the tests: mixed tolerance against float64 references (XNNPACK's TolMixed,
// llm.c's validate_result), |actual - expected| <= atol + rtol * |expected| element-wise, with NaN,
// +Infinity and -Infinity required in exactly the same places (a NaN where a finite value is expected
// fails, and so does the reverse).

/**
 * The first element that is out of tolerance, or null when all are within it.
 * @returns {null | { index: number, actual: number, expected: number, bound: number }}
 */
export function firstMismatch(actual, expected, { rtol, atol }) {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  for (let i = 0; i < e.length; i++) {
    const x = a[i],
      y = e[i];
    const bound = atol + rtol * Math.abs(y);
    const ok = Number.isNaN(y) ? Number.isNaN(x) : !Number.isFinite(y) ? x === y : Math.abs(x - y) <= bound;
    if (!ok) return { index: i, actual: x, expected: y, bound };
  }
  return null;
}

/**
 * The largest |actual - expected| / (atol + rtol * |expected|) over the finite expected elements (a value
 * <= 1 passes): how close a result comes to its tolerance. Non-finite places are not counted here.
 */
export function worstRatio(actual, expected, { rtol, atol }) {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    if (!Number.isFinite(e[i])) continue;
    const r = Math.abs(a[i] - e[i]) / (atol + rtol * Math.abs(e[i]));
    if (!(r <= worst)) worst = r; // NaN (a NaN result where a number is expected) wins
  }
  return worst;
}

/**
 * Throws unless `actual` (a number or an array-like) matches `expected` within { rtol, atol }, with the
 * same length and non-finite values in the same places. `what` names the value in the message.
 * The defaults suit one float32 result against its float64 reference: rtol 1e-5 covers a few float32
 * roundings (6e-8 each) and the exponential's few ulp with room to spare, atol 1e-6 the values near 0
 * where a relative bound means nothing. Where a result is held to more (or less), the caller says so.
 */
export function close(actual, expected, { rtol = 1e-5, atol = 1e-6, what = 'value' } = {}) {
  const scalar = typeof expected === 'number';
  if (scalar && typeof actual !== 'number') throw new Error(`${what}: expected a number, got ${describe(actual)}`);
  if (!scalar && (actual === null || typeof actual !== 'object' || typeof actual.length !== 'number')) {
    throw new Error(`${what}: expected an array of ${expected.length}, got ${describe(actual)}`);
  }
  if (!scalar && actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  }
  const m = firstMismatch(actual, expected, { rtol, atol });
  if (m) {
    const where = scalar ? what : `${what}[${m.index}]`;
    const err = Math.abs(m.actual - m.expected);
    const diff = Number.isFinite(m.expected) ? `, |diff| ${err.toExponential(3)} > ${m.bound.toExponential(3)}` : '';
    throw new Error(`${where} = ${m.actual}, expected ${m.expected}${diff} (rtol ${rtol}, atol ${atol})`);
  }
}

function describe(v) {
  if (v === null || typeof v !== 'object') return String(v);
  return `${v.constructor?.name ?? 'object'}${typeof v.length === 'number' ? `(${v.length})` : ''}`;
}
