// The multilayer perceptron of classifier.h: dense layers, activations, backpropagation and the sgd,
// momentum and Adam updates, each a plain loop over float32 buffers with its SIMD128 body beside it.
//
// Matrix products accumulate in float32 (per lane in the SIMD build): the layers are small, every term
// is a float32 product, and the gradient only steers an optimizer, so float64 lanes would halve the
// throughput for no visible change in training. The loss itself is reduced in float64 by
// xe::cross_entropy. With no fused multiply-add in wasm, dense_forward and dense_backward_params sum in
// the same order in both builds and give bit-identical results; dense_backward_input's dot products
// are summed four lanes at a time in the SIMD build, so the two builds differ there by rounding.
#include "classifier.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "../parallel.h"
#include "../simd/vmath.h"
#include "../xentropy.h"

namespace xe {
namespace {

constexpr size_t kChunk = 256;  // rows per forward pass in predict and evaluate

// x: (n, in), w: (in, out), b: (out), y: (n, out). y = x w + b, eight or four outputs at a time.
void dense_forward_rows(const float* x, const float* w, const float* b, float* y, size_t begin, size_t end,
                        size_t in, size_t out) {
  for (size_t i = begin; i < end; i++) {
    const float* xi = x + i * in;
    float* yi = y + i * out;
    size_t j = 0;
#ifdef __wasm_simd128__
    for (; j + 8 <= out; j += 8) {
      v128_t acc0 = wasm_v128_load(b + j), acc1 = wasm_v128_load(b + j + 4);
      for (size_t k = 0; k < in; k++) {
        const v128_t xk = wasm_f32x4_splat(xi[k]);
        const float* wk = w + k * out + j;
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(xk, wasm_v128_load(wk)));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(xk, wasm_v128_load(wk + 4)));
      }
      wasm_v128_store(yi + j, acc0);
      wasm_v128_store(yi + j + 4, acc1);
    }
    for (; j + 4 <= out; j += 4) {
      v128_t acc = wasm_v128_load(b + j);
      for (size_t k = 0; k < in; k++) {
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(xi[k]), wasm_v128_load(w + k * out + j)));
      }
      wasm_v128_store(yi + j, acc);
    }
#endif
    // The rest (all of it in the scalar build), row by row of w: the same sums in the same order.
    if (j == out) continue;
    for (size_t jj = j; jj < out; jj++) yi[jj] = b[jj];
    for (size_t k = 0; k < in; k++) {
      const float xk = xi[k];
      const float* wk = w + k * out;
      for (size_t jj = j; jj < out; jj++) yi[jj] += xk * wk[jj];
    }
  }
}

// a: (n, in), dz: (n, out) -> dw: (in, out) = a^T dz, that is dw[k][j] = sum_i a[i][k] dz[i][j].
// a == nullptr stands for a column of ones: dw: (out) = the sums of the rows of dz (the bias gradient).
void dense_backward_params_rows(const float* a, const float* dz, float* dw, size_t n, size_t in, size_t out,
                                size_t begin, size_t end) {
  for (size_t k = begin; k < end; k++) {
    float* row = dw + k * out;
    size_t j = 0;
#ifdef __wasm_simd128__
    for (; j + 4 <= out; j += 4) {
      v128_t acc = wasm_f32x4_splat(0.0f);
      if (a) {
        for (size_t i = 0; i < n; i++) {
          acc = wasm_f32x4_add(
              acc, wasm_f32x4_mul(wasm_f32x4_splat(a[i * in + k]), wasm_v128_load(dz + i * out + j)));
        }
      } else {
        for (size_t i = 0; i < n; i++) acc = wasm_f32x4_add(acc, wasm_v128_load(dz + i * out + j));
      }
      wasm_v128_store(row + j, acc);
    }
#endif
    // The rest, row by row of dz: the same sums over i in the same order.
    if (j == out) continue;
    for (size_t jj = j; jj < out; jj++) row[jj] = 0.0f;
    for (size_t i = 0; i < n; i++) {
      const float* d = dz + i * out;
      const float ak = a ? a[i * in + k] : 1.0f;  // 1 * d == d exactly
      for (size_t jj = j; jj < out; jj++) row[jj] += ak * d[jj];
    }
  }
}

