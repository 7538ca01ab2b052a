import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from '../i18n';
import { JOIN_CODE_PATTERN, normalizeJoinCode } from '@kollegium/shared';
import { navigate } from '../lib/router';
import { ErrorMessage } from './ErrorMessage';

/** "Join with a code": forgiving about case, spaces and dashes, strict about the alphabet. */
export function JoinCodeForm({ initial = '' }: { initial?: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [value, setValue] = useState(initial);
  const [invalid, setInvalid] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const code = normalizeJoinCode(value);
    if (!JOIN_CODE_PATTERN.test(code)) {
      setInvalid(true);
      return;
    }
    navigate(`/join/${code}`);
  };

  return (
    <form onSubmit={submit} className="form join-code-form">
      <div className="field">
        <label htmlFor={id}>{t('join.codeLabel')}</label>
        <input
          id={id}
          className="code-input"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setInvalid(false);
          }}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={12}
          required
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? `${id}-error` : undefined}
        />
      </div>
      <ErrorMessage code={invalid ? 'INVALID_CODE' : null} id={`${id}-error`} />
      <button type="submit" className="btn btn-primary">
        {t('join.join')}
      </button>
    </form>
  );
}
