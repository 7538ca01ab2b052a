import { useTranslation } from '../i18n';
import type { RoleView } from '@kollegium/shared';
import { Timer } from './Timer';

/** Phase, turn and clock: the line every role sees at the top. */
export function PhaseBar({ view, className = '' }: { view: RoleView; className?: string }) {
  const { t } = useTranslation();
  const focus = view.challenges.find((c) => c.id === view.focusId);
  const showTurn = view.format === 'everyone' && view.turn.total > 0 && view.phase !== 'lobby' && view.phase !== 'evaluate' && view.phase !== 'ended';
  return (
    <div className={`phase-bar ${className}`}>
      <div className="phase-bar-text">
        <span className="phase-label">
          <span className="phase-caption">{t('phase.caption')}</span>{' '}
          <strong data-testid="phase">{t(`phases.${view.phase}`)}</strong>
        </span>
        {showTurn && (
          <span className="turn" data-testid="turn">
            {t('phase.turn', { index: view.turn.index + 1, total: view.turn.total })}
            {focus && <> · {t('phase.presenter', { name: focus.ownerName })}</>}
          </span>
        )}
      </div>
      <Timer timer={view.timer} />
    </div>
  );
}
