// Browser fixture: records uncaught errors and unhandled rejections in window.__errors, for drivers that
// see no console events (WebKitWebDriver). Loaded first, as a classic script.
window.__errors = [];
window.addEventListener('error', (e) => window.__errors.push(`error: ${e.message} (${e.filename}:${e.lineno})`));
window.addEventListener('unhandledrejection', (e) => window.__errors.push(`unhandled rejection: ${e.reason}`));
