import { useId, useState } from 'react';
import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { copyText } from '../../lib/clipboard';
import { loadKey, loadLinks } from '../../lib/storage';
import { LockToggle } from './LockToggle';

/** How people get in: the join code, the participant link and the board link, each with a copy button. */
export function SharePanel() {
  const { t } = useTranslation();
  const { view } = useSession();
  const origin = location.origin;
  const participantUrl = `${origin}/join/${view.code}`;
  const links = loadLinks(view.code);
  const boardUrl = links ? new URL(links.board, origin).href : null;
  const facilitatorKey = loadKey('facilitator', view.code);
  const facilitatorUrl = facilitatorKey ? `${origin}/facilitate/${view.code}#key=${encodeURIComponent(facilitatorKey)}` : null;

  return (
    <section className="card share no-print" aria-labelledby="share-heading">
      <h2 id="share-heading">{t('share.heading')}</h2>
      <p className="share-code">
        <span className="label">{t('share.code')}</span> <span className="code code-large">{view.code}</span>
      </p>
      <LinkField label={t('share.participantLink')} url={participantUrl} />
      {boardUrl ? (
        <div className="row share-actions">
          <CopyButton text={boardUrl} label={t('share.copyBoard')} />
          <a className="btn btn-secondary" href={boardUrl} target="_blank" rel="noopener">
            {t('share.openBoard')}
          </a>
        </div>
      ) : (
        <p className="hint">{t('share.boardUnknown')}</p>
      )}
      {facilitatorUrl && (
        <div className="row share-actions">
          <CopyButton text={facilitatorUrl} label={t('share.copyFacilitator')} />
        </div>
      )}
      <p className="hint">{t('share.secretHint')}</p>
      <LockToggle />
    </section>
  );
}

function LinkField({ label, url }: { label: string; url: string }) {
  const id = useId();
  const { t } = useTranslation();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} readOnly value={url} className="link-input" onFocus={(e) => e.target.select()} />
        <CopyButton text={url} label={t('share.copy')} describedBy={id} />
      </div>
    </div>
  );
}

function CopyButton({ text, label, describedBy }: { text: string; label: string; describedBy?: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <>
      <button
        type="button"
        className="btn btn-secondary"
        aria-describedby={describedBy}
        onClick={() => {
          void copyText(text).then((ok) => {
            setState(ok ? 'copied' : 'failed');
            window.setTimeout(() => setState('idle'), 2500);
          });
        }}
      >
        {label}
      </button>
      <span role="status" className="saved">
        {state === 'copied' ? t('share.copied') : state === 'failed' ? t('share.copyFailed') : ''}
      </span>
    </>
  );
}
