// Runs the browser checks under the CSP that tests/browser.test.mjs sends with csp.html, and records
// any policy violation (an eval or new Function anywhere in the library would be one).
import { settle } from './check.js';

const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
const simd = new URLSearchParams(location.search).get('simd') === 'false' ? false : true;
const result = await settle(simd);
document.getElementById('out').textContent = JSON.stringify(result, null, 2);
window.__result = { ...result, violations };
