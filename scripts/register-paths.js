// Resolves the monorepo's @chuishao/<lib> imports to the compiled libs at run time,
// the same mapping tsconfig "paths" gives the compiler and jest's moduleNameMapper gives tests.
const path = require('node:path');
const { registerHooks } = require('node:module');
const dist = path.resolve(__dirname, '..', 'dist', 'libs');
registerHooks({
  resolve(specifier, context, next) {
    const m = /^@chuishao\/([a-z-]+)$/.exec(specifier);
    if (m) return next(path.join(dist, m[1], 'src', 'index.js'), context);
    return next(specifier, context);
  },
});
