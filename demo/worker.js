// The training worker: owns the Classifier and its Trainer, trains in time slices while playing, and after
// each slice posts the metrics, the probabilities over the heatmap grid (one batched predict) and those of
// every data point. The page only paints. The Trainer does the shuffling and batching, so a run here
// takes the same batches as Classifier.fit with the same seed.
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
let trainer = null; // model.trainer over the training points
let gen = 0;
let data = null; // { classes, xTrain, yTrain, xTest, yTest }
let settings = null; // { learningRate, optimizer, loss, gamma, l2, labelSmoothing, batchSize, epochsPerSecond }
let gridX = null; // grid points, (n*n, 2)
let pointsX = null; // train then test points, (N, 2)
let playing = false;
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

/** The Trainer's options from the page's settings (which also hold the pace). */
function trainOptions({ learningRate, optimizer, loss, gamma, l2, labelSmoothing, batchSize }) {
  return { learningRate, optimizer, loss, gamma, l2, labelSmoothing, batchSize };
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
  trainer?.dispose();
  model?.dispose();
  trainer = model = null; // until the new ones exist
  model = new xe.Classifier({ features: 2, classes: data.classes, ...msg.model });
  trainer = model.trainer(data.xTrain, data.yTrain, trainOptions(settings));
  gridX = makeGrid(msg.grid);
  pointsX = new Float32Array(data.xTrain.length + data.xTest.length);
  pointsX.set(data.xTrain);
  pointsX.set(data.xTest, data.xTrain.length);
  rate = { steps: 0, since: performance.now(), value: 0 };
}

function report() {
  const now = performance.now();
  if (now - rate.since > 500) {
    rate.value = ((trainer.steps - rate.steps) * 1000) / (now - rate.since);
    rate.steps = trainer.steps;
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
      epoch: trainer.epochs,
      steps: trainer.steps,
      progress: trainer.progress, // fractional epochs, for the curves' x axis
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
  if (!playing || !trainer) return;
  try {
    sliceStart = performance.now();
    const startEpoch = trainer.epochs;
    do trainer.step(1);
    while (trainer.epochs === startEpoch && performance.now() - sliceStart < SLICE_MS);
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
        trainer?.set(trainOptions(settings));
        break;
      case 'play':
        playing = true;
        schedule();
        break;
      case 'pause':
        playing = false;
        break;
      case 'step':
        if (!trainer) break;
        trainer.epoch();
        report();
        break;
      default:
        throw new Error(`worker: unknown message type ${msg.type}`);
    }
  } catch (error) {
    fail(error);
  }
};
