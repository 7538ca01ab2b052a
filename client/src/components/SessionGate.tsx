import type { ReactNode } from 'react';
import { useTranslation } from '../i18n';
import type { SocketAuth } from '@kollegium/shared';
import { SessionContext, useSessionConnection } from '../lib/session';
import type { AnyErrorCode } from '../lib/errors';
import { ConnectionBanner } from './ConnectionBanner';
import { PageShell } from './PageShell';

interface Props {
  auth: SocketAuth | null;
  variant: 'narrow' | 'wide' | 'board';
  /** What to show when there is no key or token to connect with. */
  missing: ReactNode;
  /** Extra help when the server refused us (e.g. a "join again" link). */
  refusedActions?: (code: AnyErrorCode) => ReactNode;
  nav?: ReactNode;
  children: ReactNode;
}

/** Connects, then renders the role's page once the first view has arrived. */
export function SessionGate({ auth, variant, missing, refusedActions, nav, children }: Props) {
  const { t } = useTranslation();
  const { view, seq, socket, status, errorCode, synced } = useSessionConnection(auth);
  const banner = <ConnectionBanner status={status} />;

  if (!auth) {
    return (
      <PageShell variant={variant === 'board' ? 'wide' : variant} nav={nav}>
        {missing}
      </PageShell>
    );
  }
  if (status === 'refused' || status === 'closed') {
    const code = errorCode ?? 'INTERNAL';
    return (
      <PageShell variant={variant === 'board' ? 'wide' : variant} nav={nav}>
        <h1>{status === 'closed' ? t('gate.closedTitle') : t('gate.refusedTitle')}</h1>
        <p className="error" role="alert">
          {t(`errors.${code}`)}
        </p>
        {refusedActions?.(code)}
      </PageShell>
    );
  }
  if (!view || !socket) {
    return (
      <PageShell variant={variant === 'board' ? 'wide' : variant} banner={banner} nav={nav}>
        <h1 className="loading">{t('gate.connecting')}</h1>
      </PageShell>
    );
  }
  return (
    <SessionContext.Provider value={{ view, seq, socket, status, synced }}>
      <PageShell variant={variant} banner={banner} nav={nav}>
        {children}
      </PageShell>
    </SessionContext.Provider>
  );
}
