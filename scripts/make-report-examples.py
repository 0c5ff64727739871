#!/usr/bin/python3
"""Writes the model report's synthetic inputs and their reference values (issue #13).

    /usr/bin/python3 scripts/make-report-examples.py     # needs NumPy and scikit-learn
                                                         # (apt-get install python3-numpy python3-sklearn)

Deterministic (seeded NumPy generators); the data are synthetic, made to look like three kinds of model:
  classifier    (N, C) = (1000, 10) float32 logits, int64 labels, class names; also as float64 probabilities
                and, 40 rows of it, one .json file with {"logits", "labels"}
  segmentation  (N, C, H, W) = (4, 6, 16, 16) float16 logits (.npy version 3.0), uint8 labels with ignore
                index 255, class axis second
  lm            (B, T, V) = (4, 32, 40) float32 logits (.npy version 2.0), int32 labels with ignore index -100

tests/fixtures/report/ gets the files the browser tests upload plus reference.json: for each case, what the
page must show, computed here in float64 from the stored values (float16 and float32 widened exactly;
probabilities as the page reads them, rounded to float32): scikit-learn's confusion_matrix and
precision_recall_fscore_support(labels=range(C), zero_division=0), and NumPy for the rest, as API.md
("Evaluation report") defines them. demo/report/examples/ gets smaller files of the same kinds (other seeds)
for the page's "Try an example".

Samples whose top-1 probability lies within 1e-5 of a calibration bin edge (for 10 and 15 bins) are nudged
away from it, so that float32 rounding in the page cannot move a sample to the neighbouring bin.
"""
import json
import os
import subprocess
import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, 'tests', 'fixtures', 'report')
EXAMPLES = os.path.join(ROOT, 'demo', 'report', 'examples')
EDGE_BINS = (10, 15)
EPS = 1e-7  # the clamp of from: 'probs'
CIFAR = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
SCENE = ['background', 'road', 'car', 'person', 'building', 'sky']


