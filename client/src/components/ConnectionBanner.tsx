import { useTranslation } from '../i18n';
import type { ConnectionStatus } from '../lib/session';

/** Always in the page so screen readers hear the change; visible only while offline. */
export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  const { t } = useTranslation();
  const offline = status === 'offline';
  return (
    <div role="status" className={offline ? 'connection-banner' : 'sr-only'}>
      {offline ? t('connection.offline') : ''}
    </div>
  );
}
