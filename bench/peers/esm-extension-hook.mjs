// nodecredstash 3.0.0 publishes ES modules whose relative imports have no ".js" extension, which Node's ESM
// resolver refuses (ERR_MODULE_NOT_FOUND). This resolve hook retries such a relative import with ".js"
// appended; nothing else about the package changes. Loaded with: node --import ./esm-extension-register.mjs
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && (specifier.startsWith('./') || specifier.startsWith('../')) && !specifier.endsWith('.js')) {
      return nextResolve(`${specifier}.js`, context);
    }
    throw error;
  }
}
