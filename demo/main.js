// The demo page's wiring: controls <-> settings <-> URL hash, the training worker, and painting.
import { load } from '../web/index.js';
import { DATASETS, classesFor, generate } from './datasets.js';
import { FIELDS, parseHash, toHash } from './state.js';
import { CLASS_NAMES, COLORS, Heatmap, drawChart } from './plot.js';
import { Explainer } from './explainer.js';

const GRID = { size: 64, extent: 1.25 }; // heatmap resolution and the square it covers
const POINTS = 600; // data points, before the train/test split
const MAX_HISTORY = 1200; // curve points kept; older ones are thinned out

// Which settings do what when they change.
const DATA_KEYS = ['dataset', 'classes', 'noise', 'train', 'seed', 'share'];
const MODEL_KEYS = ['hidden', 'activation'];
const TRAIN_KEYS = ['optimizer', 'loss', 'gamma', 'lr', 'batch', 'smoothing', 'l2', 'pace'];
const EXPLAINER_KEYS = ['q', 'target', 'p'];

const $ = (selector) => document.querySelector(selector);
const metric = (name) => document.querySelector(`[data-metric="${name}"]`);

let state = parseHash(location.hash);
let data = null;
let gen = 0; // generation of the model; reports of older ones are dropped
let playing = false;
let latest = null; // the latest report
let curve = []; // one entry per report: { steps, x, trainLoss, testLoss, trainAccuracy, testAccuracy }
let dirty = true;

// The page's own instance only serves the explainer's small computations: one thread. Training runs in the
// worker, on as many threads as the page allows (load's 'auto'), which the 'ready' message reports.
const xe = await load({ threads: 1 });
const buildText = `xentropy ${xe.version}, ${xe.simd ? 'SIMD128' : 'scalar'} build`;
$('#build').textContent = `${buildText}.`;

const heatmap = new Heatmap($('#heatmap'), GRID);
const explainer = new Explainer($('#explainer'), xe, state, (settings) => {
  Object.assign(state, settings);
  writeHash();
});

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data: msg }) => {
  if (msg.type === 'ready') {
    for (const id of ['#play', '#step', '#reset']) $(id).disabled = false;
    $('#build').textContent =
      msg.threads > 1
        ? `${buildText}; training on ${msg.threads} threads (the page is cross-origin isolated).`
        : `${buildText}; training on 1 thread (threads need a cross-origin-isolated page: COOP/COEP headers).`;
  } else if (msg.type === 'report') {
    if (msg.gen === gen) onReport(msg);
  } else if (msg.type === 'error') {
    showError(msg.message);
  }
};
worker.onerror = (event) => {
  event.preventDefault();
  showError(event.message || 'the training worker failed to start');
};

function showError(message) {
  console.error(`xentropy demo: ${message}`);
  $('#status').textContent = message;
  setPlaying(false);
}

// ---- Settings, controls and the hash ----

function control(key) {
  return document.getElementById(`ctl-${key}`);
}

function showControls() {
  for (const key of [...DATA_KEYS, ...MODEL_KEYS, ...TRAIN_KEYS]) {
    const el = control(key);
    el.value = FIELDS[key].format(state[key]);
    el.removeAttribute('aria-invalid');
    const out = document.querySelector(`[data-show="${key}"]`);
    if (out) out.textContent = el.value;
  }
  const [lo, hi] = DATASETS[state.dataset].classes;
  for (const option of control('classes').options)
    option.disabled = Number(option.value) < lo || Number(option.value) > hi;
  control('classes').disabled = lo === hi;
  control('gamma').disabled = state.loss !== 'focal';
  explainer.setGamma(state.loss === 'focal' ? state.gamma : null);
}

function writeHash() {
  const hash = `#${toHash(state)}`;
  if (location.hash !== hash) window.history.replaceState(null, '', hash);
}

function onControl(key) {
  const el = control(key);
  const value = FIELDS[key].parse(el.value, null);
  if (value === null) {
    el.setAttribute('aria-invalid', 'true'); // keep the old setting until the text is valid
    return;
  }
  el.removeAttribute('aria-invalid');
  state[key] = value;
  if (key === 'dataset') state.classes = classesFor(state.dataset, state.classes);
  showControls();
  writeHash();
  if (DATA_KEYS.includes(key)) newData();
  else if (MODEL_KEYS.includes(key)) newModel();
  else worker.postMessage({ type: 'train', train: trainSettings() });
}

