import { useCallback, useRef, useState } from 'react';
import { useSession } from './session';

/**
 * Unsent text in local storage, so a reload, a closed tab or a phone that drops the page does not
 * lose what someone was writing. Keyed by session code and participant (a shared device keeps
 * each person's drafts apart); removed again once the text is handed on or saved.
 */
const PREFIX = 'kollegium.draft.';

function read(key: string): unknown {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as unknown);
  } catch {
    return null; // blocked storage or a damaged entry: start empty
  }
}

function write(key: string, value: unknown | null) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage blocked or full: the draft lives as long as the page.
  }
}

/** The storage key for one draft of the current viewer in the current session. */
export function useDraftKey(name: string): string {
  const { view } = useSession();
  return `${PREFIX}${view.code}.${view.me.participantId ?? view.me.role}.${name}`;
}

/**
 * State that is also kept in local storage under `key`. `revive` checks what was stored (null
 * when unusable); a value equal to `empty()` is not stored. `clear` resets to `empty()`.
 */
export function useDraft<T>(key: string, empty: () => T, revive: (stored: unknown) => T | null): [T, (next: T) => void, () => void] {
  const load = (k: string): T => {
    const stored = read(k);
    const revived = stored === null ? null : revive(stored);
    return revived === null ? empty() : revived;
  };
  const [cell, setCell] = useState(() => ({ key, value: load(key) }));
  let value = cell.value;
  if (cell.key !== key) {
    // Another draft now (e.g. another challenge): load it during render, as React advises for derived state.
    value = load(key);
    setCell({ key, value });
  }
  const emptyRef = useRef(empty);
  emptyRef.current = empty;
  const set = useCallback(
    (next: T) => {
      setCell({ key, value: next });
      write(key, JSON.stringify(next) === JSON.stringify(emptyRef.current()) ? null : next);
    },
    [key],
  );
  const clear = useCallback(() => {
    setCell({ key, value: emptyRef.current() });
    write(key, null);
  }, [key]);
  return [value, set, clear];
}

export const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
export const str = (x: unknown, max: number): string => (typeof x === 'string' ? x.slice(0, max) : '');
