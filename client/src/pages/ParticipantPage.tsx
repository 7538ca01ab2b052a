import { useEffect, useState } from 'react';
import { useTranslation } from '../i18n';
import type { SocketAuth } from '@kollegium/shared';
import { SessionGate } from '../components/SessionGate';
import { loadParticipant, saveParticipant } from '../lib/storage';
import { navigate } from '../lib/router';
import { ParticipantView } from './participant/ParticipantView';

export default function ParticipantPage({ code }: { code: string }) {
  const { t } = useTranslation();
  const [joined] = useState(() => loadParticipant(code));

  useEffect(() => {
    if (!joined) navigate(`/join/${code}`, { replace: true });
  }, [joined, code]);

  const auth: SocketAuth | null = joined ? { role: 'participant', code, token: joined.token } : null;
  const joinAgain = () => {
    saveParticipant(code, null);
    navigate(`/join/${code}`, { replace: true });
  };

  return (
    <SessionGate
      auth={auth}
      variant="narrow"
      missing={null}
      refusedActions={(reason) =>
        reason === 'UNAUTHORIZED' || reason === 'FORBIDDEN' ? (
          <button type="button" className="btn btn-primary" onClick={joinAgain}>
            {t('join.again')}
          </button>
        ) : (
          <p>
            <a href="/">{t('notFound.home')}</a>
          </p>
        )
      }
    >
      <ParticipantView />
    </SessionGate>
  );
}
