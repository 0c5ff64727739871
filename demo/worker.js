// The training worker: owns the Classifier, trains in time slices while playing, and after each slice
// posts the metrics, the probabilities over the heatmap grid (one batched predict) and those of every
// data point. The page only paints.
//
// Page -> worker: { type: 'init', gen, data, model, train, grid }   new data and/or a fresh model
//                 { type: 'train', train }                          new optimizer settings, same model
//                 { type: 'play' } | { type: 'pause' } | { type: 'step' }   (step: one epoch)
// Worker -> page: { type: 'ready', simd, version }
//                 { type: 'report', gen, epoch, steps, train, test, grid, points, stepsPerSecond }
//                 { type: 'error', message }
import { load } from '../web/index.js';

// While playing: train for up to one epoch or SLICE_MS, whichever ends first, then report; at most one
// slice per FRAME_MS (about 60 epochs a second for small problems), or per 1 / epochsPerSecond when the
// page asks for a slower pace.
const SLICE_MS = 40;
const FRAME_MS = 16;

let xe;
let model = null;
let gen = 0;
let data = null; // { classes, xTrain, yTrain, xTest, yTest }
let settings = null; // { learningRate, optimizer, l2, labelSmoothing, batchSize, epochsPerSecond }
let gridX = null; // grid points, (n*n, 2)
let pointsX = null; // train then test points, (N, 2)
let playing = false;
let steps = 0;
let epoch = 0;
let order = null; // shuffled training indices of the current epoch
let cursor = 0; // next position in `order`
let shuffleState = 1;
let batchX = new Float32Array(0);
let batchY = new Int32Array(0);
let rate = { steps: 0, since: 0, value: 0 };

const ready = load().then((instance) => {
  xe = instance;
  if (typeof xe.Classifier !== 'function') throw new Error('this build of xentropy has no Classifier');
  postMessage({ type: 'ready', simd: xe.simd, version: xe.version, threads: xe.threads });
});

function fail(error) {
  playing = false;
  postMessage({ type: 'error', message: String(error?.message ?? error) });
}

function random() {
  // xorshift32 for the epoch shuffles, seeded with the model seed.
  shuffleState ^= shuffleState << 13;
  shuffleState ^= shuffleState >>> 17;
  shuffleState ^= shuffleState << 5;
  return (shuffleState >>> 0) / 4294967296;
}

function newEpochOrder() {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  cursor = 0;
}

function makeGrid({ size, extent }) {
  const g = new Float32Array(size * size * 2);
  for (let row = 0; row < size; row++) {
    // Row 0 is the top of the canvas: the largest y.
    const y = extent - ((row + 0.5) / size) * 2 * extent;
    for (let col = 0; col < size; col++) {
      const i = 2 * (row * size + col);
      g[i] = -extent + ((col + 0.5) / size) * 2 * extent;
      g[i + 1] = y;
    }
  }
  return g;
}

function init(msg) {
  gen = msg.gen;
  data = msg.data;
  settings = msg.train;
  model?.dispose();
  model = new xe.Classifier({ features: 2, classes: data.classes, ...msg.model });
  gridX = makeGrid(msg.grid);
  pointsX = new Float32Array(data.xTrain.length + data.xTest.length);
  pointsX.set(data.xTrain);
  pointsX.set(data.xTest, data.xTrain.length);
  order = Int32Array.from({ length: data.yTrain.length }, (_, i) => i);
  shuffleState = (msg.model.seed * 2654435761 + 1) >>> 0 || 1;
  newEpochOrder();
  steps = 0;
  epoch = 0;
  rate = { steps: 0, since: performance.now(), value: 0 };
}

// One optimizer step on the next mini-batch; wraps to a new epoch at the end of the data.
function trainStep() {
  const n = order.length;
  const size = Math.min(settings.batchSize, n - cursor);
  if (batchY.length < settings.batchSize) {
    batchX = new Float32Array(settings.batchSize * 2);
    batchY = new Int32Array(settings.batchSize);
  }
  for (let i = 0; i < size; i++) {
    const j = order[cursor + i];
    batchX[2 * i] = data.xTrain[2 * j];
    batchX[2 * i + 1] = data.xTrain[2 * j + 1];
    batchY[i] = data.yTrain[j];
  }
  model.trainStep(batchX.subarray(0, 2 * size), batchY.subarray(0, size), {
    learningRate: settings.learningRate,
    optimizer: settings.optimizer,
    l2: settings.l2,
    labelSmoothing: settings.labelSmoothing,
  });
  steps++;
  cursor += size;
  if (cursor >= n) {
    epoch++;
    newEpochOrder();
  }
}

function report() {
  const now = performance.now();
  if (now - rate.since > 500) {
    rate.value = ((steps - rate.steps) * 1000) / (now - rate.since);
    rate.steps = steps;
    rate.since = now;
  }
  const train = model.evaluate(data.xTrain, data.yTrain);
  const test = data.yTest.length ? model.evaluate(data.xTest, data.yTest) : { loss: NaN, accuracy: NaN };
  const grid = model.predict(gridX);
  const points = model.predict(pointsX);
  postMessage(
    {
      type: 'report',
      gen,
      epoch,
      steps,
      progress: epoch + cursor / order.length, // fractional epochs, for the curves' x axis
      train,
      test,
      grid,
      points,
      stepsPerSecond: rate.value,
    },
    [grid.buffer, points.buffer],
  );
}

// Slices are separated by a return to the event loop, so that messages from the page (pause, new
// settings) are handled in between.
let scheduled = false;
let sliceStart = 0;
function slice() {
  scheduled = false;
  if (!playing || !model) return;
  try {
    sliceStart = performance.now();
    const startEpoch = epoch;
    do trainStep();
    while (epoch === startEpoch && performance.now() - sliceStart < SLICE_MS);
    report();
  } catch (error) {
    return fail(error);
  }
  schedule();
}
function schedule() {
  if (!scheduled && playing) {
    scheduled = true;
    const interval = settings?.epochsPerSecond > 0 ? 1000 / settings.epochsPerSecond : FRAME_MS;
    setTimeout(slice, Math.max(0, interval - (performance.now() - sliceStart)));
  }
}

self.onmessage = async ({ data: msg }) => {
  try {
    await ready;
    switch (msg.type) {
      case 'init':
        init(msg);
        report();
        break;
      case 'train':
        settings = msg.train;
        break;
      case 'play':
        playing = true;
        schedule();
        break;
      case 'pause':
        playing = false;
        break;
      case 'step': {
        if (!model) break;
        const target = epoch + 1;
        while (epoch < target) trainStep();
        report();
        break;
      }
      default:
        throw new Error(`worker: unknown message type ${msg.type}`);
    }
  } catch (error) {
    fail(error);
  }
};
