import { useId, type FormEvent } from 'react';
import { useTranslation } from '../../i18n';
import { LIMITS, CONTRIBUTION_KINDS, type ContributionKind } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { useOutbox } from '../../lib/useOutbox';
import { isRecord, str, useDraft, useDraftKey } from '../../lib/drafts';

interface ComposerDraft {
  text: string;
  /** Null: follow the phase. */
  kind: ContributionKind | null;
  anonymous: boolean;
}

const emptyDraft = (): ComposerDraft => ({ text: '', kind: null, anonymous: false });
const reviveDraft = (x: unknown): ComposerDraft | null =>
  isRecord(x)
    ? {
        text: str(x.text, LIMITS.contribution),
        kind: CONTRIBUTION_KINDS.includes(x.kind as ContributionKind) ? (x.kind as ContributionKind) : null,
        anonymous: x.anonymous === true,
      }
    : null;

/**
 * Post a question, reflection or suggestion on the challenge in focus. What is being typed is a
 * draft in local storage; a posted contribution goes to the outbox (kept until the server has
 * confirmed it, and shown as pending with the contributions), so the box is free at once.
 */
export function Composer() {
  const { t } = useTranslation();
  const { view } = useSession();
  const outbox = useOutbox();
  const id = useId();
  const [draft, setDraft] = useDraft(useDraftKey('composer'), emptyDraft, reviveDraft);
  // Follows the phase (questions first, then reflections) until the person picks a kind themselves.
  const kind = draft.kind ?? (view.phase === 'reflect' ? 'reflection' : 'question');
  const { text, anonymous } = draft;
  const held = view.settings.hideUntilReveal && view.phase === 'reflect' && !view.revealed;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    outbox.add('contribution:add', {
      kind,
      text: text.trim(),
      anonymous: view.settings.allowAnonymous && anonymous,
    });
    setDraft({ ...draft, text: '' });
  };

  return (
    <section className="card composer no-print" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('composer.heading')}</h2>
      <form className="form" onSubmit={submit}>
        <fieldset className="kind-picker">
          <legend>{t('composer.kind')}</legend>
          {CONTRIBUTION_KINDS.map((k) => (
            <label key={k} className={`kind-option kind-option-${k}`}>
              <input type="radio" name={`${id}-kind`} value={k} checked={kind === k} onChange={() => setDraft({ ...draft, kind: k })} />
              <span>{t(`kinds.${k}`)}</span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-text`}>{t('composer.text')}</label>
          <textarea
            id={`${id}-text`}
            value={text}
            onChange={(e) => setDraft({ ...draft, text: e.target.value })}
            rows={3}
            required
            maxLength={LIMITS.contribution}
            aria-describedby={held ? `${id}-held` : undefined}
          />
        </div>
        {held && (
          <p id={`${id}-held`} className="hint">
            {t('composer.heldHint')}
          </p>
        )}
        {view.settings.allowAnonymous && (
          <label className="choice">
            <input type="checkbox" checked={anonymous} onChange={(e) => setDraft({ ...draft, anonymous: e.target.checked })} />
            <span>{t('composer.anonymous')}</span>
          </label>
        )}
        <button type="submit" className="btn btn-primary">
          {t('composer.post')}
        </button>
      </form>
    </section>
  );
}
