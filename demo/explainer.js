// "What cross-entropy measures": a worked example and sliders for a predicted distribution q against a
// true class or a soft target p, with H(p, q), H(p) and KL(p ‖ q) computed live by the library.
const NAMES = ['A', 'B', 'C'];
const C = 3;
const BAR_MAX_NATS = 5; // bars are scaled so that -ln q = 5 nats fills the track

/** Renormalises non-negative weights to a distribution (uniform when they are all 0). */
export function normalise(weights) {
  const sum = weights.reduce((a, b) => a + b, 0);
  return sum > 0 ? weights.map((w) => w / sum) : weights.map(() => 1 / weights.length);
}

const fmt = (v) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

/**
 * The numbers the panel shows, from the library `xe`, for predicted weights `q`, a target
 * ('A' | 'B' | 'C' | 'soft') and soft-target weights `p`.
 */
export function explain(xe, { q, target, p }) {
  const qn = normalise(q);
  const index = NAMES.indexOf(target);
  const pn = index >= 0 ? NAMES.map((_, k) => (k === index ? 1 : 0)) : normalise(p);
  // A class index is the usual target; a soft target is a distribution (length N*C).
  const tgt = index >= 0 ? [index] : pn;
  const opts = { classes: C, from: 'probs' };
  const result = { q: qn, p: pn, nats: {}, bits: {} };
  for (const [unit, base] of [
    ['nats', Math.E],
    ['bits', 2],
  ]) {
    result[unit].crossEntropy = xe.crossEntropy(qn, tgt, { ...opts, base });
    result[unit].entropy = xe.entropy(pn, { classes: C, base, reduction: 'mean' });
    result[unit].kl = xe.klDivergence(pn, qn, { classes: C, base });
  }
  // -ln q_k for each class k: cross-entropy of q against each one-hot target, one row per class.
  result.surprise = Array.from(xe.crossEntropy([...qn, ...qn, ...qn], [0, 1, 2], { ...opts, reduction: 'none' }));
  return result;
}

const GAMMAS = [0, 1, 2, 5];
const CURVE_COLORS = ['#444', '#1f77b4', '#d62728', '#2ca02c'];
const CURVE_MAX = 5; // nats at the top of the plot

/**
 * Focal loss -(1 - q)^g ln q for each g of GAMMAS at each q of `qs`, by the library: one row [q, 1 - q] per q,
 * class 0 the true one, from probabilities.
 */
export function focalCurves(xe, qs) {
  const rows = qs.flatMap((q) => [q, 1 - q]);
  const labels = new Int32Array(qs.length);
  return GAMMAS.map((gamma) =>
    Array.from(xe.focalLoss(rows, labels, { classes: 2, from: 'probs', gamma, reduction: 'none' })),
  );
}

export class Explainer {
  /**
   * @param {HTMLElement} root the panel
   * @param {object} xe a loaded xentropy instance
   * @param {{ q: number[], target: string, p: number[] }} settings
   * @param {(settings: object) => void} onChange called with the new settings after every edit
   */
  constructor(root, xe, settings, onChange) {
    this.root = root;
    this.xe = xe;
    this.onChange = onChange;
    this.$ = (name) => root.querySelector(`[data-explainer="${name}"]`);
    this.sliders = {
      q: NAMES.map((n) => root.querySelector(`#q-${n}`)),
      p: NAMES.map((n) => root.querySelector(`#p-${n}`)),
    };
    this.targetSelect = root.querySelector('#target');

    // The worked example, computed by the library rather than written down.
    const example = { classes: C, from: 'probs' };
    this.$('example-nats').textContent = fmt(xe.crossEntropy([0.7, 0.2, 0.1], [0], example));
    this.$('example-bits').textContent = fmt(xe.crossEntropy([0.7, 0.2, 0.1], [0], { ...example, base: 2 }));

    for (const which of ['q', 'p']) {
      for (const slider of this.sliders[which]) slider.addEventListener('input', () => this.edited());
    }
    this.targetSelect.addEventListener('change', () => this.edited());
    this.gamma = null;
    this.curveQ = Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
    this.curves = focalCurves(xe, this.curveQ);
    this.set(settings);
  }

  /** The γ of the training loss when it is focal (its curve is drawn thicker), or null. */
  setGamma(gamma) {
    this.gamma = gamma;
    this.update();
  }

