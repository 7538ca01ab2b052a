import { useSyncExternalStore } from 'react';

/** A tiny pathname router: the app has six routes and no nesting, so no library is needed. */
const listeners = new Set<() => void>();

function notify() {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  notify();
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

export type Route =
  | { page: 'home' }
  | { page: 'join'; code: string | null }
  | { page: 'participant'; code: string }
  | { page: 'facilitator'; code: string }
  | { page: 'board'; code: string }
  | { page: 'notFound' };

export function matchRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const [first, code, ...rest] = parts;
  if (parts.length === 0) return { page: 'home' };
  if (rest.length > 0) return { page: 'notFound' };
  if (first === 'join') return { page: 'join', code: code ?? null };
  if (!code) return { page: 'notFound' };
  if (first === 's') return { page: 'participant', code };
  if (first === 'facilitate') return { page: 'facilitator', code };
  if (first === 'board') return { page: 'board', code };
  return { page: 'notFound' };
}
