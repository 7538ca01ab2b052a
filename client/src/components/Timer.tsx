import { useTranslation } from '../i18n';
import type { Timer as TimerState } from '@kollegium/shared';
import { formatClock, remainingMs, useServerNow } from '../lib/clock';

/**
 * The phase clock, computed locally from the server's deadline. It is a `timer` role, which
 * screen readers do not announce on every tick.
 */
export function Timer({ timer, className = '' }: { timer: TimerState; className?: string }) {
  const { t } = useTranslation();
  const now = useServerNow(timer.status === 'running');
  const left = remainingMs(timer, now);
  if (left === null) return null;
  const expired = timer.status === 'expired' || (timer.status === 'running' && left <= 0);
  const state = expired ? t('timer.expired') : timer.status === 'paused' ? t('timer.paused') : t('timer.remaining');
  return (
    <div className={`timer timer-${expired ? 'expired' : timer.status} ${className}`}>
      <span role="timer" aria-label={state} className="timer-digits" data-testid="timer">
        {formatClock(left)}
      </span>
      <span className="timer-state">{state}</span>
    </div>
  );
}
