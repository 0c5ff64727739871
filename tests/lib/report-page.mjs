// The model report page (demo/report.html) as page expressions any browser driver can evaluate (the
// `evaluate(expression)` of tests/lib/browsers.mjs, or playwright's page.evaluate), plus the reference
// comparison: shared by tests/report.test.mjs (Chromium, through the real file inputs) and
// tests/report-engines.test.mjs (every browser the suite drives, files put on the inputs from the page).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

export const REFERENCE = JSON.parse(
  readFileSync(new URL('../fixtures/report/reference.json', import.meta.url), 'utf8'),
);

// Tolerances, |page - reference| <= atol + rtol * |reference|. The page computes in float32 with float64
// sums from the same stored values the reference widens exactly; bins cannot differ (the script keeps every
// confidence 1e-5 away from a bin edge). Ratios of counts (accuracy, top-k, F1, IoU) agree to float64
// rounding. A log-softmax in float32 is within a few ulp of |log-sum-exp| (<= 1e-6 for these logits), so the
// mean loss and bits are within 2e-6, and perplexity = exp(loss) within 2e-6 relative of its own value.
// Each bin's mean confidence carries float32 rounding of the probabilities (~1e-7): ECE, MCE and Brier 1e-6.
export const TOLERANCE = {
  count: { atol: 0, rtol: 0 },
  loss: { atol: 2e-6, rtol: 2e-6 },
  bits: { atol: 3e-6, rtol: 2e-6 },
  perplexity: { atol: 0, rtol: 4e-6 },
  ece: { atol: 1e-6, rtol: 0 },
  mce: { atol: 1e-6, rtol: 0 },
  brier: { atol: 1e-6, rtol: 1e-6 },
};
const COUNTS = { atol: 1e-12, rtol: 1e-12 }; // accuracy, top-k, macro/weighted F1, mean IoU

/** Asserts one number against its reference (null: NaN), with the metric's tolerance. */
export function close(name, actual, expected, { atol, rtol } = TOLERANCE[name] ?? COUNTS) {
  assert.ok(typeof actual === 'number', `${name}: the page shows ${actual}`);
  if (expected === null) return assert.ok(Number.isNaN(actual), `${name} = ${actual}, expected NaN`);
  assert.ok(
    Math.abs(actual - expected) <= atol + rtol * Math.abs(expected),
    `${name} = ${actual}, expected ${expected} (atol ${atol}, rtol ${rtol})`,
  );
}

/** Asserts every metric of a reference case is shown and within tolerance. */
export function compareMetrics(shown, expected, where = '') {
  for (const [metric, value] of Object.entries(expected)) {
    if (metric === 'top-1-accuracy' && !(metric in shown)) continue; // the same number as accuracy
    assert.ok(
      metric in shown,
      `${where}the page shows data-metric="${metric}" (shown: ${Object.keys(shown).join(', ')})`,
    );
    close(`${where}${metric}`.replace(/^.*: /, ''), shown[metric], value);
  }
}

/** True once the page's worker is ready. */
export const READY = `!document.querySelector('#evaluate').disabled`;

/** Every data-metric on the page, as numbers (a <data> element's value, else the text). */
export const METRICS = `Object.fromEntries([...document.querySelectorAll('[data-metric]')].map((el) =>
  [el.dataset.metric, Number(el.tagName === 'DATA' ? el.value : el.textContent)]))`;

/** True once the run started by START ended: done, cancelled, or an alert. */
export const ENDED = `/^(Done|Cancelled)/.test(document.querySelector('#progress-text').textContent) ||
  document.querySelector('#alert').textContent !== ''`;

/** The alert's text ('' after a success). */
export const ALERT = `document.querySelector('#alert').textContent`;

/**
 * An expression that fetches the files at `urls` (logits, labels, names: absolute URLs or null), puts them on
 * the page's file inputs as a user choosing them would (a DataTransfer's FileList, then a change event), sets
 * the controls to `settings` (a reference case's), clears the progress text and clicks Evaluate.
 */
export function start(urls, settings) {
  return `(async () => {
    const urls = ${JSON.stringify(urls)};
    const settings = ${JSON.stringify(settings)};
    for (const [id, url] of Object.entries(urls)) {
      const input = document.getElementById(id);
      const list = new DataTransfer();
      if (url) {
        const response = await fetch(url);
        if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
        list.items.add(new File([await response.blob()], url.slice(url.lastIndexOf('/') + 1)));
      }
      input.files = list.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
    const set = (id, value) => {
      const el = document.getElementById(id);
      el.value = String(value);
      el.dispatchEvent(new Event('change', { bubbles: true }));
    };
    set('input-is', settings.input);
    set('class-axis', settings.axis);
    if (settings.input === 'logits') set('temperature', settings.temperature);
    set('ignore-index', settings.ignoreIndex);
    set('bins', settings.bins);
    set('top-k', settings.topK.join(', '));
    document.querySelector('#progress-text').textContent = '';
    document.querySelector('#alert').textContent = '';
    document.querySelector('#evaluate').click();
    return true;
  })()`;
}

/** The URLs of a reference case's files under the served repository root `base`. */
export function caseUrls(base, name) {
  const url = (file) => new URL(`tests/fixtures/report/${file}`, base).href;
  const [logits, labels] = REFERENCE[name].files;
  return {
    logits: url(logits),
    labels: labels ? url(labels) : null,
    names: name.startsWith('classifier') ? url('classifier-names.txt') : null,
  };
}
