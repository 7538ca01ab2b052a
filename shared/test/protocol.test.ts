import { describe, expect, it } from 'vitest';
import { COMMANDS, CreateSessionRequest, JoinRequest, describeIssues } from '../src/index.js';

describe('payload schemas', () => {
  it('refuse text with a NUL character, which no Postgres text or JSON can hold, and say so', () => {
    const cases = [
      COMMANDS['contribution:add'].safeParse({ cid: 'cid-00001', kind: 'question', text: 'before\u0000after' }),
      COMMANDS['note:set'].safeParse({ cid: 'cid-00001', challengeId: 'c1', text: '\u0000' }),
      JoinRequest.safeParse({ name: 'Ada\u0000' }),
      CreateSessionRequest.safeParse({ title: 'Round \u0000' }),
    ];
    for (const parsed of cases) {
      expect(parsed.success).toBe(false);
      if (!parsed.success) expect(describeIssues(parsed.error)).toMatch(/NUL/);
    }
  });

  it('take any other text as it is: quotes, backslashes, escapes and emoji', () => {
    const text = `it's "quoted", a \\back\\slash, \\u0041 and \\x41 as typed, tab\tand 👋`;
    const parsed = COMMANDS['contribution:add'].safeParse({ cid: 'cid-00001', kind: 'reflection', text });
    expect(parsed.success && parsed.data.text).toBe(text);
  });
});