// dz: (n, out), w: (in, out) -> da: (n, in) = dz w^T, a dot product of two contiguous rows per element.
void dense_backward_input_rows(const float* dz, const float* w, float* da, size_t begin, size_t end,
                               size_t in, size_t out) {
  for (size_t i = begin; i < end; i++) {
    const float* d = dz + i * out;
    for (size_t k = 0; k < in; k++) {
      const float* wk = w + k * out;
      float s = 0.0f;
      size_t j = 0;
#ifdef __wasm_simd128__
      if (out >= 4) {
        v128_t acc = wasm_f32x4_splat(0.0f);
        for (; j + 4 <= out; j += 4)
          acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(d + j), wasm_v128_load(wk + j)));
        s = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
            (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
      }
#endif
      for (; j < out; j++) s += d[j] * wk[j];
      da[i * in + k] = s;
    }
  }
}

// The three products on any thread (parallel.h): rows of y, of dw and of da are independent and each is
// computed exactly as on one thread, so results do not depend on the thread count.
void dense_forward(const float* x, const float* w, const float* b, float* y, size_t n, size_t in,
                   size_t out) {
  parallel_rows(n, in * out,
                [&](size_t begin, size_t end) { dense_forward_rows(x, w, b, y, begin, end, in, out); });
}
void dense_backward_params(const float* a, const float* dz, float* dw, size_t n, size_t in, size_t out) {
  parallel_rows(in, n * out, [&](size_t begin, size_t end) {
    dense_backward_params_rows(a, dz, dw, n, in, out, begin, end);
  });
}
void dense_backward_input(const float* dz, const float* w, float* da, size_t n, size_t in, size_t out) {
  parallel_rows(n, in * out,
                [&](size_t begin, size_t end) { dense_backward_input_rows(dz, w, da, begin, end, in, out); });
}

// y: (len), in place. tanh(x) = sign(x) (1 - e) / (1 + e) with e = exp(-2|x|) <= 1: no overflow, exactly
// +-1 for |x| > 44, NaN stays NaN; the absolute error is a few float32 ulp of 1 (relative error grows
// for |x| < 1e-3, harmless for an activation).
void tanh_inplace(float* y, size_t len) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const ExpConsts k;
  const v128_t one = wasm_f32x4_splat(1.0f), minus_two = wasm_f32x4_splat(-2.0f);
  const v128_t sign = wasm_i32x4_splat(static_cast<int32_t>(0x80000000u));
  for (; j + 4 <= len; j += 4) {
    const v128_t v = wasm_v128_load(y + j);
    const v128_t e = exp_nonpos(wasm_f32x4_mul(wasm_f32x4_abs(v), minus_two), k);
    const v128_t r = wasm_f32x4_div(wasm_f32x4_sub(one, e), wasm_f32x4_add(one, e));
    wasm_v128_store(y + j, wasm_v128_or(r, wasm_v128_and(v, sign)));
  }
#endif
  for (; j < len; j++) {
    const float e = exp_nonpos(std::fabs(y[j]) * -2.0f);
    y[j] = std::copysign((1.0f - e) / (1.0f + e), y[j]);
  }
}

// y: (len), in place. relu keeps NaN (x < 0 is false for it).
void relu_inplace(float* y, size_t len) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (; j + 4 <= len; j += 4) {
    const v128_t v = wasm_v128_load(y + j);
    wasm_v128_store(y + j, wasm_v128_andnot(v, wasm_f32x4_lt(v, zero)));
  }
#endif
  for (; j < len; j++) y[j] = y[j] < 0.0f ? 0.0f : y[j];
}

void activate(Activation f, float* y, size_t len) {
  if (f == kRelu)
    relu_inplace(y, len);
  else if (f == kTanh)
    tanh_inplace(y, len);
  else
    sigmoid(rows_call(len, 1), y, y);
}

// a, g: (len). g *= f'(z), written in terms of the activation a = f(z):
//   relu: [a > 0],  tanh: 1 - a^2,  sigmoid: a (1 - a).
void activate_backward(Activation f, const float* a, float* g, size_t len) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t zero = wasm_f32x4_splat(0.0f), one = wasm_f32x4_splat(1.0f);
  for (; j + 4 <= len; j += 4) {
    const v128_t va = wasm_v128_load(a + j), vg = wasm_v128_load(g + j);
    v128_t r;
    if (f == kRelu)
      r = wasm_v128_and(vg, wasm_f32x4_gt(va, zero));
    else if (f == kTanh)
      r = wasm_f32x4_mul(vg, wasm_f32x4_sub(one, wasm_f32x4_mul(va, va)));
    else
      r = wasm_f32x4_mul(vg, wasm_f32x4_mul(va, wasm_f32x4_sub(one, va)));
    wasm_v128_store(g + j, r);
  }
