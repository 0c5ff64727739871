// Node: evaluate the sample logits file and print the metrics.
//   node examples/node-evaluate.mjs [logits.f32 labels.json]
import { readFile } from 'node:fs/promises';

import { evaluateFile, format } from './evaluate/evaluate.js';

const [logitsPath, labelsPath] = process.argv.slice(2);
const bytes = await readFile(logitsPath ?? new URL('./evaluate/logits.f32', import.meta.url));
const meta = JSON.parse(await readFile(labelsPath ?? new URL('./evaluate/labels.json', import.meta.url), 'utf8'));
const result = await evaluateFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), meta);
console.log(format(result));
console.log(JSON.stringify(result));
