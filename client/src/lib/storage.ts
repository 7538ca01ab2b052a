import type { CreateSessionResponse, JoinResponse } from '@kollegium/shared';

/**
 * Participant tokens live in localStorage (a reload or a closed tab rejoins as the same person).
 * Facilitator and board keys live in sessionStorage only: they survive a reload of this tab and
 * nothing more, so a shared or projected machine does not keep them.
 */
function read(storage: Storage, key: string): string | null {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

function write(storage: Storage, key: string, value: string | null) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    // Storage blocked: the page still works until it is reloaded.
  }
}

const participantKey = (code: string) => `kollegium.participant.${code}`;

export function loadParticipant(code: string): JoinResponse | null {
  const raw = read(localStorage, participantKey(code));
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<JoinResponse>;
    return typeof parsed.token === 'string' && typeof parsed.participantId === 'string'
      ? { participantId: parsed.participantId, token: parsed.token }
      : null;
  } catch {
    return null;
  }
}

export function saveParticipant(code: string, joined: JoinResponse | null) {
  write(localStorage, participantKey(code), joined && JSON.stringify(joined));
}

export type SecretRole = 'facilitator' | 'board';

export function loadKey(role: SecretRole, code: string): string | null {
  return read(sessionStorage, `kollegium.${role}.${code}`);
}

export function saveKey(role: SecretRole, code: string, key: string) {
  write(sessionStorage, `kollegium.${role}.${code}`, key);
}

/** The links returned on creation: the board key is only known from them. */
export function saveLinks(code: string, links: CreateSessionResponse['links']) {
  write(sessionStorage, `kollegium.links.${code}`, JSON.stringify(links));
}

export function loadLinks(code: string): CreateSessionResponse['links'] | null {
  const raw = read(sessionStorage, `kollegium.links.${code}`);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as CreateSessionResponse['links'];
  } catch {
    return null;
  }
}

/** Reads `#key=…` from the fragment. */
export function keyFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get('key');
}

/**
 * The secret key for a facilitator or board page: from the URL fragment when present (then kept
 * in sessionStorage and removed from the address bar, which may be on a projector), else from
 * sessionStorage after a reload.
 */
export function takeKey(role: SecretRole, code: string): string | null {
  const fromHash = keyFromHash(location.hash);
  if (fromHash) {
    saveKey(role, code, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return loadKey(role, code);
}
