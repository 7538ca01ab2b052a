import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMITS, type NextStep } from '@kollegium/shared';
import { useAction } from '../../lib/useAction';
import { ErrorMessage } from '../../components/ErrorMessage';

/** The owner's concrete commitments: add and remove while in respond or next steps. */
export function NextStepsEditor({ steps }: { steps: NextStep[] }) {
  const { t } = useTranslation();
  const id = useId();
  const add = useAction();
  const [text, setText] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    if (await add.run('nextStep:add', { text: text.trim() })) setText('');
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
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={`${id}-text`}>{t('nextSteps.newLabel')}</label>
          <input id={`${id}-text`} value={text} onChange={(e) => setText(e.target.value)} required maxLength={LIMITS.nextStep} />
        </div>
        <ErrorMessage code={add.error} />
        <button type="submit" className={`btn btn-primary${add.pending ? ' is-pending' : ''}`} aria-disabled={add.pending || undefined} aria-busy={add.pending || undefined}>
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
      <ErrorMessage code={remove.error} />
    </li>
  );
}
