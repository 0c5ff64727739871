// Module resolve hooks for the tfjs child processes (registered by tfjs-register.mjs, which the child is
// started with via `node --import`): tfjs-core's ESM files, needed for register_all_gradients since its
// CommonJS bundle (what Node loads) registers no gradients, import without file extensions. This
// resolves './x' to './x.js' or './x/index.js'.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (/^\.\.?\//.test(specifier) && !specifier.endsWith('.js')) {
      try {
        return await next(`${specifier}.js`, context);
      } catch {
        return next(`${specifier}/index.js`, context);
      }
    }
    throw e;
  }
}