  /** The focal-loss curves, with the true class's predicted probability q marked on each. */
  drawFocal(q) {
    const marks = focalCurves(this.xe, [q]);
    this.$('focal-q').textContent = q.toFixed(3);
    this.$('focal-loss').textContent = fmt(marks[GAMMAS.indexOf(2)][0]);
    const canvas = this.root.querySelector('#focal-curve');
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const { width: w, height: h } = canvas;
    const pad = { left: 36, right: 70, top: 10, bottom: 26 };
    const X = (v) => pad.left + v * (w - pad.left - pad.right);
    const Y = (v) => pad.top + (1 - Math.min(v, CURVE_MAX) / CURVE_MAX) * (h - pad.top - pad.bottom);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = '#999';
    ctx.fillStyle = '#666';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(X(0), Y(CURVE_MAX));
    ctx.lineTo(X(0), Y(0));
    ctx.lineTo(X(1), Y(0));
    ctx.stroke();
    for (const t of [0, 0.2, 0.4, 0.6, 0.8, 1]) ctx.fillText(String(t), X(t) - 6, h - 8);
    for (const t of [0, 1, 2, 3, 4, 5]) ctx.fillText(String(t), 8, Y(t) + 4);
    GAMMAS.forEach((g, i) => {
      ctx.strokeStyle = ctx.fillStyle = CURVE_COLORS[i];
      ctx.lineWidth = g === this.gamma ? 3 : 1.5;
      ctx.beginPath();
      this.curveQ.forEach((v, j) => {
        if (j === 0) ctx.moveTo(X(v), Y(this.curves[i][j]));
        else ctx.lineTo(X(v), Y(this.curves[i][j]));
      });
      ctx.stroke();
      ctx.fillText(`γ = ${g}`, w - pad.right + 8, pad.top + 12 + 14 * i);
      ctx.beginPath();
      ctx.arc(X(q), Y(marks[i][0]), 4, 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  /** Shows `settings` (from the URL hash) without reporting a change. */
  set({ q, target, p }) {
    this.sliders.q.forEach((s, k) => (s.value = String(q[k])));
    this.sliders.p.forEach((s, k) => (s.value = String(p[k])));
    this.targetSelect.value = target;
    this.update();
  }

  read() {
    return {
      q: this.sliders.q.map((s) => Number(s.value)),
      target: this.targetSelect.value,
      p: this.sliders.p.map((s) => Number(s.value)),
    };
  }

  edited() {
    this.update();
    this.onChange(this.read());
  }

  update() {
    const settings = this.read();
    const soft = settings.target === 'soft';
    this.root.querySelector('#soft-target').hidden = !soft;
    this.sliders.p.forEach((s) => (s.disabled = !soft));
    const r = explain(this.xe, settings);
    NAMES.forEach((name, k) => {
      this.$(`q-${name}`).textContent = r.q[k].toFixed(3);
      this.$(`p-${name}`).textContent = r.p[k].toFixed(3);
    });
    for (const unit of ['nats', 'bits']) {
      this.$(`ce-${unit}`).textContent = fmt(r[unit].crossEntropy);
      this.$(`entropy-${unit}`).textContent = fmt(r[unit].entropy);
      this.$(`kl-${unit}`).textContent = fmt(r[unit].kl);
    }
    // Bars: the full -ln q_k (light) and its share p_k · (-ln q_k) of the cross-entropy (solid).
    NAMES.forEach((name, k) => {
      const bar = this.root.querySelector(`[data-bar="${name}"]`);
      const s = r.surprise[k];
      const share = r.p[k] * s;
      bar.querySelector('.bar-full').style.width = `${Math.min(100, (s / BAR_MAX_NATS) * 100)}%`;
      bar.querySelector('.bar-share').style.width = `${Math.min(100, (share / BAR_MAX_NATS) * 100)}%`;
      this.$(`surprise-${name}`).textContent = fmt(s);
      this.$(`share-${name}`).textContent = fmt(share);
    });
    // The true class: the target's, or the soft target's most likely class.
    const truth = r.p.indexOf(Math.max(...r.p));
    this.drawFocal(Math.min(1, Math.max(1e-3, r.q[truth])));
  }
}