#endif
  for (; j < len; j++) {
    if (f == kRelu)
      g[j] = a[j] > 0.0f ? g[j] : 0.0f;
    else if (f == kTanh)
      g[j] = g[j] * (1.0f - a[j] * a[j]);
    else
      g[j] = g[j] * (a[j] * (1.0f - a[j]));
  }
}

// y, x: (len). y += a * x: the L2 term (g += l2 * w) and the SGD step (p += -lr * g).
void axpy(float* y, const float* x, size_t len, float a) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t va = wasm_f32x4_splat(a);
  for (; j + 4 <= len; j += 4) {
    wasm_v128_store(y + j, wasm_f32x4_add(wasm_v128_load(y + j), wasm_f32x4_mul(va, wasm_v128_load(x + j))));
  }
#endif
  for (; j < len; j++) y[j] += a * x[j];
}

// p, g, v: (len). PyTorch's SGD momentum (no dampening): v = mu v + g, p -= lr * v.
void momentum_update(float* p, const float* g, float* v, size_t len, float lr, float mu) {
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t vlr = wasm_f32x4_splat(lr), vmu = wasm_f32x4_splat(mu);
  for (; j + 4 <= len; j += 4) {
    const v128_t vv = wasm_f32x4_add(wasm_f32x4_mul(vmu, wasm_v128_load(v + j)), wasm_v128_load(g + j));
    wasm_v128_store(v + j, vv);
    wasm_v128_store(p + j, wasm_f32x4_sub(wasm_v128_load(p + j), wasm_f32x4_mul(vlr, vv)));
  }
#endif
  for (; j < len; j++) {
    v[j] = mu * v[j] + g[j];
    p[j] -= lr * v[j];
  }
}

// p, g, m, v: (len). Adam with bias correction, as torch.optim.Adam:
//   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,  p -= step * m / (sqrt(v) / sqrt_bc2 + eps),
// where step = lr / (1 - b1^t) and sqrt_bc2 = sqrt(1 - b2^t).
void adam_update(float* p, const float* g, float* m, float* v, size_t len, float step, float sqrt_bc2,
                 float b1, float b2, float eps) {
  const float c1 = 1.0f - b1, c2 = 1.0f - b2, inv_bc2 = 1.0f / sqrt_bc2;
  size_t j = 0;
#ifdef __wasm_simd128__
  const v128_t vb1 = wasm_f32x4_splat(b1), vb2 = wasm_f32x4_splat(b2), vc1 = wasm_f32x4_splat(c1),
               vc2 = wasm_f32x4_splat(c2), vinv = wasm_f32x4_splat(inv_bc2), veps = wasm_f32x4_splat(eps),
               vstep = wasm_f32x4_splat(step);
  for (; j + 4 <= len; j += 4) {
    const v128_t vg = wasm_v128_load(g + j);
    const v128_t vm = wasm_f32x4_add(wasm_f32x4_mul(vb1, wasm_v128_load(m + j)), wasm_f32x4_mul(vc1, vg));
    const v128_t vv = wasm_f32x4_add(wasm_f32x4_mul(vb2, wasm_v128_load(v + j)),
                                     wasm_f32x4_mul(vc2, wasm_f32x4_mul(vg, vg)));
    wasm_v128_store(m + j, vm);
    wasm_v128_store(v + j, vv);
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sqrt(vv), vinv), veps);
    wasm_v128_store(p + j,
                    wasm_f32x4_sub(wasm_v128_load(p + j), wasm_f32x4_mul(vstep, wasm_f32x4_div(vm, denom))));
  }
#endif
  for (; j < len; j++) {
    m[j] = b1 * m[j] + c1 * g[j];
    v[j] = b2 * v[j] + c2 * (g[j] * g[j]);
    const float denom = std::sqrt(v[j]) * inv_bc2 + eps;
    p[j] -= step * (m[j] / denom);
  }
}

