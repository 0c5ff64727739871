import { pathToFileURL } from 'node:url';

// XENTROPY_SKIP: the one place that reads which browsers and runtimes a run leaves out.
//
//   XENTROPY_SKIP=firefox,bun npm test      # names below, or `browsers` / `runtimes` for a whole group
//
// Nothing is skipped unless named: a browser or runtime that cannot start fails the run with the reason.
// An unknown name is an error (a typo must not silently skip nothing). Run as a script
// (`node tests/lib/skip.mjs`) it prints the skipped names, one a line: scripts/setup.sh uses that to leave
// out the system packages of skipped browsers.

/** Every engine `npm test` runs, by the name XENTROPY_SKIP uses. */
export const ENGINES = {
  chromium: 'Chromium',
  firefox: 'Firefox ESR',
  webkit: 'WebKitGTK MiniBrowser',
  node18: 'Node 18',
  node20: `Node ${process.versions.node.split('.')[0]} (the Node running the tests)`, // Node 20 here
  node22: 'Node 22',
  node24: 'Node 24',
  deno: 'Deno',
  bun: 'Bun',
};
export const BROWSER_IDS = ['chromium', 'firefox', 'webkit'];
export const RUNTIME_IDS = ['node18', 'node20', 'node22', 'node24', 'deno', 'bun'];
const GROUPS = { browsers: BROWSER_IDS, runtimes: RUNTIME_IDS };

/** The set of skipped engine names in `value` (XENTROPY_SKIP's syntax: names separated by commas or spaces). */
export function parseSkip(value = '') {
  const skipped = new Set();
  for (const word of value
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean)) {
    if (GROUPS[word]) GROUPS[word].forEach((id) => skipped.add(id));
    else if (ENGINES[word]) skipped.add(word);
    else {
      const names = [...Object.keys(ENGINES), ...Object.keys(GROUPS)].join(', ');
      throw new Error(`XENTROPY_SKIP: unknown name "${word}"; use any of: ${names}`);
    }
  }
  return skipped;
}

export const skipped = parseSkip(process.env.XENTROPY_SKIP);

/** For node:test's `skip` option: false, or the reason this engine is skipped. */
export function skipReason(id) {
  if (!ENGINES[id]) throw new Error(`skipReason: unknown engine ${id}`);
  return skipped.has(id) ? `${ENGINES[id]} skipped by XENTROPY_SKIP=${process.env.XENTROPY_SKIP}` : false;
}

/** One line saying what this run skips (or that it skips nothing). */
export function skipSummary() {
  if (skipped.size === 0) return 'XENTROPY_SKIP is empty: every browser and runtime runs';
  return `XENTROPY_SKIP=${process.env.XENTROPY_SKIP}: skipping ${[...skipped].map((id) => ENGINES[id]).join(', ')}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const id of skipped) console.log(id);
}
