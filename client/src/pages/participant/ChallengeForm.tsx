import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMITS, type ChallengeView } from '@kollegium/shared';
import { useAction } from '../../lib/useAction';
import { ErrorMessage } from '../../components/ErrorMessage';

/** Submit or edit one's own challenge (one per participant). */
export function ChallengeForm({ mine }: { mine: ChallengeView | undefined }) {
  const { t } = useTranslation();
  const id = useId();
  const action = useAction();
  const [title, setTitle] = useState(mine?.title ?? '');
  const [question, setQuestion] = useState(mine?.question ?? '');
  const [context, setContext] = useState(mine?.context ?? '');
  const [saved, setSaved] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const ok = await action.run('challenge:submit', { title: title.trim(), question: question.trim(), context: context.trim() });
    setSaved(ok);
  };

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{mine ? t('challengeForm.editHeading') : t('challengeForm.heading')}</h2>
      <p className="hint">{t('challengeForm.hint')}</p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={`${id}-title`}>{t('challengeForm.title')}</label>
          <input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={LIMITS.title} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-question`}>{t('challengeForm.question')}</label>
          <textarea
            id={`${id}-question`}
            value={question}
            onChange={(e) => setQuestion(e.target.value)}
            required
            rows={2}
            maxLength={LIMITS.question}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-context`}>{t('challengeForm.context')}</label>
          <textarea id={`${id}-context`} value={context} onChange={(e) => setContext(e.target.value)} rows={4} maxLength={LIMITS.context} />
        </div>
        <ErrorMessage code={action.error} />
        <div className="row">
          <button
            type="submit"
            className={`btn btn-primary${action.pending ? ' is-pending' : ''}`}
            aria-disabled={action.pending || undefined}
            aria-busy={action.pending || undefined}
          >
            {mine ? t('challengeForm.update') : t('challengeForm.submit')}
          </button>
          <span role="status" className="saved">
            {saved ? t('common.saved') : ''}
          </span>
        </div>
      </form>
    </section>
  );
}