// splitmix64 (Steele, Lea and Flood): a 64-bit state, one multiply-xorshift mix per output.
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1) on a grid of 2^-23: exact in float32, so the draw does not depend on rounding.
float uniform_pm1(uint64_t& state) { return static_cast<float>(splitmix64(state) >> 40) * 0x1p-23f - 1.0f; }

}  // namespace

Classifier::Classifier(int features, int classes, const int32_t* hidden, int hidden_layers, int activation,
                       uint32_t seed)
    : features_(static_cast<size_t>(features)),
      classes_(static_cast<size_t>(classes)),
      layers_(static_cast<size_t>(hidden_layers) + 1),
      activation_(static_cast<Activation>(activation)) {
  hidden_ = static_cast<size_t*>(std::malloc(sizeof(size_t) * layers_));
  offset_ = static_cast<size_t*>(std::malloc(sizeof(size_t) * layers_));
  act_ = static_cast<float**>(std::malloc(sizeof(float*) * layers_));
  if (!hidden_ || !offset_ || !act_) return;
  for (size_t l = 0; l + 1 < layers_; l++) hidden_[l] = static_cast<size_t>(hidden[l]);
  uint64_t count = 0;
  for (size_t l = 0; l < layers_; l++) {
    offset_[l] = static_cast<size_t>(count);
    count += static_cast<uint64_t>(fan_in(l)) * width(l) + width(l);
  }
  if (count == 0 || count > SIZE_MAX / (4 * sizeof(float))) return;
  count_ = static_cast<size_t>(count);
  params_ = static_cast<float*>(std::calloc(4 * count_, sizeof(float)));  // biases and moments start at 0
  if (!params_) return;
  grads_ = params_ + count_;
  m_ = grads_ + count_;
  v_ = m_ + count_;
  // He uniform for relu (bound sqrt(6 / fan_in), variance 2 / fan_in), Glorot uniform for tanh and
  // sigmoid (bound sqrt(6 / (fan_in + fan_out))), drawn layer by layer in row-major order.
  uint64_t state = seed;
  for (size_t l = 0; l < layers_; l++) {
    const double fan = activation_ == kRelu ? fan_in(l) : fan_in(l) + width(l);
    const float bound = static_cast<float>(std::sqrt(6.0 / fan));
    float* w = params_ + offset_[l];
    for (size_t i = 0, len = fan_in(l) * width(l); i < len; i++) w[i] = uniform_pm1(state) * bound;
  }
}

Classifier::~Classifier() {
  std::free(work_);
  std::free(params_);
  std::free(act_);
  std::free(offset_);
  std::free(hidden_);
}

bool Classifier::reserve(size_t rows) {
  if (rows <= rows_) return true;
  size_t widest = 0, per_row = 0;  // floats per row: activations, two deltas, x and the labels
  for (size_t l = 0; l < layers_; l++) {
    widest = width(l) > widest ? width(l) : widest;
    per_row += width(l);
  }
  per_row += 2 * widest + features_ + 1;
  if (rows > SIZE_MAX / sizeof(float) / per_row) return false;
  float* work = static_cast<float*>(std::malloc(rows * per_row * sizeof(float)));
  if (!work) return false;
  std::free(work_);
  work_ = work;
  rows_ = rows;
  float* p = work_;
  for (size_t l = 0; l < layers_; l++) {
    act_[l] = p;
    p += rows * width(l);
  }
  delta_[0] = p;
  delta_[1] = p + rows * widest;
  batch_x_ = p + 2 * rows * widest;
  batch_y_ = reinterpret_cast<int32_t*>(batch_x_ + rows * features_);
  return true;
}

float* Classifier::forward(const float* x, size_t n) {
  const float* a = x;
  for (size_t l = 0; l < layers_; l++) {
    const float* w = params_ + offset_[l];
    dense_forward(a, w, w + fan_in(l) * width(l), act_[l], n, fan_in(l), width(l));
    if (l + 1 < layers_) activate(activation_, act_[l], n * width(l));
    a = act_[l];
  }
  return act_[layers_ - 1];
}

