// Drawing: the decision-boundary heatmap with the data points on top, and the metric curves.

// Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
export const COLORS = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7'];
export const CLASS_NAMES = ['A', 'B', 'C', 'D', 'E'];
const RGB = COLORS.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

/** Sizes a canvas's backing store for the device pixel ratio; returns the context in CSS pixels. */
function fit(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const { width, height } = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width, height };
}

/** The heatmap of class probabilities over [-extent, extent]², with the train and test points. */
export class Heatmap {
  constructor(canvas, { size, extent }) {
    this.canvas = canvas;
    this.size = size;
    this.extent = extent;
    this.image =
      typeof OffscreenCanvas === 'function'
        ? new OffscreenCanvas(size, size)
        : Object.assign(document.createElement('canvas'), { width: size, height: size });
    this.pixels = new ImageData(size, size);
    this.points = null; // { x: Float32Array (N, 2), y: Int32Array, nTrain }
    this.hover = -1;
    this.paints = 0;
  }

  /** probs: (size*size, classes), row 0 at the top. Blends the class colours by probability. */
  setGrid(probs, classes) {
    const px = this.pixels.data;
    for (let i = 0, n = this.size * this.size; i < n; i++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < classes; k++) {
        const p = probs[i * classes + k];
        r += p * RGB[k][0];
        g += p * RGB[k][1];
        b += p * RGB[k][2];
      }
      // Lighten towards white so the points stand out.
      px[4 * i] = 255 - (255 - r) * 0.55;
      px[4 * i + 1] = 255 - (255 - g) * 0.55;
      px[4 * i + 2] = 255 - (255 - b) * 0.55;
      px[4 * i + 3] = 255;
    }
    this.image.getContext('2d').putImageData(this.pixels, 0, 0);
    this.hasGrid = true;
  }

  setPoints(points) {
    this.points = points;
    this.hover = -1;
  }

  toCanvas(x, y, side) {
    return [((x + this.extent) / (2 * this.extent)) * side, ((this.extent - y) / (2 * this.extent)) * side];
  }

  /** The index of the data point under client coordinates (within 8 px), or -1. */
  pointAt(clientX, clientY) {
    if (!this.points) return -1;
    const rect = this.canvas.getBoundingClientRect();
    const mx = clientX - rect.left;
    const my = clientY - rect.top;
    let best = -1;
    let bestD = 64;
    const { x } = this.points;
    for (let i = 0; i < x.length / 2; i++) {
      const [cx, cy] = this.toCanvas(x[2 * i], x[2 * i + 1], rect.width);
      const d = (cx - mx) ** 2 + (cy - my) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  draw({ showTest = true } = {}) {
    const { ctx, width } = fit(this.canvas);
    ctx.clearRect(0, 0, width, width);
    if (this.hasGrid) {
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(this.image, 0, 0, width, width);
    } else {
      ctx.fillStyle = '#f4f4f4';
      ctx.fillRect(0, 0, width, width);
    }
    // Axes through the origin.
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.15)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(width / 2, 0);
    ctx.lineTo(width / 2, width);
    ctx.moveTo(0, width / 2);
    ctx.lineTo(width, width / 2);
    ctx.stroke();
    if (this.points) {
      const { x, y, nTrain } = this.points;
      for (let i = 0; i < y.length; i++) {
        const test = i >= nTrain;
        if (test && !showTest) continue;
        const [cx, cy] = this.toCanvas(x[2 * i], x[2 * i + 1], width);
        ctx.beginPath();
        ctx.arc(cx, cy, i === this.hover ? 6 : 3.5, 0, 2 * Math.PI);
        ctx.fillStyle = COLORS[y[i]];
        ctx.fill();
        ctx.lineWidth = test ? 1.5 : 1;
        ctx.strokeStyle = test ? '#111' : '#fff';
        ctx.stroke();
      }
    }
    this.paints++;
    this.canvas.dataset.paints = String(this.paints);
  }
}

/**
 * A line chart of series over x: series = [{ label, color, dash, values: number[] }], xs: number[].
 * `yMax` fixes the top of the axis (accuracy: 1); otherwise it follows the data.
 */
export function drawChart(canvas, { title, xs, series, yMax, xLabel = 'epoch' }) {
  const { ctx, width, height } = fit(canvas);
  ctx.clearRect(0, 0, width, height);
  const left = 38;
  const right = 8;
  const top = 20;
  const bottom = 22;
  const w = width - left - right;
  const h = height - top - bottom;
  let top_ = yMax;
  if (top_ === undefined) {
    top_ = 0;
    for (const s of series) for (const v of s.values) if (Number.isFinite(v)) top_ = Math.max(top_, v);
    top_ = top_ > 0 ? 4 * niceStep(top_ / 4) : 1; // four grid steps of a round size
  }
  const xMax = Math.max(1, xs.length ? xs[xs.length - 1] : 1);
  const X = (v) => left + (v / xMax) * w;
  const Y = (v) => top + h - (Math.min(v, top_) / top_) * h;

  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#333';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(title, left, 13);
  // Grid and tick labels.
  ctx.strokeStyle = '#e3e3e3';
  ctx.lineWidth = 1;
  ctx.fillStyle = '#666';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const v = (top_ * i) / 4;
    ctx.beginPath();
    ctx.moveTo(left, Y(v));
    ctx.lineTo(left + w, Y(v));
    ctx.stroke();
    ctx.fillText(formatTick(v), left - 4, Y(v));
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText('0', left, top + h + 4);
  ctx.textAlign = 'right';
  ctx.fillText(`${formatTick(xMax)} ${xLabel}s`, left + w, top + h + 4);
  // Series.
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.75;
    ctx.setLineDash(s.dash ? [4, 3] : []);
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < xs.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) continue;
      if (started) ctx.lineTo(X(xs[i]), Y(v));
      else ctx.moveTo(X(xs[i]), Y(v));
      started = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
  // Legend, top right.
  ctx.textAlign = 'right';
  ctx.textBaseline = 'alphabetic';
  let lx = left + w;
  for (const s of [...series].reverse()) {
    ctx.fillStyle = '#333';
    ctx.fillText(s.label, lx, 13);
    lx -= ctx.measureText(s.label).width + 4;
    ctx.strokeStyle = s.color;
    ctx.setLineDash(s.dash ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(lx - 16, 9);
    ctx.lineTo(lx, 9);
    ctx.stroke();
    ctx.setLineDash([]);
    lx -= 28;
  }
}

// The smallest round step (1, 1.5, 2, 2.5, 3, 4 or 5 times a power of ten) that is >= v.
function niceStep(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5]) if (m * p >= v) return m * p;
  return 10 * p;
}

function formatTick(v) {
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return String(Number(v.toPrecision(2)));
}
