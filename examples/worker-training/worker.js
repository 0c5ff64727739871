// Trains a Classifier off the main thread: the page posts data and settings, the worker answers with the
// history of each epoch and, at the end, the test metrics. Start it as a module worker:
//   new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })
import { load } from '../../web/index.js'; // in your app: import { load } from 'xentropy';

const xePromise = load();

self.onmessage = async ({ data: { train, test, features, classes, hidden, epochs } }) => {
  const xe = await xePromise;
  const model = new xe.Classifier({ features, classes, hidden, activation: 'relu', seed: 1 });
  try {
    const history = model.fit(train.x, train.y, {
      epochs,
      batchSize: 32,
      learningRate: 0.02,
      optimizer: 'adam',
      onEpoch: (entry) => self.postMessage({ type: 'epoch', ...entry }),
    });
    self.postMessage({ type: 'done', history, test: model.evaluate(test.x, test.y), simd: xe.simd });
  } catch (error) {
    self.postMessage({ type: 'error', message: error.message });
  } finally {
    model.dispose();
  }
};