def softmax(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def near_edge(conf):
    return np.any([np.abs(conf * b - np.round(conf * b)) < 1e-5 * b for b in EDGE_BINS], axis=0)


def nudge(x, axis, dtype):
    """Raises the top logit of samples whose confidence sits on a bin edge until none does."""
    x = x.astype(dtype)
    for _ in range(100):
        conf = softmax(x.astype(np.float64), axis).max(axis=axis)
        bad = near_edge(conf)
        if not bad.any():
            return x
        moved = np.moveaxis(x, axis, -1)  # a view
        top = moved.argmax(axis=-1)
        idx = np.nonzero(bad)
        moved[idx + (top[idx],)] += dtype(0.0625)
    raise RuntimeError('could not move every confidence off the bin edges')


def classifier(rng, n, c):
    y = rng.integers(0, c, n)
    x = rng.normal(0, 1.2, (n, c))
    hit = rng.random(n) < 0.75
    x[np.arange(n), np.where(hit, y, rng.integers(0, c, n))] += 2.5
    x[:, 3] += 0.4  # a class the model over-predicts
    return nudge(x, 1, np.float32), y


def segmentation(rng, n, c, h, w):
    y = rng.integers(0, c, (n, h, w))
    y[:, :, : w // 4] = 0  # a background band
    x = rng.normal(0, 1.0, (n, c, h, w))
    onehot = np.moveaxis(np.eye(c)[y], -1, 1)
    x += 2.0 * onehot * (rng.random((n, 1, h, w)) < 0.8)
    y = y.astype(np.uint8)
    y[rng.random((n, h, w)) < 0.1] = 255
    y[:, 0, :] = 255  # an unlabelled border row
    return nudge(x, 1, np.float16), y


def language_model(rng, b, t, v):
    y = rng.integers(0, v, (b, t))
    x = rng.normal(0, 2.0, (b, t, v))
    x[np.arange(b)[:, None], np.arange(t)[None, :], y] += 3.0 * (rng.random((b, t)) < 0.5)
    y = y.astype(np.int32)
    y[:, -3:] = -100  # padding
    return nudge(x, 2, np.float32), y


def reference(x, y, axis, ignore, *, probs=False, temperature=1.0, bins=15, top_k=(1, 5)):
    """What the report shows, in float64: the class axis moved last, ignored positions dropped."""
    z = np.moveaxis(x.astype(np.float64), axis, -1).reshape(-1, x.shape[axis])
    labels = y.reshape(-1).astype(np.int64)
    keep = labels != ignore
    z, labels = z[keep], labels[keep]
    n, c = z.shape
    if probs:
        p = z
        loss = -np.log(np.clip(p[np.arange(n), labels], EPS, 1))
        scores = p
    else:
        z = z / temperature
        p = softmax(z, 1)
        loss = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1) - z[np.arange(n), labels]
        scores = z
    pred = scores.argmax(1)
    rank = (scores > scores[np.arange(n), labels][:, None]).sum(1)
    conf = p.max(1)
    b = np.minimum(np.floor(conf * bins), bins - 1).astype(int)
    count = np.bincount(b, minlength=bins).astype(float)
    with np.errstate(invalid='ignore'):
        bconf = np.bincount(b, conf, bins) / count
        bacc = np.bincount(b, pred == labels, bins) / count
    full = count > 0
    gap = np.abs(bacc - bconf)[full]
    onehot = np.eye(c)[labels]
    cm = confusion_matrix(labels, pred, labels=range(c))
    prec, rec, f1, support = precision_recall_fscore_support(labels, pred, labels=range(c), zero_division=0)
    macro = precision_recall_fscore_support(labels, pred, labels=range(c), zero_division=0, average='macro')
    weighted = precision_recall_fscore_support(labels, pred, labels=range(c), zero_division=0, average='weighted')
    tp = np.diag(cm).astype(float)
    union = cm.sum(0) + cm.sum(1) - tp
    with np.errstate(invalid='ignore', divide='ignore'):
        iou = np.where(union > 0, tp / union, np.nan)
    mean = float(loss.mean())
    metrics = {
        'count': n,
        'loss': mean,
        'bits': mean / np.log(2),
        'perplexity': float(np.exp(mean)),
        'accuracy': float((pred == labels).mean()),
        **{f'top-{k}-accuracy': float((rank < k).mean()) for k in top_k},
        'ece': float((count[full] / n * gap).sum()),
        'mce': float(gap.max()),
        'brier': float(((p - onehot) ** 2).sum(1).mean()),
        'macro-f1': float(macro[2]),
        'weighted-f1': float(weighted[2]),
        'mean-iou': float(np.nanmean(iou)),
    }
    nan_to_none = lambda a: [None if np.isnan(v) else float(v) for v in a]
    return {
        'metrics': metrics,
        'calibration': {'bins': bins, 'confidence': nan_to_none(bconf), 'accuracy': nan_to_none(bacc), 'count': count.tolist()},
        'confusion': cm.tolist(),
        'perClass': {'precision': prec.tolist(), 'recall': rec.tolist(), 'f1': f1.tolist(), 'iou': nan_to_none(iou), 'support': support.tolist()},
        'macro': {'precision': float(macro[0]), 'recall': float(macro[1]), 'f1': float(macro[2])},
        'weighted': {'precision': float(weighted[0]), 'recall': float(weighted[1]), 'f1': float(weighted[2])},
    }


def save(directory, name, array, version=(1, 0)):
    with open(os.path.join(directory, name), 'wb') as f:
        np.lib.format.write_array(f, np.ascontiguousarray(array), version=version)


def write_names(directory, name, names):
    with open(os.path.join(directory, name), 'w') as f:
        f.write('\n'.join(names) + '\n')


def fixtures():
    cases = {}
    x, y = classifier(np.random.default_rng(1), 1000, 10)
    save(FIXTURES, 'classifier-logits.npy', x)
    save(FIXTURES, 'classifier-labels.npy', y.astype(np.int64))
    write_names(FIXTURES, 'classifier-names.txt', CIFAR)
    plain = {'input': 'logits', 'axis': 'last', 'ignoreIndex': -100, 'bins': 15, 'topK': [1, 5], 'temperature': 1}
    cases['classifier'] = {'files': ['classifier-logits.npy', 'classifier-labels.npy'], 'settings': plain, **reference(x, y, 1, -100)}
    warm = {**plain, 'temperature': 2, 'bins': 10, 'topK': [1, 3]}
    cases['classifier-t2'] = {'files': cases['classifier']['files'], 'settings': warm, **reference(x, y, 1, -100, temperature=2, bins=10, top_k=(1, 3))}
    p = softmax(x.astype(np.float64), 1)
    save(FIXTURES, 'classifier-probs.npy', p)
    probs = {**plain, 'input': 'probs'}
    cases['classifier-probs'] = {'files': ['classifier-probs.npy', 'classifier-labels.npy'], 'settings': probs, **reference(p.astype(np.float32), y, 1, -100, probs=True)}
    small = {'logits': x[:40].astype(float).tolist(), 'labels': y[:40].tolist()}
    with open(os.path.join(FIXTURES, 'classifier-small.json'), 'w') as f:
        json.dump(small, f)
    cases['classifier-json'] = {'files': ['classifier-small.json'], 'settings': plain, **reference(x[:40], y[:40], 1, -100)}

    x, y = segmentation(np.random.default_rng(2), 4, 6, 16, 16)
    save(FIXTURES, 'segmentation-logits.npy', x, version=(3, 0))
    save(FIXTURES, 'segmentation-labels.npy', y)
    seg = {**plain, 'axis': 'second', 'ignoreIndex': 255, 'topK': [1, 2]}
    cases['segmentation'] = {'files': ['segmentation-logits.npy', 'segmentation-labels.npy'], 'settings': seg, **reference(x, y, 1, 255, top_k=(1, 2))}

    x, y = language_model(np.random.default_rng(3), 4, 32, 40)
    save(FIXTURES, 'lm-logits.npy', x, version=(2, 0))
    save(FIXTURES, 'lm-labels.npy', y)
    cases['lm'] = {'files': ['lm-logits.npy', 'lm-labels.npy'], 'settings': plain, **reference(x, y, 2, -100)}
    with open(os.path.join(FIXTURES, 'reference.json'), 'w') as f:
        json.dump(cases, f, indent=1)


def examples():
    x, y = classifier(np.random.default_rng(11), 2000, 10)
    save(EXAMPLES, 'classifier-logits.npy', x)
    save(EXAMPLES, 'classifier-labels.npy', y.astype(np.int64))
    write_names(EXAMPLES, 'classifier-names.txt', CIFAR)
    x, y = segmentation(np.random.default_rng(12), 2, 6, 32, 32)
    save(EXAMPLES, 'segmentation-logits.npy', x)
    save(EXAMPLES, 'segmentation-labels.npy', y)
    write_names(EXAMPLES, 'segmentation-names.txt', SCENE)
    x, y = language_model(np.random.default_rng(13), 2, 64, 100)
    save(EXAMPLES, 'lm-logits.npy', x)
    save(EXAMPLES, 'lm-labels.npy', y)


if __name__ == '__main__':
    os.makedirs(FIXTURES, exist_ok=True)
    os.makedirs(EXAMPLES, exist_ok=True)
    fixtures()
    examples()
    # The repository's Prettier checks JSON too: format what was written, when the node modules are there.
    prettier = os.path.join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs')
    if os.path.exists(prettier):
        subprocess.run(['node', prettier, '--write', FIXTURES], check=True, stdout=subprocess.DEVNULL)
    print(f'wrote {FIXTURES} and {EXAMPLES}')
