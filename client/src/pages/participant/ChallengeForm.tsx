import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from '../../i18n';
import { LIMITS, type ChallengeView } from '@kollegium/shared';
import { useAction } from '../../lib/useAction';
import { isRecord, str, useDraft, useDraftKey } from '../../lib/drafts';
import { ActionFeedback } from '../../components/ActionFeedback';
import { SubmitButton } from '../../components/SubmitButton';

interface ChallengeDraft {
  title: string;
  question: string;
  context: string;
}

const noDraft = (): ChallengeDraft | null => null;
const reviveDraft = (x: unknown): ChallengeDraft | null =>
  isRecord(x) ? { title: str(x.title, LIMITS.title), question: str(x.question, LIMITS.question), context: str(x.context, LIMITS.context) } : null;

/**
 * Submit or edit one's own challenge (one per participant). Unsaved edits are a draft in local
 * storage (they survive a reload) until the server has accepted them.
 */
export function ChallengeForm({ mine }: { mine: ChallengeView | undefined }) {
  const { t } = useTranslation();
  const id = useId();
  const action = useAction();
  const [draft, setDraft, clearDraft] = useDraft(useDraftKey('challenge'), noDraft, reviveDraft);
  // What the form shows: the draft if there is one, else what was last saved (on mount: what the server has).
  const [base, setBase] = useState<ChallengeDraft>(() => ({ title: mine?.title ?? '', question: mine?.question ?? '', context: mine?.context ?? '' }));
  const { title, question, context } = draft ?? base;
  const change = (field: keyof ChallengeDraft, value: string) => setDraft({ ...(draft ?? base), [field]: value });
  const [saved, setSaved] = useState(false);
  const sent = useRef(base);

  const done = (ok: boolean) => {
    setSaved(ok);
    if (!ok) return;
    setBase(sent.current);
    clearDraft();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    sent.current = { title: title.trim(), question: question.trim(), context: context.trim() };
    done(await action.run('challenge:submit', sent.current));
  };

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{mine ? t('challengeForm.editHeading') : t('challengeForm.heading')}</h2>
      <p className="hint">{t('challengeForm.hint')}</p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={`${id}-title`}>{t('challengeForm.title')}</label>
          <input id={`${id}-title`} value={title} onChange={(e) => change('title', e.target.value)} required maxLength={LIMITS.title} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-question`}>{t('challengeForm.question')}</label>
          <textarea
            id={`${id}-question`}
            value={question}
            onChange={(e) => change('question', e.target.value)}
            required
            rows={2}
            maxLength={LIMITS.question}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-context`}>{t('challengeForm.context')}</label>
          <textarea id={`${id}-context`} value={context} onChange={(e) => change('context', e.target.value)} rows={4} maxLength={LIMITS.context} />
        </div>
        <ActionFeedback action={action} onRetried={done} />
        <div className="row">
          <SubmitButton pending={action.pending}>
            {mine ? t('challengeForm.update') : t('challengeForm.submit')}
          </SubmitButton>
          <span role="status" className="saved">
            {saved ? t('common.saved') : ''}
          </span>
        </div>
      </form>
    </section>
  );
}
