import { useId } from 'react';
import { useTranslation } from '../i18n';
import type { Action } from '../lib/useAction';
import { ErrorMessage } from './ErrorMessage';

/**
 * What became of one action, next to its button: a warning when the server has not confirmed it
 * after a few seconds, the translated refusal, and "Try again" when the outcome is unknown or the
 * server was only busy (the retry keeps the command id, so it cannot apply twice).
 */
export function ActionFeedback({ action, onRetried }: { action: Action; onRetried?: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <>
      <span role="status" className="action-slow">
        {action.pending && action.slow ? t('action.slow') : ''}
      </span>
      <ErrorMessage code={action.error} id={`${id}-error`} />
      {action.canRetry && (
        <button
          type="button"
          className="btn btn-small btn-secondary action-retry"
          aria-describedby={`${id}-error`}
          onClick={() => void action.retry().then((ok) => onRetried?.(ok))}
        >
          {t('action.retry')}
        </button>
      )}
    </>
  );
}