void Classifier::backward(const float* x, size_t n) {
  float* dz = delta_[0];  // (n, width(l)): d loss / d z_l
  for (size_t l = layers_; l-- > 0;) {
    const size_t in = fan_in(l), out = width(l);
    const float* w = params_ + offset_[l];
    float* dw = grads_ + offset_[l];
    dense_backward_params(l == 0 ? x : act_[l - 1], dz, dw, n, in, out);
    dense_backward_params(nullptr, dz, dw + in * out, n, 1, out);
    if (l == 0) break;
    float* da = dz == delta_[0] ? delta_[1] : delta_[0];  // (n, in): d loss / d a_{l-1}
    dense_backward_input(dz, w, da, n, in, out);
    activate_backward(activation_, act_[l - 1], da, n * in);
    dz = da;
  }
}

void Classifier::step(float lr, Optimizer optimizer, float l2) {
  if (l2 != 0.0f) {
    for (size_t l = 0; l < layers_; l++) {
      axpy(grads_ + offset_[l], params_ + offset_[l], fan_in(l) * width(l), l2);
    }
  }
  if (optimizer != optimizer_) {  // a new optimizer starts from fresh state
    std::memset(m_, 0, 2 * count_ * sizeof(float));
    beta1_t_ = beta2_t_ = 1.0;
    optimizer_ = optimizer;
  }
  if (optimizer == kSgd) {
    axpy(params_, grads_, count_, -lr);
  } else if (optimizer == kMomentum) {
    momentum_update(params_, grads_, m_, count_, lr, 0.9f);
  } else {
    beta1_t_ *= 0.9;  // kept as running products: std::pow would add 4 KB of code and tables to the wasm
    beta2_t_ *= 0.999;
    const float step = static_cast<float>(lr / (1.0 - beta1_t_));
    const float sqrt_bc2 = static_cast<float>(std::sqrt(1.0 - beta2_t_));
    adam_update(params_, grads_, m_, v_, count_, step, sqrt_bc2, 0.9f, 0.999f, 1e-8f);
  }
}

double Classifier::train_step(const float* x, const int32_t* labels, const int32_t* index, size_t n, float lr,
                              Optimizer optimizer, float l2, float smoothing, const float* weight) {
  if (n == 0 || !reserve(n)) return NAN;
  if (index) {
    for (size_t i = 0; i < n; i++) {
      std::memcpy(batch_x_ + i * features_, x + static_cast<size_t>(index[i]) * features_,
                  features_ * sizeof(float));
      batch_y_[i] = labels[index[i]];
    }
    x = batch_x_;
    labels = batch_y_;
  }
  const float* logits = forward(x, n);
  size_t correct = 0;
  for (size_t i = 0; i < n; i++) {
    const float* z = logits + i * classes_;
    const float zt = z[labels[i]];
    bool hit = zt == zt;
    for (size_t j = 0; j < classes_ && hit; j++) hit = !(z[j] > zt);
    correct += hit;
  }
  last_correct_ = correct;
  // delta_[0] = d mean loss / d logits, in one fused pass with the loss.
  Call k = rows_call(n, classes_);
  k.smoothing = smoothing;
  const double loss = cross_entropy(k, logits, labels, nullptr, weight, nullptr, delta_[0]);
  backward(x, n);
  step(lr, optimizer, l2);
  return loss;
}

bool Classifier::predict(const float* x, size_t n, float* probs) {
  if (n == 0) return true;
  if (!reserve(n < kChunk ? n : kChunk)) return false;
  for (size_t i = 0; i < n; i += rows_) {
    const size_t m = n - i < rows_ ? n - i : rows_;
    softmax(rows_call(m, classes_), forward(x + i * features_, m), probs + i * classes_);
  }
  return true;
}

bool Classifier::evaluate(const float* x, const int32_t* labels, size_t n, double* result) {
  result[0] = 0.0;
  result[1] = 0.0;
  if (n == 0) return true;
  if (!reserve(n < kChunk ? n : kChunk)) return false;
  for (size_t i = 0; i < n; i += rows_) {
    const size_t m = n - i < rows_ ? n - i : rows_;
    const float* logits = forward(x + i * features_, m);
    result[0] += xe::evaluate(rows_call(m, classes_), logits, labels + i, batch_y_);  // ranks into batch_y_
    for (size_t r = 0; r < m; r++) result[1] += batch_y_[r] == 0;
  }
  return true;
}

}  // namespace xe
