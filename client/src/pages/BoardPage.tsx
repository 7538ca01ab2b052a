import { useState } from 'react';
import { useTranslation } from '../i18n';
import type { SocketAuth } from '@kollegium/shared';
import { SessionGate } from '../components/SessionGate';
import { takeKey } from '../lib/storage';
import { Board } from './board/Board';

export default function BoardPage({ code }: { code: string }) {
  const { t } = useTranslation();
  const [key] = useState(() => takeKey('board', code));
  const auth: SocketAuth | null = key ? { role: 'board', code, key } : null;
  return (
    <SessionGate
      auth={auth}
      variant="board"
      missing={
        <>
          <h1>{t('board.missingKeyTitle')}</h1>
          <p>{t('board.missingKey')}</p>
        </>
      }
    >
      <Board />
    </SessionGate>
  );
}
