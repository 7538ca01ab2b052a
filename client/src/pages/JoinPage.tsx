import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from '../i18n';
import { LIMITS, JOIN_CODE_PATTERN, normalizeJoinCode, type SessionInfo } from '@kollegium/shared';
import { PageShell } from '../components/PageShell';
import { ErrorMessage } from '../components/ErrorMessage';
import { JoinCodeForm } from '../components/JoinCodeForm';
import { api, errorCodeOf } from '../lib/api';
import { navigate } from '../lib/router';
import { loadParticipant, saveParticipant } from '../lib/storage';
import type { AnyErrorCode } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { SubmitButton } from '../components/SubmitButton';

export default function JoinPage({ code: raw }: { code: string | null }) {
  const { t } = useTranslation();
  const code = raw === null ? null : normalizeJoinCode(raw);
  const valid = code !== null && JOIN_CODE_PATTERN.test(code);
  const rejoin = valid && loadParticipant(code) !== null;

  useEffect(() => {
    if (!raw || !valid) return;
    // Someone who joined before (same browser) goes straight back in as themselves.
    if (rejoin) navigate(`/s/${code}`, { replace: true });
    else if (code !== raw) navigate(`/join/${code}`, { replace: true });
  }, [raw, code, valid, rejoin]);

  if (rejoin) return null;
  if (!valid) {
    return (
      <PageShell>
        <Title text={t('join.title')} />
        {raw !== null && <ErrorMessage code="INVALID_CODE" />}
        <JoinCodeForm initial={raw ?? ''} />
      </PageShell>
    );
  }
  return <JoinSession code={code} />;
}

function Title({ text }: { text: string }) {
  useDocumentTitle(text);
  return <h1>{text}</h1>;
}

function JoinSession({ code }: { code: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [infoError, setInfoError] = useState<AnyErrorCode | null>(null);
  const [name, setName] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<AnyErrorCode | null>(null);

  useEffect(() => {
    let live = true;
    api.sessionInfo(code).then(
      (i) => live && setInfo(i),
      (err: unknown) => live && setInfoError(errorCodeOf(err)),
    );
    return () => {
      live = false;
    };
  }, [code]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (pending || !name.trim()) return;
    setPending(true);
    setError(null);
    try {
      const joined = await api.join(code, { name: name.trim() });
      saveParticipant(code, joined);
      navigate(`/s/${code}`, { replace: true });
    } catch (err) {
      setError(errorCodeOf(err));
      setPending(false);
    }
  };

  if (infoError === 'NOT_FOUND') {
    return (
      <PageShell>
        <Title text={t('join.title')} />
        <p className="error" role="alert">
          {t('join.notFound')}
        </p>
        <JoinCodeForm />
      </PageShell>
    );
  }

  return (
    <PageShell>
      <Title text={info ? t('join.titleWith', { title: info.title }) : t('join.title')} />
      <p className="muted">
        {t('join.code')} <span className="code">{code}</span>
        {info && <> · {t(`formats.${info.format}`)}</>}
      </p>
      <ErrorMessage code={infoError} />
      <form onSubmit={(e) => void submit(e)} className="form card">
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('join.nameLabel')}</label>
          <input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={LIMITS.name}
            autoComplete="given-name"
            aria-describedby={`${id}-hint`}
          />
          <p id={`${id}-hint`} className="hint">
            {t('join.nameHint')}
          </p>
        </div>
        <ErrorMessage code={error} />
        <SubmitButton pending={pending}>
          {t('join.join')}
        </SubmitButton>
      </form>
    </PageShell>
  );
}
