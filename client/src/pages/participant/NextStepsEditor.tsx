import { useId, type FormEvent } from 'react';
import { useTranslation } from '../../i18n';
import { LIMITS, type NextStep } from '@kollegium/shared';
import { useAction } from '../../lib/useAction';
import { useSession } from '../../lib/session';
import { useOutbox } from '../../lib/useOutbox';
import { str, useDraft, useDraftKey } from '../../lib/drafts';
import { ActionFeedback } from '../../components/ActionFeedback';
import { PendingList } from '../../components/PendingList';

const NEXT_STEP: readonly ['nextStep:add'] = ['nextStep:add'];
const empty = () => '';
const revive = (x: unknown) => str(x, LIMITS.nextStep) || null;

/**
 * The owner's concrete commitments: add and remove while in respond or next steps. The input is
 * a draft in local storage; an added step goes through the outbox (pending until confirmed).
 */
export function NextStepsEditor({ steps }: { steps: NextStep[] }) {
  const { t } = useTranslation();
  const { view } = useSession();
  const outbox = useOutbox();
  const id = useId();
  const [text, setText, clearText] = useDraft(useDraftKey(`nextStep.${view.focusId ?? ''}`), empty, revive);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    outbox.add('nextStep:add', { text: text.trim() });
    clearText();
  };

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('nextSteps.myHeading')}</h2>
      {steps.length === 0 ? (
        <p className="muted">{t('nextSteps.none')}</p>
      ) : (
        <ol className="next-steps" aria-label={t('nextSteps.listLabel')}>
          {steps.map((s) => (
            <NextStepItem key={s.id} step={s} />
          ))}
        </ol>
      )}
      <PendingList names={NEXT_STEP} />
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-text`}>{t('nextSteps.newLabel')}</label>
          <input id={`${id}-text`} value={text} onChange={(e) => setText(e.target.value)} required maxLength={LIMITS.nextStep} />
        </div>
        <button type="submit" className="btn btn-primary">
          {t('nextSteps.add')}
        </button>
      </form>
    </section>
  );
}

function NextStepItem({ step }: { step: NextStep }) {
  const { t } = useTranslation();
  const remove = useAction();
  return (
    <li className="next-step-item">
      <span>{step.text}</span>
      <button
        type="button"
        className={`btn btn-small btn-quiet${remove.pending ? ' is-pending' : ''}`}
        aria-disabled={remove.pending || undefined}
        aria-busy={remove.pending || undefined}
        aria-label={t('nextSteps.removeLabel', { text: step.text })}
        onClick={() => void remove.run('nextStep:remove', { nextStepId: step.id })}
      >
        {t('nextSteps.remove')}
      </button>
      <ActionFeedback action={remove} />
    </li>
  );
}
