import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMITS, CONTRIBUTION_KINDS, type ContributionKind } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ErrorMessage } from '../../components/ErrorMessage';

/** Post a question, reflection or suggestion on the challenge in focus. */
export function Composer() {
  const { t } = useTranslation();
  const { view } = useSession();
  const id = useId();
  const action = useAction();
  // Follows the phase (questions first, then reflections) until the person picks a kind themselves.
  const [chosenKind, setKind] = useState<ContributionKind | null>(null);
  const kind = chosenKind ?? (view.phase === 'reflect' ? 'reflection' : 'question');
  const [text, setText] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const held = view.settings.hideUntilReveal && view.phase === 'reflect' && !view.revealed;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    const ok = await action.run('contribution:add', {
      kind,
      text: text.trim(),
      anonymous: view.settings.allowAnonymous && anonymous,
    });
    if (ok) setText('');
  };

  return (
    <section className="card composer no-print" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('composer.heading')}</h2>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <fieldset className="kind-picker">
          <legend>{t('composer.kind')}</legend>
          {CONTRIBUTION_KINDS.map((k) => (
            <label key={k} className={`kind-option kind-option-${k}`}>
              <input type="radio" name={`${id}-kind`} value={k} checked={kind === k} onChange={() => setKind(k)} />
              <span>{t(`kinds.${k}`)}</span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-text`}>{t('composer.text')}</label>
          <textarea
            id={`${id}-text`}
            value={text}
            onChange={(e) => setText(e.target.value)}
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
            <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} />
            <span>{t('composer.anonymous')}</span>
          </label>
        )}
        <ErrorMessage code={action.error} />
        <button
          type="submit"
          className={`btn btn-primary${action.pending ? ' is-pending' : ''}`}
          aria-disabled={action.pending || undefined}
          aria-busy={action.pending || undefined}
        >
          {t('composer.post')}
        </button>
      </form>
    </section>
  );
}
