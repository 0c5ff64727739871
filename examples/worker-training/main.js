// The page side: make a seeded data set, hand it to the worker, show each epoch as it arrives.
const log = document.getElementById('log');
let seed = 3;
const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;

// Two spirals of `n` points each, 2 features, labels 0 and 1.
function spirals(n) {
  const x = new Float32Array(4 * n);
  const y = new Int32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) {
    const r = (i % n) / n;
    const angle = 3 * Math.PI * r + (i < n ? 0 : Math.PI);
    x[2 * i] = r * Math.cos(angle) + 0.03 * (random() - 0.5);
    x[2 * i + 1] = r * Math.sin(angle) + 0.03 * (random() - 0.5);
    y[i] = i < n ? 0 : 1;
  }
  return { x, y };
}

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.type === 'epoch') {
    if (data.epoch % 10 === 0)
      log.textContent += `epoch ${data.epoch}: loss ${data.loss.toFixed(4)}, accuracy ${data.accuracy.toFixed(3)}\n`;
  } else if (data.type === 'done') {
    log.textContent += `test: loss ${data.test.loss.toFixed(4)}, accuracy ${data.test.accuracy.toFixed(3)}\n`;
    window.__result = data;
    worker.terminate();
  } else {
    log.textContent += `error: ${data.message}\n`;
    window.__result = data;
  }
};
worker.postMessage({ train: spirals(200), test: spirals(100), features: 2, classes: 2, hidden: [32, 32], epochs: 60 });
