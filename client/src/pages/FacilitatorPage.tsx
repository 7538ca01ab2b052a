import { useState } from 'react';
import { useTranslation } from '../i18n';
import type { SocketAuth } from '@kollegium/shared';
import { SessionGate } from '../components/SessionGate';
import { takeKey } from '../lib/storage';
import { FacilitatorConsole } from './facilitator/FacilitatorConsole';

export default function FacilitatorPage({ code }: { code: string }) {
  const { t } = useTranslation();
  // Read once: the key leaves the address bar (the console may be projected) and stays in this tab.
  const [key] = useState(() => takeKey('facilitator', code));
  const auth: SocketAuth | null = key ? { role: 'facilitator', code, key } : null;
  return (
    <SessionGate
      auth={auth}
      variant="wide"
      missing={
        <>
          <h1>{t('facilitator.missingKeyTitle')}</h1>
          <p>{t('facilitator.missingKey')}</p>
        </>
      }
    >
      <FacilitatorConsole />
    </SessionGate>
  );
}
