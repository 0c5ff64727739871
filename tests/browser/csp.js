// Runs the engine-neutral checks under the CSP that tests/engines.test.mjs sends with csp.html, and records
// any policy violation (an eval or new Function anywhere in the library would be one).
import { settle } from './check.js';

const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
const out = document.getElementById('out');
const result = await settle((text) => (out.textContent = `running: ${text}`));
out.textContent = JSON.stringify(result, null, 2);
window.__result = { ...result, violations, errors: window.__errors };
