// Kept equal to package.json's version by tests/package.test.mjs.
export const VERSION = '0.1.0';
