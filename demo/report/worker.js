// The report's module worker: opens the files, checks them against each other, streams them batch by batch
// into xe.evaluator() and posts progress, then the report. The page only renders.
//
// Page -> worker: { type: 'evaluate', id, files: { logits, labels?, names? }, settings }
//                 { type: 'read', id, files, settings }     read the files only (the benchmark's baseline)
//                 { type: 'cancel', id }
// Worker -> page: { type: 'ready', simd, version } | { type: 'error', id?, message }
//                 { type: 'progress', id, done, total } | { type: 'cancelled', id }
//                 { type: 'done', id, report, ms, plan: { classes, units, batches } }
import { load } from '../../web/index.js';
import { openFile } from './sources.js';
import { makePlan, stream } from './plan.js';
import { readNames } from './names.js';
import { buildReport } from './summary.js';

const PROGRESS_MS = 50; // at most one progress message per interval (and always the last)

let xe = null;
let current = null; // { id, cancelled }
// Float16Array where the runtime has it (the evaluator takes halves as they are), else null: widened in JS.
const half = globalThis.Float16Array ?? null;

const ready = load().then((instance) => {
  xe = instance;
  postMessage({ type: 'ready', simd: xe.simd, version: xe.version });
});
ready.catch((error) => postMessage({ type: 'error', message: `xentropy did not load: ${error.message}` }));

onmessage = ({ data: msg }) => {
  if (msg.type === 'cancel') {
    if (current && current.id === msg.id) current.cancelled = true;
  } else if (msg.type === 'evaluate' || msg.type === 'read') {
    if (current) current.cancelled = true; // a newer run replaces an older one
    run(msg);
  }
};

async function open(files, settings) {
  const binShape = settings.binShape;
  const first = await openFile(files.logits, { name: files.logits.name, role: 'logits', binShape });
  const second = files.labels ? await openFile(files.labels, { name: files.labels.name, role: 'labels' }) : {};
  const logits = first.logits;
  const labels = second.labels ?? first.labels;
  if (!logits) throw new Error(`${files.logits.name}: holds labels but no "logits"`);
  if (!labels)
    throw new Error(
      `No labels: choose a Labels file, or a .json file with "logits" and "labels" (${files.logits.name} has no "labels")`,
    );
  return { logits, labels };
}

async function run({ id, type, files, settings }) {
  const job = { id, cancelled: false };
  current = job;
  try {
    await ready;
    if (!files.logits) throw new Error('No logits: choose a Logits file (.npy, .json or .bin), or drop it on the page');
    const { logits, labels } = await open(files, settings);
    const plan = makePlan(logits, labels, settings);
    const names = files.names ? await readNames(files.names, files.names.name, plan.classes) : null;
    const started = performance.now();
    let posted = 0;
    const evaluator = type === 'read' ? null : xe.evaluator(plan.options);
    const result = await stream(plan, evaluator, {
      cancelled: () => job.cancelled,
      half,
      onProgress(done, total) {
        const now = performance.now();
        if (done < total && now - posted < PROGRESS_MS) return;
        posted = now;
        postMessage({ type: 'progress', id, done, total });
      },
    });
    const ms = performance.now() - started;
    const fileList = logits === labels ? [logits] : [logits, labels];
    const report = result && buildReport(result, { plan, settings, names, files: fileList, version: xe.version });
    postMessage({ type: 'done', id, report, ms, plan: { classes: plan.classes, units: plan.units } });
  } catch (error) {
    if (error.name === 'AbortError') postMessage({ type: 'cancelled', id });
    else postMessage({ type: 'error', id, message: error.message || String(error) });
  } finally {
    if (current === job) current = null;
  }
}
