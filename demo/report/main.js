// The model report page's wiring: file inputs and drag-and-drop, the settings, the worker (evaluate, cancel,
// progress), errors in the alert, the report's rendering and its download.
import { renderReport } from './render.js';

const $ = (selector) => document.querySelector(selector);
const EXAMPLES = {
  classifier: {
    files: ['classifier-logits.npy', 'classifier-labels.npy', 'classifier-names.txt'],
    axis: 'last',
    ignoreIndex: -100,
  },
  segmentation: {
    files: ['segmentation-logits.npy', 'segmentation-labels.npy', 'segmentation-names.txt'],
    axis: 'second',
    ignoreIndex: 255,
  },
  lm: { files: ['lm-logits.npy', 'lm-labels.npy'], axis: 'last', ignoreIndex: -100 },
};
const CANCEL_GRACE_MS = 2000; // then the worker is replaced

let worker = null;
let runId = 0;
let running = null; // { id, started }
let report = null; // the report on screen

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data: msg }) => onMessage(msg);
  worker.onerror = (event) => {
    event.preventDefault();
    fail(event.message || 'the report worker failed to start');
  };
}

function onMessage(msg) {
  if (msg.type === 'ready') {
    $('#build').textContent = `xentropy ${msg.version}, ${msg.simd ? 'SIMD128' : 'scalar'} build.`;
    for (const id of ['#evaluate', '#try-example']) $(id).disabled = false;
    return;
  }
  if (!running || msg.id !== running.id) {
    if (msg.type === 'error' && msg.id === undefined) fail(msg.message);
    return;
  }
  if (msg.type === 'progress') showProgress(msg.done, msg.total);
  else if (msg.type === 'done') {
    window.xentropyReport.lastMs = msg.ms;
    finish(`Done in ${(msg.ms / 1000).toFixed(2)} s.`);
    if (msg.report) {
      report = msg.report;
      renderReport(report);
      $('#report').hidden = false;
    }
  } else if (msg.type === 'cancelled') finish('Cancelled.', true);
  else if (msg.type === 'error') {
    finish('', true);
    fail(msg.message);
  }
}

function fail(message) {
  $('#alert').textContent = message;
}

// ---- Settings ----

function number(id, label, { integer = false, min = -Infinity, above = false } = {}) {
  const text = $(id).value.trim();
  const value = Number(text);
  const ok =
    text !== '' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (above ? value > min : value >= min);
  if (!ok)
    throw new Error(
      `${label}: ${JSON.stringify(text)} is not ${integer ? 'an integer' : 'a number'} ${above ? '>' : '>='} ${min}`,
    );
  return value;
}

function integers(id, label, min) {
  const text = $(id).value.trim();
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const values = parts.map(Number);
  if (!parts.length || values.some((v) => !Number.isSafeInteger(v) || v < min))
    throw new Error(
      `${label}: ${JSON.stringify(text)} is not a list of integers >= ${min}, such as "${label === 'Top-k' ? '1, 5' : '1000, 10'}"`,
    );
  return values;
}

/** The settings from the controls; throws an Error naming the control when one is invalid. */
export function readSettings() {
  const input = $('#input-is').value;
  const ignoreIndex = number('#ignore-index', 'Ignore index', { integer: true, min: -(2 ** 31) });
  if (ignoreIndex >= 2 ** 31) throw new Error(`Ignore index: ${ignoreIndex} is not a 32-bit integer`);
  const settings = {
    input,
    axis: $('#class-axis').value,
    temperature: input === 'logits' ? number('#temperature', 'Temperature', { min: 0, above: true }) : 1,
    ignoreIndex,
    bins: number('#bins', 'Calibration bins', { integer: true, min: 1 }),
    topK: [...new Set(integers('#top-k', 'Top-k', 1))],
  };
  if (settings.bins > 1000) throw new Error(`Calibration bins: ${settings.bins} is more than 1000`);
  if ($('#bin-shape').value.trim()) settings.binShape = integers('#bin-shape', 'Shape of a .bin file', 0);
  return settings;
}

// ---- Running ----

