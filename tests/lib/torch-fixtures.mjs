// Reads tests/fixtures/torch.json, written by tests/fixtures/generate.py (PyTorch, float64 references).
// JSON has no NaN or Infinity, so the file spells them "NaN", "Infinity" and "-Infinity"; Number() reads
// them back. Arguments are tagged with the array type to pass: {f32}, {i32}, {u8}, {u16}, {u32}, {num}
// (a plain number[]), or {ref, as} for a large array stored once under "tensors".
import { readFileSync } from 'node:fs';

export const FIXTURES = new URL('../fixtures/torch.json', import.meta.url);

const TYPED = { f32: Float32Array, i32: Int32Array, u8: Uint8Array, u16: Uint16Array, u32: Uint32Array };

/** A JSON number or one of the strings "NaN", "Infinity", "-Infinity" as a number. */
export function decodeNumber(v) {
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  throw new TypeError(`torch.json: not a number: ${JSON.stringify(v)}`);
}

/** An expected value: a number, an array (as a Float64Array), or an object of those. */
export function decodeExpected(v) {
  if (Array.isArray(v)) return Float64Array.from(v, decodeNumber);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeExpected(x)]));
  }
  return decodeNumber(v);
}

/** One tagged argument as the array the library gets. */
export function decodeArg(arg, tensors) {
  if (arg.ref !== undefined) {
    const values = tensors[arg.ref];
    if (!values) throw new Error(`torch.json: no tensor ${arg.ref}`);
    return decodeArg({ [arg.as]: values }, tensors);
  }
  const [[kind, values]] = Object.entries(arg);
  if (kind === 'num') return values.map(decodeNumber);
  const Type = TYPED[kind];
  if (!Type) throw new Error(`torch.json: unknown argument kind ${kind}`);
  return Type.from(values, decodeNumber);
}

/** Options: plain JSON, with number arrays (weight) decoded. */
export function decodeOptions(opts) {
  return Object.fromEntries(
    Object.entries(opts).map(([k, v]) => [k, Array.isArray(v) && k !== 'topK' ? v.map(decodeNumber) : v]),
  );
}

/**
 * The fixtures: { meta, cases: [{ group, name, fn, args, opts, expect, tol? }] } with everything decoded, and
 * the cases grouped by `group` in file order.
 */
export function loadTorchFixtures(url = FIXTURES) {
  const raw = JSON.parse(readFileSync(url, 'utf8'));
  const cases = raw.cases.map((c) => ({
    group: c.group,
    name: c.name,
    fn: c.fn,
    args: c.args.map((a) => decodeArg(a, raw.tensors)),
    opts: decodeOptions(c.opts),
    expect: decodeExpected(c.expect),
    tol: c.tol, // optional { tolerance class: class to use instead }
  }));
  const groups = new Map();
  for (const c of cases) {
    if (!groups.has(c.group)) groups.set(c.group, []);
    groups.get(c.group).push(c);
  }
  return { meta: raw.meta, cases, groups };
}
