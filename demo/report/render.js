// Renders a report (summary.js) into the page: the summary numbers (each a <data data-metric value> holding
// the full-precision number), the reliability diagram, the confusion matrix and the sortable per-class table.
import { LABELS, summaryOrder } from './summary.js';
import { reliabilityDiagram } from './chart.js';

export const MAX_HEATMAP_CLASSES = 50;
const MAX_TABLE_ROWS = 1000;
const TOP_PAIRS = 25;

const $ = (selector) => document.querySelector(selector);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'style') node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** A number for reading: 6 significant digits (integers whole); NaN or null as an en dash. */
export function show(value, digits = 6) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(digits)));
}

/** <data value="full precision">shown</data>, marked with data-metric when a name is given. */
function datum(value, metric) {
  const node = el('data', { value: value === null || value === undefined ? 'NaN' : String(value) });
  if (metric) node.dataset.metric = metric;
  node.textContent = show(value);
  return node;
}

function label(name) {
  const k = /^top-(\d+)-accuracy$/.exec(name);
  if (k) return `Top-${k[1]} accuracy`;
  return LABELS[name] ?? name;
}

function renderSummary(report) {
  const list = $('#summary');
  const lm = report.languageModel;
  list.replaceChildren();
  for (const name of summaryOrder(report)) {
    const lead = lm && (name === 'perplexity' || name === 'bits');
    const text = lm && name === 'bits' ? 'Bits per token' : label(name);
    list.append(
      el(
        'div',
        { class: lead ? 'metric lead' : 'metric' },
        el('dt', { text }),
        el('dd', {}, datum(report.summary[name], name)),
      ),
    );
  }
  $('#report-inputs').textContent =
    report.inputs.map((f) => `${f.role}: ${f.name}, ${f.dtype} ${f.shape ?? ''}`).join(' · ') +
    `; ${report.classes} classes`;
}

function renderConfusion(report) {
  const box = $('#confusion');
  box.replaceChildren();
  if (!report.confusion) {
    box.append(el('p', { class: 'muted', text: 'Not computed (more classes than a confusion matrix is kept for).' }));
    return;
  }
  const names = report.classNames;
  const c = report.classes;
  const rows = report.confusion.map((row) => ({ row, total: row.reduce((a, b) => a + b, 0) }));
  if (c <= MAX_HEATMAP_CLASSES) {
    const table = el('table', {
      class: `heatmap${c > 12 ? ' dense' : ''}`,
      'aria-label': 'Confusion matrix, row-normalised',
    });
    const head = el('tr', {}, el('th', { class: 'corner', text: 'true \\ predicted' }));
    for (const name of names) head.append(el('th', { scope: 'col', class: 'col', text: name }));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    rows.forEach(({ row, total }, i) => {
      const tr = el('tr', {}, el('th', { scope: 'row', text: names[i] }));
      row.forEach((count, j) => {
        const share = total ? count / total : 0;
        const cell = el('td', {
          title: `true ${names[i]}, predicted ${names[j]}: ${count}${total ? ` (${(100 * share).toFixed(1)}% of ${names[i]})` : ''}`,
          style: `background: rgba(${i === j ? '0, 114, 178' : '213, 94, 0'}, ${share.toFixed(3)}); color: ${share > 0.55 ? '#fff' : 'inherit'}`,
        });
        cell.dataset.count = String(count);
        if (c <= 12 && count) cell.textContent = (100 * share).toFixed(0);
        tr.append(cell);
      });
      body.append(tr);
    });
    table.append(body);
    box.append(
      table,
      el('p', { class: 'muted small', text: 'Rows are true classes; each row sums to 100% (shown in %).' }),
    );
    return;
  }
  const pairs = [];
  rows.forEach(({ row, total }, i) =>
    row.forEach((count, j) => i !== j && count > 0 && pairs.push({ i, j, count, share: count / total })),
  );
  pairs.sort((a, b) => b.count - a.count || a.i - b.i || a.j - b.j);
  const table = el('table', { class: 'pairs', 'aria-label': 'Most confused pairs' });
  table.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['True', 'Predicted', 'Count', 'Share of true class'].map((t) => el('th', { scope: 'col', text: t })),
      ),
    ),
  );
  const body = el('tbody');
  for (const p of pairs.slice(0, TOP_PAIRS))
    body.append(
      el(
        'tr',
        {},
        el('td', { text: names[p.i] }),
        el('td', { text: names[p.j] }),
        el('td', { text: String(p.count) }),
        el('td', { text: `${(100 * p.share).toFixed(1)}%` }),
      ),
    );
  table.append(body);
  box.append(
    el('p', {
      class: 'muted small',
      text: `${c} classes: the ${Math.min(TOP_PAIRS, pairs.length)} most confused pairs.`,
    }),
    table,
  );
}

const COLUMNS = [
  ['name', 'Class'],
  ['precision', 'Precision'],
  ['recall', 'Recall'],
  ['f1', 'F1'],
  ['iou', 'IoU'],
  ['support', 'Support'],
];

function renderPerClass(report, sort = { key: 'support', descending: true }) {
  const box = $('#per-class');
  box.replaceChildren();
  if (!report.perClass) {
    box.append(el('p', { class: 'muted', text: 'Not computed.' }));
    return;
  }
  const p = report.perClass;
  const rows = report.classNames.map((name, i) => ({
    index: i,
    name,
    precision: p.precision[i],
    recall: p.recall[i],
    f1: p.f1[i],
    iou: p.iou[i],
    support: p.support[i],
  }));
  const value = (r) => (sort.key === 'name' ? r.index : (r[sort.key] ?? -Infinity));
  rows.sort((a, b) => (sort.descending ? value(b) - value(a) : value(a) - value(b)) || a.index - b.index);
  const table = el('table', { class: 'per-class' });
  const head = el('tr');
  for (const [key, text] of COLUMNS) {
    const button = el('button', { type: 'button', class: 'sort', text });
    button.addEventListener('click', () =>
      renderPerClass(report, { key, descending: sort.key === key ? !sort.descending : key !== 'name' }),
    );
    const th = el('th', { scope: 'col' }, button);
    th.setAttribute('aria-sort', sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none');
    head.append(th);
  }
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (const r of rows.slice(0, MAX_TABLE_ROWS)) {
    const tr = el('tr', {}, el('th', { scope: 'row', text: r.name }));
    for (const [key] of COLUMNS.slice(1)) tr.append(el('td', {}, datum(r[key])));
    body.append(tr);
  }
  const m = report.macro;
  const w = report.weighted;
  for (const [text, avg] of [
    ['macro average', m],
    ['weighted average', w],
  ])
    body.append(
      el(
        'tr',
        { class: 'average' },
        el('th', { scope: 'row', text }),
        ...['precision', 'recall', 'f1'].map((k) => el('td', {}, datum(avg[k]))),
        el('td'),
        el('td'),
      ),
    );
  table.append(body);
  if (rows.length > MAX_TABLE_ROWS)
    box.append(
      el('p', { class: 'muted small', text: `The first ${MAX_TABLE_ROWS} of ${rows.length} classes in this order.` }),
    );
  box.append(table);
}

export function renderReport(report) {
  renderSummary(report);
  $('#reliability').replaceChildren(
    report.calibration
      ? reliabilityDiagram(report.calibration, report.summary)
      : el('p', { class: 'muted', text: 'Not computed.' }),
  );
  renderConfusion(report);
  renderPerClass(report);
}
