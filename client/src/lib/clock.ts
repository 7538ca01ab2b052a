import { useEffect, useState } from 'react';
import type { Timer } from '@kollegium/shared';
import type { KollegiumSocket } from './socket';

/**
 * The server's clock as seen from here. Deadlines are server times, so every screen shows the
 * same remaining time even when device clocks disagree.
 */
let offset = 0;
let bestRtt = Number.POSITIVE_INFINITY;

export function serverNow(): number {
  return Date.now() + offset;
}

/** A rough first guess from a pushed view, used until a `time:sync` round trip has been measured. */
export function roughSync(serverTime: number) {
  if (bestRtt === Number.POSITIVE_INFINITY) offset = serverTime - Date.now();
}

/**
 * A few `time:sync` round trips; the one with the smallest round-trip time is the least
 * distorted by network delay, so it sets the offset (server time + half the trip − local time).
 */
export async function syncClock(socket: KollegiumSocket, samples = 5): Promise<void> {
  // A new connection may take another route: measure afresh.
  bestRtt = Number.POSITIVE_INFINITY;
  for (let i = 0; i < samples && socket.connected; i++) {
    const sent = Date.now();
    try {
      const res = await socket.timeout(4000).emitWithAck('time:sync');
      const received = Date.now();
      const rtt = received - sent;
      if (res.ok && rtt < bestRtt) {
        bestRtt = rtt;
        offset = res.serverNow + rtt / 2 - received;
      }
    } catch {
      return; // no answer: keep the estimate we have
    }
  }
}

export function remainingMs(timer: Timer, now: number): number | null {
  switch (timer.status) {
    case 'running':
      return Math.max(0, timer.deadline - now);
    case 'paused':
      return Math.max(0, timer.remainingMs);
    case 'expired':
      return 0;
    default:
      return null;
  }
}

/** m:ss, or h:mm:ss past an hour; rounds up so 0:00 appears only when the time is really up. */
export function formatClock(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Re-renders about four times a second while `active`, so a running timer ticks smoothly. */
export function useServerNow(active: boolean): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    setNow(serverNow());
    if (!active) return;
    const id = window.setInterval(() => setNow(serverNow()), 250);
    return () => window.clearInterval(id);
  }, [active]);
  return now;
}
