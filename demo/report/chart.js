// The reliability diagram as SVG, as torchmetrics and Guo et al. (2017) draw it: per confidence bin, the
// accuracy as a bar and the gap to the bin's mean confidence, the diagonal of perfect calibration, and below
// it a histogram of how many samples fall in each bin.
const NS = 'http://www.w3.org/2000/svg';
const W = 380;
const PLOT = { left: 40, top: 10, width: 320, height: 240 };
const HIST = { top: 270, height: 60 };
const H = HIST.top + HIST.height + 36;

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** An <svg> for calibration { bins, confidence, accuracy, count } (null where a bin is empty). */
export function reliabilityDiagram(calibration, summary) {
  const { bins, confidence, accuracy, count } = calibration;
  const x = (v) => PLOT.left + v * PLOT.width;
  const y = (v) => PLOT.top + (1 - v) * PLOT.height;
  const ece = summary.ece;
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'reliability',
    role: 'img',
    'aria-label': `Reliability diagram over ${bins} bins; expected calibration error ${ece?.toFixed?.(4) ?? 'n/a'}`,
  });
  root.append(svg('rect', { x: PLOT.left, y: PLOT.top, width: PLOT.width, height: PLOT.height, class: 'frame' }));
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    root.append(svg('line', { x1: x(0), x2: x(1), y1: y(t), y2: y(t), class: 'grid' }));
    root.append(svg('text', { x: PLOT.left - 6, y: y(t) + 4, class: 'tick', 'text-anchor': 'end' }, String(t)));
    root.append(
      svg('text', { x: x(t), y: HIST.top + HIST.height + 14, class: 'tick', 'text-anchor': 'middle' }, String(t)),
    );
  }
  const width = PLOT.width / bins;
  const most = Math.max(1, ...count.map((c) => c ?? 0));
  for (let b = 0; b < bins; b++) {
    const left = PLOT.left + b * width;
    const n = count[b] ?? 0;
    const title = svg(
      'title',
      {},
      `confidence ${(b / bins).toFixed(3)}-${((b + 1) / bins).toFixed(3)}: ${n} samples` +
        (n ? `, accuracy ${accuracy[b].toFixed(3)}, mean confidence ${confidence[b].toFixed(3)}` : ''),
    );
    if (n) {
      const acc = accuracy[b];
      const conf = confidence[b];
      const bar = svg('rect', {
        x: left + 0.5,
        y: y(acc),
        width: Math.max(0.5, width - 1),
        height: PLOT.height * acc,
        class: 'bar',
      });
      bar.append(title);
      root.append(bar);
      root.append(
        svg('rect', {
          x: left + 0.5,
          y: y(Math.max(acc, conf)),
          width: Math.max(0.5, width - 1),
          height: PLOT.height * Math.abs(conf - acc),
          class: 'gap',
        }),
      );
    }
    const h = (HIST.height * n) / most;
    const hist = svg('rect', {
      x: left + 0.5,
      y: HIST.top + HIST.height - h,
      width: Math.max(0.5, width - 1),
      height: h,
      class: 'hist',
    });
    hist.append(title.cloneNode(true));
    root.append(hist);
  }
  root.append(svg('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: 'diagonal' }));
  root.append(
    svg('line', { x1: x(0), x2: x(1), y1: HIST.top + HIST.height, y2: HIST.top + HIST.height, class: 'grid' }),
  );
  root.append(
    svg(
      'text',
      {
        x: 12,
        y: PLOT.top + PLOT.height / 2,
        class: 'axis',
        transform: `rotate(-90 12 ${PLOT.top + PLOT.height / 2})`,
        'text-anchor': 'middle',
      },
      'accuracy',
    ),
  );
  root.append(
    svg(
      'text',
      {
        x: 12,
        y: HIST.top + HIST.height / 2 + 4,
        class: 'axis',
        transform: `rotate(-90 12 ${HIST.top + HIST.height / 2})`,
        'text-anchor': 'middle',
      },
      'count',
    ),
  );
  root.append(
    svg('text', { x: x(0.5), y: H - 2, class: 'axis', 'text-anchor': 'middle' }, 'confidence (top-1 probability)'),
  );
  root.append(
    svg(
      'text',
      { x: x(0.03), y: y(0.93), class: 'legend' },
      `ECE ${ece?.toFixed?.(4) ?? '–'}, MCE ${summary.mce?.toFixed?.(4) ?? '–'}`,
    ),
  );
  return root;
}
