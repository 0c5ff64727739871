// What "the demo trains the spiral" means, as page expressions every driver can evaluate: used by
// tests/demo.test.mjs (Chromium, through the page's controls) and tests/engines.test.mjs (every browser,
// through the URL hash, which the demo reads its settings from).

/** The demo's first report is shown: its worker loaded and evaluated the untrained model. */
export const DEMO_REPORTED = `Number(document.querySelector('[data-metric="train-loss"]').textContent) > 0`;
/** The demo's worker is ready: Play is enabled and the first report is shown. */
export const DEMO_READY = `!document.querySelector('#play').disabled && ${DEMO_REPORTED}`;
/** The accuracy the spiral must reach, on the held-out points. */
export const SPIRAL_ACCURACY = 0.9;
export const SPIRAL_TRAINED = `Number(document.querySelector('[data-metric="test-accuracy"]').textContent) >= ${SPIRAL_ACCURACY}`;
/** The demo with the 3-class spiral selected; every other setting at its default. */
export const SPIRAL_HASH = '#dataset=spiral&classes=3';
/** The numbers the page shows. */
export const DEMO_METRICS = `Object.fromEntries([...document.querySelectorAll('[data-metric]')].map((e) => [e.dataset.metric, Number(e.textContent)]))`;