for (const key of [...DATA_KEYS, ...MODEL_KEYS, ...TRAIN_KEYS]) {
  const el = control(key);
  // Sliders apply while dragging; text and number fields when committed (Enter or leaving the field).
  el.addEventListener(el.type === 'range' ? 'input' : 'change', () => onControl(key));
}

// Editing the hash by hand (or going back) applies it.
window.addEventListener('hashchange', () => {
  const next = parseHash(location.hash);
  next.classes = classesFor(next.dataset, next.classes);
  const changed = (keys) => keys.some((k) => FIELDS[k].format(next[k]) !== FIELDS[k].format(state[k]));
  const dataChanged = changed(DATA_KEYS);
  const modelChanged = changed(MODEL_KEYS);
  const trainChanged = changed(TRAIN_KEYS);
  const explainerChanged = changed(EXPLAINER_KEYS);
  state = next;
  showControls();
  if (explainerChanged) explainer.set(state);
  if (dataChanged) newData();
  else if (modelChanged) newModel();
  else if (trainChanged) worker.postMessage({ type: 'train', train: trainSettings() });
  writeHash();
});

// ---- Data, model and training ----

function trainSettings() {
  return {
    learningRate: state.lr,
    optimizer: state.optimizer,
    loss: state.loss,
    gamma: state.gamma,
    l2: state.l2,
    labelSmoothing: state.smoothing,
    batchSize: state.batch,
    epochsPerSecond: state.pace === 'max' ? 0 : Number(state.pace),
  };
}

function newData() {
  data = generate({
    dataset: state.dataset,
    classes: state.classes,
    noise: state.noise,
    points: POINTS,
    trainFraction: state.train / 100,
    seed: state.seed,
    shareA: state.share === 'even' ? undefined : Number(state.share) / 100,
  });
  const x = new Float32Array(data.xTrain.length + data.xTest.length);
  x.set(data.xTrain);
  x.set(data.xTest, data.xTrain.length);
  heatmap.setPoints({ x, y: Int32Array.from([...data.yTrain, ...data.yTest]), nTrain: data.yTrain.length });
  showLegend();
  newModel();
}

function newModel() {
  gen++;
  latest = null;
  curve = [];
  hideTooltip();
  worker.postMessage({
    type: 'init',
    gen,
    data,
    model: { hidden: state.hidden, activation: state.activation, seed: state.seed },
    train: trainSettings(),
    grid: GRID,
  });
  if (playing) worker.postMessage({ type: 'play' });
  dirty = true;
}

function setPlaying(on) {
  playing = on;
  $('#play').textContent = on ? 'Pause' : 'Play';
  worker.postMessage({ type: on ? 'play' : 'pause' });
}

$('#play').addEventListener('click', () => setPlaying(!playing));
$('#step').addEventListener('click', () => {
  setPlaying(false);
  worker.postMessage({ type: 'step' });
});
$('#reset').addEventListener('click', () => {
  setPlaying(false);
  newModel();
});
$('#show-test').addEventListener('change', () => (dirty = true));

const fixed = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : String(v)); // NaN when training diverged

function onReport(msg) {
  latest = msg;
  heatmap.setGrid(msg.grid, data.classes);
  if (curve.length === 0 || curve[curve.length - 1].steps !== msg.steps) {
    curve.push({
      steps: msg.steps,
      x: msg.progress,
      trainLoss: msg.train.loss,
      testLoss: msg.test.loss,
      trainAccuracy: msg.train.accuracy,
      testAccuracy: msg.test.accuracy,
    });
    if (curve.length > MAX_HISTORY) curve = curve.filter((_, i) => i % 2 === 0 || i === curve.length - 1);
  }
  metric('epoch').textContent = String(msg.epoch);
  metric('train-loss').textContent = fixed(msg.train.loss, 4);
  metric('test-loss').textContent = fixed(msg.test.loss, 4);
  metric('train-accuracy').textContent = fixed(msg.train.accuracy, 4);
  metric('test-accuracy').textContent = fixed(msg.test.accuracy, 4);
  $('#speed').textContent = String(Math.round(msg.stepsPerSecond));
  if (heatmap.hover >= 0) showTooltip(heatmap.hover);
  dirty = true;
}

