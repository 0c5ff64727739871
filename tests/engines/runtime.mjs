// Run by Node 18-24, Deno and Bun inside a fresh app that installed the packed tarball (see
// tests/engines.test.mjs): imports xentropy by its package name, runs the engine-neutral checks for each
// build and prints one line of JSON. It never calls process.exit, and it leaves threads running (the
// threads checks keep instances undisposed): the process must end by itself, or the driver kills it.
import { availableParallelism } from 'node:os';
import * as xentropy from 'xentropy';
import { describeEngine, runAll } from './checks.mjs';

const reports = await runAll(xentropy, { cores: availableParallelism() });
console.log(JSON.stringify({ engine: describeEngine(), reports }));