function evaluate(type = 'evaluate') {
  fail('');
  let settings;
  try {
    settings = readSettings();
  } catch (error) {
    return fail(error.message);
  }
  const files = { logits: $('#logits').files[0], labels: $('#labels').files[0], names: $('#names').files[0] };
  if (!files.logits) return fail('No logits: choose a Logits file (.npy, .json or .bin), or drop it on the page.');
  running = { id: ++runId, started: performance.now() };
  $('#evaluate').disabled = true;
  $('#cancel').disabled = false;
  showProgress(0, 1);
  worker.postMessage({ type, id: running.id, files, settings });
}

function cancel() {
  if (!running) return;
  const { id } = running;
  worker.postMessage({ type: 'cancel', id });
  setTimeout(() => {
    if (running?.id !== id) return;
    worker.terminate(); // stuck in one long call: start afresh
    startWorker();
    finish('Cancelled.', true);
  }, CANCEL_GRACE_MS);
}

function finish(text, reset = false) {
  running = null;
  $('#evaluate').disabled = false;
  $('#cancel').disabled = true;
  if (reset) $('#progress').value = 0;
  $('#progress-text').textContent = text;
}

function showProgress(done, total) {
  const bar = $('#progress');
  bar.max = Math.max(1, total);
  bar.value = done;
  const mib = (b) => (b / 2 ** 20).toFixed(1);
  const elapsed = (performance.now() - running.started) / 1000;
  const left = done > 0 && done < total ? (elapsed * (total - done)) / done : NaN;
  $('#progress-text').textContent =
    `${mib(done)} of ${mib(total)} MiB` +
    (Number.isFinite(left) ? `, about ${left < 1 ? '< 1' : Math.round(left)} s left` : '');
}

// ---- Files: inputs, drop, examples ----

function setFile(input, file) {
  const list = new DataTransfer();
  list.items.add(file);
  $(input).files = list.files;
}

/** Sorts dropped files into logits, labels and names by name, else by size (the outputs are the larger). */
function dropFiles(files) {
  const names = files.filter((f) => /\.txt$/i.test(f.name) || /names/i.test(f.name));
  const data = files.filter((f) => !names.includes(f));
  if (names.length) setFile('#names', names[0]);
  const isLabels = (f) => /label|target|(^|[^a-z])y[^a-z]/i.test(f.name);
  if (data.length === 1) setFile(isLabels(data[0]) ? '#labels' : '#logits', data[0]);
  else if (data.length >= 2) {
    const [a, b] = data;
    const aLabels = isLabels(a) === isLabels(b) ? a.size < b.size : isLabels(a);
    setFile('#logits', aLabels ? b : a);
    setFile('#labels', aLabels ? a : b);
  }
  if (data.length === 1 && /\.json$/i.test(data[0].name)) $('#labels').value = '';
}

async function tryExample() {
  const example = EXAMPLES[$('#example').value];
  fail('');
  try {
    const files = await Promise.all(
      example.files.map(async (name) => {
        const response = await fetch(new URL(`examples/${name}`, import.meta.url));
        if (!response.ok) throw new Error(`examples/${name}: HTTP ${response.status}`);
        return new File([await response.blob()], name);
      }),
    );
    setFile('#logits', files[0]);
    setFile('#labels', files[1]);
    if (files[2]) setFile('#names', files[2]);
    else $('#names').value = '';
    $('#class-axis').value = example.axis;
    $('#ignore-index').value = String(example.ignoreIndex);
    $('#input-is').value = 'logits';
    $('#bin-shape').value = '';
    evaluate();
  } catch (error) {
    fail(`The example did not load: ${error.message}`);
  }
}

function download() {
  if (!report) return;
  const blob = new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${report.inputs[0].name.replace(/\.[^.]*$/, '')}-report.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

$('#form').addEventListener('submit', (event) => {
  event.preventDefault();
  evaluate();
});
$('#cancel').addEventListener('click', cancel);
$('#try-example').addEventListener('click', tryExample);
$('#download').addEventListener('click', download);
$('#input-is').addEventListener('change', () => {
  $('#temperature').disabled = $('#input-is').value === 'probs';
});
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (!event.relatedTarget) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  document.body.classList.remove('dragging');
  const files = [...(event.dataTransfer?.files ?? [])];
  if (files.length) dropFiles(files);
});
// For scripts/bench-report.mjs: a read-only run (the files streamed, nothing evaluated) and the last run's time.
window.xentropyReport = { readOnly: () => evaluate('read'), lastMs: NaN };
startWorker();
