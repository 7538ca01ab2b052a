import { defineConfig } from '@lingui/conf';
import { formatter } from '@lingui/format-json';

// The catalogs are flat JSON files keyed by message id (src/locales/{locale}.json, ICU messages);
// the Vite plugin compiles them at build time, so the page ships no message parser. No fallback
// locale: a message missing from da or nb fails the build (failOnMissing in vite.config.ts).
export default defineConfig({
  sourceLocale: 'en',
  locales: ['en', 'da', 'nb'],
  catalogs: [{ path: '<rootDir>/src/locales/{locale}', include: ['<rootDir>/src'] }],
  format: formatter({ style: 'minimal' }),
});
