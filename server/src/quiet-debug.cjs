// CommonJS, as debug is, so that `require('debug')` in a bundled package is the function itself.
module.exports = require('./quiet-debug.ts').default;
