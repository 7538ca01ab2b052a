import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_DIR, measureClientWeight, PARTICIPANT_JS_BUDGET } from '../weight.js';

/** The built client (`npm test` builds it first, as the browser tests need it too). */
const built = fs.existsSync(path.join(CLIENT_DIR, 'dist', '.vite', 'manifest.json'));

describe('what a participant’s phone loads', () => {
  it('is built', () => {
    expect(built, 'client/dist is missing: run `npm run build -w client` (npm test does)').toBe(true);
  });

  it.runIf(built)('stays within the gzipped JavaScript budget and carries no facilitator or board code', () => {
    const weight = measureClientWeight();
    const roles = new Set(weight.files.map((f) => f.role));
    // The walk found the entry and the participant page, so the sum is not of nothing.
    expect(roles).toContain('entry');
    expect(roles).toContain('participant page');
    expect(weight.jsGzip).toBeGreaterThan(0);
    expect(weight.jsGzip).toBeLessThanOrEqual(PARTICIPANT_JS_BUDGET);
    // The control: markers that the facilitator and board chunks do contain.
    expect(weight.separation.controlHits).toBeGreaterThan(0);
    expect(weight.separation.found).toEqual([]);
  });
});
