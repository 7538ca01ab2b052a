import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from '../../i18n';
import { LIMITS } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ActionFeedback } from '../../components/ActionFeedback';
import { SubmitButton } from '../../components/SubmitButton';

const SCALE = [1, 2, 3, 4, 5] as const;

/** Two 1–5 ratings and a comment: the data behind "measure the value the network creates". */
export function EvaluationForm() {
  const { t } = useTranslation();
  const { view } = useSession();
  const id = useId();
  const action = useAction();
  const mine = view.evaluation.mine;
  const [usefulness, setUsefulness] = useState<number | null>(mine?.usefulness ?? null);
  const [process, setProcess] = useState<number | null>(mine?.process ?? null);
  const [comment, setComment] = useState(mine?.comment ?? '');
  const [missing, setMissing] = useState(false);
  const [sent, setSent] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (usefulness === null || process === null) {
      setMissing(true);
      return;
    }
    setSent(await action.run('evaluation:submit', { usefulness, process, comment: comment.trim() }));
  };

  const scale = (name: 'usefulness' | 'process', value: number | null, set: (v: number) => void) => (
    <fieldset className="rating">
      <legend>{t(`evaluation.${name}`)}</legend>
      <p className="hint">{t('evaluation.scaleHint')}</p>
      <div className="rating-options">
        {SCALE.map((n) => (
          <label key={n} className="rating-option">
            <input
              type="radio"
              name={`${id}-${name}`}
              value={n}
              checked={value === n}
              onChange={() => {
                set(n);
                setMissing(false);
              }}
            />
            <span>{n}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );

  return (
    <section className="card no-print" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('evaluation.heading')}</h2>
      {(mine || sent) && (
        <p role="status" className="callout-ok">
          {t('evaluation.thanks')}
        </p>
      )}
      <form className="form" onSubmit={(e) => void submit(e)}>
        {scale('usefulness', usefulness, setUsefulness)}
        {scale('process', process, setProcess)}
        <div className="field">
          <label htmlFor={`${id}-comment`}>{t('evaluation.comment')}</label>
          <textarea id={`${id}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} rows={3} maxLength={LIMITS.comment} />
        </div>
        {missing && (
          <p className="error" role="alert">
            {t('evaluation.missing')}
          </p>
        )}
        <ActionFeedback action={action} onRetried={setSent} />
        <SubmitButton pending={action.pending}>
          {mine ? t('evaluation.update') : t('evaluation.submit')}
        </SubmitButton>
      </form>
    </section>
  );
}
