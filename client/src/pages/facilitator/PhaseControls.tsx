import { useId, useState } from 'react';
import { useTranslation } from '../../i18n';
import type { Phase, RoleView } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ActionButton } from '../../components/ActionButton';
import { OrderEditor } from './OrderEditor';
import { currentOrder } from './order';

/** Where `round:next` leads from each phase, for the hint beside the button. */
function nextPhase(view: RoleView): Phase | null {
  const everyone = view.format === 'everyone';
  switch (view.phase) {
    case 'choose':
      return 'confirm';
    case 'present':
      return everyone ? 'reflect' : 'clarify';
    case 'clarify':
      return 'reflect';
    case 'reflect':
      return everyone ? 'nextSteps' : 'respond';
    case 'respond':
      return 'nextSteps';
    case 'nextSteps':
      return everyone && view.turn.index < view.turn.total - 1 ? 'present' : 'evaluate';
    case 'evaluate':
      return 'ended';
    default:
      return null;
  }
}

function canGoBack(view: RoleView): boolean {
  if (['lobby', 'choose', 'ended'].includes(view.phase)) return false;
  if (view.phase === 'present' && view.format === 'everyone') return view.turn.index > 0;
  return true;
}

export function PhaseControls() {
  const { t } = useTranslation();
  const { view } = useSession();
  const hintId = useId();
  const next = useAction();
  const back = useAction();
  const pause = useAction();
  const addOne = useAction();
  const addFive = useAction();
  const reveal = useAction();
  const pickTop = useAction();
  const target = nextPhase(view);
  const timer = view.timer;
  const canReveal = view.settings.hideUntilReveal && view.focusId !== null && !view.revealed;
  const focus = view.challenges.find((c) => c.id === view.focusId);

  return (
    <section className="card controls no-print" aria-labelledby="controls-heading">
      <h2 id="controls-heading">{t('controls.heading')}</h2>

      {view.phase === 'lobby' && <StartControls />}

      {view.phase === 'choose' && (
        <div className="control-row">
          <ActionButton
            action={pickTop}
            variant="primary"
            disabled={view.challenges.length === 0}
            onRun={() => pickTop.run('challenge:pick', {})}
          >
            {t('controls.pickTop')}
          </ActionButton>
          <span className="muted">{t('controls.pickHint')}</span>
        </div>
      )}

      {view.phase === 'confirm' && <p className="phase-hint">{t('controls.waitingConfirm', { name: focus?.ownerName ?? '' })}</p>}

      {view.phase !== 'lobby' && view.phase !== 'ended' && (
        <div className="control-row">
          <ActionButton action={back} disabled={!canGoBack(view)} onRun={() => back.run('round:back', {})}>
            {t('controls.back')}
          </ActionButton>
          {view.phase !== 'confirm' && (
            <ActionButton
              action={next}
              variant="primary"
              disabled={view.phase === 'choose' && view.challenges.length === 0}
              aria-describedby={target ? hintId : undefined}
              onRun={() => next.run('round:next', {})}
            >
              {t('controls.next')}
            </ActionButton>
          )}
          {target && view.phase !== 'confirm' && (
            <span id={hintId} className="muted">
              {t('controls.then', { phase: t(`phases.${target}`) })}
            </span>
          )}
        </div>
      )}

      {timer.status !== 'none' && (
        <div className="control-row" role="group" aria-label={t('controls.clock')}>
          {timer.status === 'paused' ? (
            <ActionButton action={pause} onRun={() => pause.run('round:resume', {})}>
              {t('controls.resume')}
            </ActionButton>
          ) : (
            <ActionButton action={pause} disabled={timer.status !== 'running'} onRun={() => pause.run('round:pause', {})}>
              {t('controls.pause')}
            </ActionButton>
          )}
          <ActionButton action={addOne} onRun={() => addOne.run('round:addTime', { ms: 60_000 })}>
            {t('controls.addOne')}
          </ActionButton>
          <ActionButton action={addFive} onRun={() => addFive.run('round:addTime', { ms: 5 * 60_000 })}>
            {t('controls.addFive')}
          </ActionButton>
        </div>
      )}

      {canReveal && (
        <div className="control-row">
          <ActionButton action={reveal} variant="primary" onRun={() => reveal.run('round:reveal', {})}>
            {t('controls.reveal')}
          </ActionButton>
          <span className="muted">{t('contribution.heldCount', { count: view.heldCount })}</span>
        </div>
      )}
    </section>
  );
}

function StartControls() {
  const { t } = useTranslation();
  const { view } = useSession();
  const start = useAction();
  const [shuffle, setShuffle] = useState(false);
  const [order, setOrder] = useState<string[]>([]);

  if (view.format === 'focus') {
    return (
      <div className="control-row">
        <ActionButton action={start} variant="primary" onRun={() => start.run('round:start', { shuffle: false })}>
          {t('controls.startFocus')}
        </ActionButton>
        <span className="muted">{t('controls.startFocusHint', { count: view.challenges.length })}</span>
      </div>
    );
  }
  return (
    <>
      <label className="choice">
        <input type="checkbox" checked={shuffle} onChange={(e) => setShuffle(e.target.checked)} />
        <span>{t('controls.shuffle')}</span>
      </label>
      {!shuffle && <OrderEditor order={order} onChange={setOrder} />}
      <div className="control-row">
        <ActionButton
          action={start}
          variant="primary"
          disabled={view.challenges.length === 0}
          onRun={() => start.run('round:start', shuffle ? { shuffle: true } : { shuffle: false, order: currentOrder(order, view) })}
        >
          {t('controls.startEveryone')}
        </ActionButton>
        {view.challenges.length === 0 && <span className="muted">{t('controls.needChallenges')}</span>}
      </div>
    </>
  );
}
