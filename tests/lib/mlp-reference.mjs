// A float64 reference for xe.Classifier: the same multilayer perceptron, written for clarity over plain
// arrays. Parameters use Classifier.toJSON()'s layout: layers[l] = { weights: (in, out) row-major, bias }.
// The loss is PyTorch's F.cross_entropy with class weights and label smoothing, mean reduction (divided by
// the summed weights of the target classes), plus (l2 / 2) * sum of squared weights, so that its gradient
// carries the l2 * w term the classifier adds to the weight gradients.

const ACTIVATIONS = {
  relu: { f: (z) => (z > 0 ? z : 0), df: (a) => (a > 0 ? 1 : 0) },
  tanh: { f: Math.tanh, df: (a) => 1 - a * a },
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), df: (a) => a * (1 - a) },
};

/** Widths [features, ...hidden, classes]. */
export function widths(model) {
  return [model.features, ...model.hidden, model.classes];
}

/** x: (n, features) -> activations of every layer, the last the logits (n, classes). */
export function forward(model, x, n) {
  const w = widths(model);
  const act = ACTIVATIONS[model.activation];
  const outputs = [];
  let a = Array.from(x, Number);
  for (let l = 0; l < model.layers.length; l++) {
    const { weights, bias } = model.layers[l];
    const [inW, outW] = [w[l], w[l + 1]];
    const z = new Float64Array(n * outW);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < outW; j++) {
        let s = bias[j];
        for (let k = 0; k < inW; k++) s += a[i * inW + k] * weights[k * outW + j];
        z[i * outW + j] = l + 1 < model.layers.length ? act.f(s) : s;
      }
    }
    outputs.push(z);
    a = z;
  }
  return outputs;
}

/** Softmax probabilities (n, classes). */
export function predict(model, x, n) {
  const logits = forward(model, x, n).at(-1);
  const c = model.classes;
  const p = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * c, i * c + c);
    const m = Math.max(...row);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(row[j] - m);
    for (let j = 0; j < c; j++) p[i * c + j] = Math.exp(row[j] - m) / s;
  }
  return p;
}

/**
 * The cross-entropy loss, the objective (loss + (l2 / 2) sum w^2) and the objective's gradient with respect
 * to every parameter: { loss, objective, grads: [{ weights, bias }] }.
 * weight: per-class weights or undefined; smoothing: label smoothing; l2: the weight penalty.
 */
export function lossAndGrad(model, x, y, n, { weight, smoothing = 0, l2 = 0 } = {}) {
  const w = widths(model);
  const c = model.classes;
  const L = model.layers.length;
  const act = ACTIVATIONS[model.activation];
  const outputs = forward(model, x, n);
  const logits = outputs[L - 1];
  const cw = (j) => (weight ? weight[j] : 1);
  let denominator = 0;
  for (let i = 0; i < n; i++) denominator += cw(y[i]);
  let loss = 0;
  let penalty = 0;
  let delta = new Float64Array(n * c); // d loss / d logits
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * c, i * c + c);
    const m = Math.max(...row);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(row[j] - m);
    const lse = m + Math.log(s);
    const a = Array.from({ length: c }, (_, j) => (smoothing / c) * cw(j) + (j === y[i] ? (1 - smoothing) * cw(j) : 0));
    const A = a.reduce((u, v) => u + v, 0);
    for (let j = 0; j < c; j++) {
      loss += (a[j] * (lse - row[j])) / denominator;
      delta[i * c + j] = (A * Math.exp(row[j] - lse) - a[j]) / denominator;
    }
  }
  const grads = [];
  for (let l = L - 1; l >= 0; l--) {
    const [inW, outW] = [w[l], w[l + 1]];
    const input = l === 0 ? Array.from(x, Number) : outputs[l - 1];
    const { weights } = model.layers[l];
    const gw = new Float64Array(inW * outW);
    const gb = new Float64Array(outW);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < outW; j++) {
        const d = delta[i * outW + j];
        gb[j] += d;
        for (let k = 0; k < inW; k++) gw[k * outW + j] += input[i * inW + k] * d;
      }
    }
    for (let k = 0; k < inW * outW; k++) {
      gw[k] += l2 * weights[k];
      penalty += (l2 / 2) * weights[k] * weights[k];
    }
    grads[l] = { weights: gw, bias: gb };
    if (l > 0) {
      const below = new Float64Array(n * inW);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < inW; k++) {
          let s = 0;
          for (let j = 0; j < outW; j++) s += delta[i * outW + j] * weights[k * outW + j];
          below[i * inW + k] = s * act.df(input[i * inW + k]);
        }
      }
      delta = below;
    }
  }
  return { loss, objective: loss + penalty, grads };
}

/** Every parameter as one flat list of [layer, key, index] in the classifier's order. */
export function parameterIndex(model) {
  const list = [];
  model.layers.forEach((layer, l) => {
    for (const key of ['weights', 'bias']) for (let i = 0; i < layer[key].length; i++) list.push([l, key, i]);
  });
  return list;
}

/** A deep copy with number arrays, safe to perturb. */
export function clone(model) {
  return { ...model, layers: model.layers.map((layer) => ({ weights: [...layer.weights], bias: [...layer.bias] })) };
}

/** Central finite differences of lossAndGrad's objective with respect to every parameter, in float64. */
export function finiteDifferences(model, x, y, n, options, h = 1e-6) {
  const probe = clone(model);
  return parameterIndex(model).map(([l, key, i]) => {
    const v = probe.layers[l][key][i];
    probe.layers[l][key][i] = v + h;
    const plus = lossAndGrad(probe, x, y, n, options).objective;
    probe.layers[l][key][i] = v - h;
    const minus = lossAndGrad(probe, x, y, n, options).objective;
    probe.layers[l][key][i] = v;
    return (plus - minus) / (2 * h);
  });
}

/** lossAndGrad's gradients flattened in parameterIndex order. */
export function flatGrads(grads) {
  return grads.flatMap((g) => [...g.weights, ...g.bias]);
}

/** The parameters of a toJSON() object flattened in parameterIndex order. */
export function flatParams(model) {
  return model.layers.flatMap((layer) => [...layer.weights, ...layer.bias]);
}