// ---- Painting: only on animation frames, only when something changed ----

function paint() {
  heatmap.draw({ showTest: $('#show-test').checked });
  const xs = curve.map((h) => h.x);
  drawChart($('#loss-chart'), {
    title: 'Loss (nats)',
    xs,
    series: [
      { label: 'train', color: '#444', values: curve.map((h) => h.trainLoss) },
      { label: 'test', color: '#d55e00', dash: true, values: curve.map((h) => h.testLoss) },
    ],
  });
  drawChart($('#accuracy-chart'), {
    title: 'Accuracy',
    xs,
    yMax: 1,
    series: [
      { label: 'train', color: '#444', values: curve.map((h) => h.trainAccuracy) },
      { label: 'test', color: '#d55e00', dash: true, values: curve.map((h) => h.testAccuracy) },
    ],
  });
}

function frame() {
  if (dirty) {
    dirty = false;
    paint();
  }
  requestAnimationFrame(frame);
}
new ResizeObserver(() => (dirty = true)).observe(document.body);

// ---- Hover: a point's predicted distribution and its loss ----

const tooltip = $('#tooltip');

function hideTooltip() {
  tooltip.hidden = true;
  if (heatmap.hover !== -1) dirty = true;
  heatmap.hover = -1;
}

function showTooltip(i) {
  const { classes, yTrain } = data;
  const nTrain = yTrain.length;
  const label = i < nTrain ? yTrain[i] : data.yTest[i - nTrain];
  if (heatmap.hover !== i) dirty = true;
  heatmap.hover = i;
  tooltip.replaceChildren();
  const head = document.createElement('div');
  head.textContent = `${i < nTrain ? 'Training' : 'Test'} point, class ${CLASS_NAMES[label]}`;
  tooltip.append(head);
  if (latest) {
    const q = latest.points.subarray(i * classes, (i + 1) * classes);
    for (let k = 0; k < classes; k++) {
      const row = document.createElement('div');
      row.className = 'row';
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = COLORS[k];
      const track = document.createElement('span');
      track.className = 'track';
      const fill = document.createElement('span');
      fill.className = 'fill';
      fill.style.display = 'block';
      fill.style.width = `${(q[k] * 100).toFixed(1)}%`;
      fill.style.background = COLORS[k];
      track.append(fill);
      const value = document.createElement('span');
      value.textContent = q[k].toFixed(3);
      row.append(swatch, track, value);
      tooltip.append(row);
    }
    const loss = xe.crossEntropy(q, [label], { classes, from: 'probs' });
    const foot = document.createElement('div');
    foot.textContent = `loss −ln q(${CLASS_NAMES[label]}) = ${loss.toFixed(4)} nats`;
    tooltip.append(foot);
  }
  const canvas = $('#heatmap').getBoundingClientRect();
  const [cx, cy] = heatmap.toCanvas(heatmap.points.x[2 * i], heatmap.points.x[2 * i + 1], canvas.width);
  tooltip.hidden = false;
  const w = tooltip.offsetWidth;
  const h = tooltip.offsetHeight;
  tooltip.style.left = `${Math.min(canvas.width - w, Math.max(0, cx + 12))}px`;
  tooltip.style.top = `${cy + 12 + h > canvas.height ? Math.max(0, cy - 12 - h) : cy + 12}px`;
}

$('#heatmap').addEventListener('pointermove', (event) => {
  const i = heatmap.pointAt(event.clientX, event.clientY);
  const test = data && i >= data.yTrain.length;
  if (i < 0 || (test && !$('#show-test').checked)) hideTooltip();
  else showTooltip(i);
});
$('#heatmap').addEventListener('pointerleave', hideTooltip);

function showLegend() {
  const legend = $('#legend');
  legend.replaceChildren();
  for (let k = 0; k < data.classes; k++) {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = COLORS[k];
    li.append(swatch, `class ${CLASS_NAMES[k]}`);
    legend.append(li);
  }
}

// ---- Start ----

state.classes = classesFor(state.dataset, state.classes);
showControls();
writeHash();
newData();
requestAnimationFrame(frame);
