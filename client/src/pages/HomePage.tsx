import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from '../i18n';
import { LIMITS, DEFAULT_DURATIONS, EVERYONE_TURN, TIMED_PHASES, type CreateSessionRequest, type Format, type TimedPhase } from '@kollegium/shared';
import { PageShell } from '../components/PageShell';
import { ErrorMessage } from '../components/ErrorMessage';
import { api, errorCodeOf } from '../lib/api';
import { navigate } from '../lib/router';
import { saveLinks } from '../lib/storage';
import type { AnyErrorCode } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { JoinCodeForm } from '../components/JoinCodeForm';
import { SubmitButton } from '../components/SubmitButton';

/** The timed phases a format walks (everyone presents skips choose, clarify and respond). */
function phasesOf(format: Format): readonly TimedPhase[] {
  return format === 'everyone' ? [...EVERYONE_TURN, 'evaluate'] : TIMED_PHASES;
}

function defaultMinutes(format: Format): Record<string, string> {
  return Object.fromEntries(phasesOf(format).map((p) => [p, String(DEFAULT_DURATIONS[format][p] / 60_000)]));
}

export default function HomePage() {
  const { t } = useTranslation();
  useDocumentTitle('');
  return (
    <PageShell variant="wide">
      <h1>{t('home.title')}</h1>
      <p className="lead">{t('home.lead')}</p>
      <div className="home-grid">
        <section aria-labelledby="join-heading" className="card">
          <h2 id="join-heading">{t('home.joinHeading')}</h2>
          <JoinCodeForm />
        </section>
        <CreateSessionForm />
      </div>
    </PageShell>
  );
}

function CreateSessionForm() {
  const { t } = useTranslation();
  const uid = useId();
  const [title, setTitle] = useState('');
  const [format, setFormat] = useState<Format>('focus');
  const [minutes, setMinutes] = useState(() => defaultMinutes('focus'));
  const [totalMinutes, setTotalMinutes] = useState('');
  const [autoAdvance, setAutoAdvance] = useState(false);
  const [hideUntilReveal, setHideUntilReveal] = useState(false);
  const [allowAnonymous, setAllowAnonymous] = useState(true);
  const [dots, setDots] = useState('3');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<AnyErrorCode | null>(null);

  const chooseFormat = (next: Format) => {
    setFormat(next);
    setMinutes(defaultMinutes(next));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (pending) return;
    setError(null);
    const body: CreateSessionRequest = {
      title: title.trim(),
      format,
      minutes: Object.fromEntries(phasesOf(format).map((p) => [p, Number(minutes[p] ?? 0)])),
      totalMinutes: format === 'everyone' && totalMinutes.trim() ? Number(totalMinutes) : null,
      autoAdvance,
      hideUntilReveal,
      allowAnonymous,
      dots: Number(dots),
    };
    setPending(true);
    try {
      const res = await api.createSession(body);
      saveLinks(res.code, res.links);
      navigate(res.links.facilitator);
    } catch (err) {
      setError(errorCodeOf(err));
      setPending(false);
    }
  };

  return (
    <section aria-labelledby="create-heading" className="card">
      <h2 id="create-heading">{t('home.createHeading')}</h2>
      <form onSubmit={(e) => void submit(e)} className="form">
        <div className="field">
          <label htmlFor={`${uid}-title`}>{t('home.sessionTitle')}</label>
          <input
            id={`${uid}-title`}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            required
            maxLength={LIMITS.title}
            autoComplete="off"
          />
        </div>

        <fieldset className="field">
          <legend>{t('home.format')}</legend>
          {(['focus', 'everyone'] as const).map((f) => (
            <label key={f} className="choice">
              <input type="radio" name={`${uid}-format`} value={f} checked={format === f} onChange={() => chooseFormat(f)} />
              <span>
                <strong>{t(`formats.${f}`)}</strong>
                <span className="hint">{t(`formats.${f}Hint`)}</span>
              </span>
            </label>
          ))}
        </fieldset>

        <fieldset className="field">
          <legend>{t('home.minutesPerPhase')}</legend>
          <div className="minutes-grid">
            {phasesOf(format).map((p) => (
              <div key={`${format}-${p}`} className="field-inline">
                <label htmlFor={`${uid}-min-${p}`}>{t(`phases.${p}`)}</label>
                <input
                  id={`${uid}-min-${p}`}
                  type="number"
                  inputMode="decimal"
                  min={0}
                  max={240}
                  step={0.5}
                  required
                  value={minutes[p] ?? ''}
                  onChange={(e) => setMinutes((m) => ({ ...m, [p]: e.target.value }))}
                />
              </div>
            ))}
          </div>
        </fieldset>

        {format === 'everyone' && (
          <div className="field">
            <label htmlFor={`${uid}-total`}>{t('home.totalMinutes')}</label>
            <input
              id={`${uid}-total`}
              type="number"
              inputMode="decimal"
              min={1}
              max={600}
              step={1}
              value={totalMinutes}
              aria-describedby={`${uid}-total-hint`}
              onChange={(e) => setTotalMinutes(e.target.value)}
            />
            <p id={`${uid}-total-hint`} className="hint">
              {t('home.totalMinutesHint')}
            </p>
          </div>
        )}

        <fieldset className="field">
          <legend>{t('home.options')}</legend>
          <label className="choice">
            <input type="checkbox" checked={autoAdvance} onChange={(e) => setAutoAdvance(e.target.checked)} />
            <span>{t('home.autoAdvance')}</span>
          </label>
          <label className="choice">
            <input type="checkbox" checked={hideUntilReveal} onChange={(e) => setHideUntilReveal(e.target.checked)} />
            <span>{t('home.hideUntilReveal')}</span>
          </label>
          <label className="choice">
            <input type="checkbox" checked={allowAnonymous} onChange={(e) => setAllowAnonymous(e.target.checked)} />
            <span>{t('home.allowAnonymous')}</span>
          </label>
        </fieldset>

        {format === 'focus' && (
          <div className="field field-short">
            <label htmlFor={`${uid}-dots`}>{t('home.dots')}</label>
            <input id={`${uid}-dots`} type="number" min={1} max={10} step={1} required value={dots} onChange={(e) => setDots(e.target.value)} />
          </div>
        )}

        <ErrorMessage code={error} />
        <SubmitButton pending={pending}>
          {t('home.create')}
        </SubmitButton>
      </form>
    </section>
  );
}
