import { register } from 'node:module';

register('./tfjs-hooks.mjs', import.meta.url);
