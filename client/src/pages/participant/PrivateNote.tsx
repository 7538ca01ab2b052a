import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from '../../i18n';
import { LIMITS } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ActionFeedback } from '../../components/ActionFeedback';
import { useDraft, useDraftKey } from '../../lib/drafts';
import { SubmitButton } from '../../components/SubmitButton';

const noDraft = (): string | null => null;
const reviveNote = (x: unknown) => (typeof x === 'string' ? x.slice(0, LIMITS.note) : null);

/** A take-home note that only its author ever receives. */
export function PrivateNote({ challengeId }: { challengeId: string }) {
  const { t } = useTranslation();
  const { view } = useSession();
  const id = useId();
  const action = useAction();
  const stored = view.notes.find((n) => n.challengeId === challengeId)?.text ?? '';
  // A local draft (kept in local storage until saved): pushed views must not overwrite what is being typed.
  const [draft, setDraft, clearDraft] = useDraft(useDraftKey(`note.${challengeId}`), noDraft, reviveNote);
  const [saved, setSaved] = useState(false);
  const text = draft ?? stored;

  const done = (ok: boolean) => {
    if (!ok) return;
    clearDraft();
    setSaved(true);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    done(await action.run('note:set', { challengeId, text: text.trim() }));
  };

  return (
    <section className="card private-note" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('note.heading')}</h2>
      <p id={`${id}-hint`} className="hint">
        {t('note.privacy')}
      </p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={`${id}-text`}>{t('note.label')}</label>
          <textarea
            id={`${id}-text`}
            value={text}
            rows={3}
            maxLength={LIMITS.note}
            aria-describedby={`${id}-hint`}
            onChange={(e) => {
              setDraft(e.target.value);
              setSaved(false);
            }}
          />
        </div>
        <ActionFeedback action={action} onRetried={done} />
        <div className="row">
          <SubmitButton pending={action.pending} variant="secondary">
            {t('note.save')}
          </SubmitButton>
          <span role="status" className="saved">
            {saved ? t('common.saved') : ''}
          </span>
        </div>
      </form>
    </section>
  );
}
