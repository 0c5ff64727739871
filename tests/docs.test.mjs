// The README documents what web/index.d.ts declares, and declares nothing the README invents: the function
// table against the `Xentropy` interface, the cross-entropy option list against `CrossEntropyOptions`, every
// option interface's properties, the Classifier's methods, and the Bundlers section. Simple regexes over
// both texts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const dts = readFileSync(new URL('../web/index.d.ts', import.meta.url), 'utf8');

/** The text of `interface name { … }` in the .d.ts (comments removed), and its `extends` clause. */
function interfaceBody(name) {
  const start = dts.search(new RegExp(`export interface ${name}\\b[^{]*\\{`));
  assert.ok(start >= 0, `index.d.ts declares interface ${name}`);
  const open = dts.indexOf('{', start);
  let depth = 0;
  let end = open;
  for (; end < dts.length; end++) {
    if (dts[end] === '{') depth++;
    else if (dts[end] === '}' && --depth === 0) break;
  }
  const body = dts
    .slice(open + 1, end)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  return { body, heading: dts.slice(start, open) };
}

/**
 * The members of an interface: `{ name, method }` for each property or method declared at its top level
 * (nested braces, parentheses and brackets are collapsed first so their contents are not mistaken for members).
 */
function members(name) {
  let { body } = interfaceBody(name);
  for (let previous; previous !== body;) {
    previous = body;
    // Innermost groups first: (…) becomes (), and {…} or […] a placeholder type, until nothing changes.
    body = body.replace(/\{[^{}()[\]]*\}|\([^{}()[\]]*\)|\[[^{}()[\]]*\]/g, (group) => (group[0] === '(' ? '()' : 'T'));
  }
  const found = new Map();
  for (const statement of body.split(/[;\n]/)) {
    const match = /^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*([(<:])/.exec(statement);
    if (!match || match[1] === 'new') continue;
    const method = match[2] !== ':';
    found.set(match[1], (found.get(match[1]) ?? false) || method);
  }
  return [...found].map(([member, method]) => ({ name: member, method }));
}

/** The README text from the heading that starts with `title` to the next heading of the same or a higher level. */
function section(title) {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => /^#{2,3} /.test(line) && line.replace(/^#+ /, '').startsWith(title));
  assert.ok(start >= 0, `README has a section "${title}"`);
  const level = lines[start].match(/^#+/)[0].length;
  let end = start + 1;
  let fenced = false;
  for (; end < lines.length; end++) {
    if (lines[end].startsWith('```')) fenced = !fenced;
    const heading = !fenced && lines[end].match(/^(#+) /);
    if (heading && heading[1].length <= level) break;
  }
  return lines.slice(start + 1, end).join('\n');
}

/** Everything in code spans and fenced code blocks of `text`. */
function codeOf(text) {
  const blocks = [...text.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  const prose = text.replace(/```[^\n]*\n[\s\S]*?```/g, '');
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...blocks, ...spans].join('\n');
}

const mentions = (code, word) => new RegExp(`(^|[^\\w$])${word.replace(/\$/g, '\\$')}(?![\\w$])`, 'm').test(code);

test('docs: the README function table lists exactly the functions of the Xentropy interface', () => {
  const table = readme.slice(readme.indexOf('| function | returns |'));
  const rows = table
    .slice(0, table.search(/\n\s*\n/))
    .split('\n')
    .slice(2);
  const documented = rows.map((row) => {
    const match = /^\|\s*`(?:new\s+)?([A-Za-z_$][\w$]*)\(/.exec(row);
    assert.ok(match, `a table row that does not start with a function: ${row}`);
    return match[1];
  });
  const declared = members('Xentropy');
  // Functions and the Classifier constructor; plain data properties (simd, version) are checked below.
  const { body } = interfaceBody('Xentropy');
  const isConstructor = (name) => new RegExp(`\\b${name}\\??\\s*:\\s*\\w+Constructor\\b`).test(body);
  const names = declared.filter((m) => m.method || isConstructor(m.name)).map((m) => m.name);
  assert.ok(names.includes('crossEntropy') && names.includes('Classifier'), `parsed the interface: ${names}`);
  assert.deepEqual(
    documented.filter((name) => !names.includes(name)),
    [],
    'README table functions that index.d.ts does not declare on Xentropy',
  );
  assert.deepEqual(
    names.filter((name) => !documented.includes(name)),
    [],
    'Xentropy functions that the README table does not list',
  );
  assert.equal(new Set(documented).size, documented.length, 'each function listed once');

  const code = codeOf(readme);
  for (const { name } of declared.filter((m) => !names.includes(m.name))) {
    assert.ok(mentions(code, `xe.${name}`), `README mentions the property xe.${name}`);
  }
  for (const exported of [...dts.matchAll(/^export (?:function|const) (\w+)/gm)].map((m) => m[1])) {
    assert.ok(mentions(code, exported), `README mentions the export ${exported}`);
  }
});

test('docs: the README cross-entropy option list is CrossEntropyOptions', () => {
  const text = section('Cross-entropy options');
  const documented = [...text.matchAll(/^- `([A-Za-z_$][\w$]*)`/gm)].map((m) => m[1]);
  // With the members of what it extends (Geometry: classes, shape, dim).
  const parents =
    /extends ([\w, ]+)/.exec(interfaceBody('CrossEntropyOptions').heading)?.[1].trim().split(/,\s*/) ?? [];
  const declared = ['CrossEntropyOptions', ...parents].flatMap((name) => members(name).map((m) => m.name));
  assert.ok(declared.length >= 8, `parsed CrossEntropyOptions: ${declared}`);
  assert.deepEqual(
    documented.filter((name) => !declared.includes(name)),
    [],
    'options in the README list that CrossEntropyOptions lacks',
  );
  assert.deepEqual(
    declared.filter((name) => !documented.includes(name)),
    [],
    'CrossEntropyOptions properties missing from the README list (one bullet per option, starting with `name`)',
  );
});

test('docs: every property of the option interfaces is mentioned in the README', () => {
  const code = codeOf(readme);
  const interfaces = [
    'Geometry',
    'SoftmaxOptions',
    'CrossEntropyOptions',
    'BinaryCrossEntropyOptions',
    'FocalLossOptions',
    'SigmoidFocalLossOptions',
    'EntropyOptions',
    'KlDivergenceOptions',
    'EvaluateOptions',
    'ClassifierOptions',
    'TrainOptions',
    'FitOptions',
  ];
  const missing = [];
  for (const name of interfaces) {
    const props = members(name);
    assert.ok(props.length > 0, `parsed ${name}`);
    for (const { name: prop } of props) if (!mentions(code, prop)) missing.push(`${name}.${prop}`);
  }
  assert.deepEqual(missing, [], 'option properties the README never mentions (in code)');
  // FitOptions extends TrainOptions: both sets are checked above.
  assert.match(interfaceBody('FitOptions').heading, /extends TrainOptions/);
});

test('docs: the README "Training a classifier" section shows the Classifier API', () => {
  const code = codeOf(section('Training a classifier'));
  const expected = ['trainStep', 'fit', 'predict', 'evaluate', 'toJSON', 'fromJSON', 'dispose'];
  const declared = [
    ...members('Classifier').filter((m) => m.method),
    ...members('ClassifierConstructor').filter((m) => m.method),
  ].map((m) => m.name);
  for (const name of new Set([...expected, ...declared])) {
    assert.ok(mentions(code, `${name}`) && code.includes(`.${name}(`), `the Training section shows .${name}(...)`);
  }
  for (const name of expected) assert.ok(declared.includes(name), `index.d.ts declares Classifier ${name}`);
});

test('docs: the README says what each bundler needs, as tests/package.test.mjs does', () => {
  const text = section('Bundlers');
  for (const bundler of ['vite', 'webpack 5', 'esbuild']) {
    assert.ok(text.includes(`**${bundler}**`), `the Bundlers section covers ${bundler}`);
  }
  // The settings tests/lib/pkg-bundlers.mjs uses.
  assert.match(text, /optimizeDeps: \{ exclude: \['xentropy'\] \}/);
  assert.match(text, /--loader:\.wasm=file/);
  assert.match(text, /import simdWasm from 'xentropy\/xentropy-simd\.wasm'/);
  assert.match(text, /load\(\{ simd, wasm: new URL\(simd \? simdWasm : scalarWasm, import\.meta\.url\) \}\)/);
  const bundlerLib = readFileSync(new URL('./lib/pkg-bundlers.mjs', import.meta.url), 'utf8');
  assert.match(bundlerLib, /optimizeDeps: \{ exclude: \['xentropy'\] \}/);
  assert.match(bundlerLib, /loader: \{ '\.wasm': 'file' \}/);
  const esbuildApp = readFileSync(new URL('./package/src/main-esbuild.js', import.meta.url), 'utf8');
  assert.match(esbuildApp, /import simdWasm from 'xentropy\/xentropy-simd\.wasm'/);
});
