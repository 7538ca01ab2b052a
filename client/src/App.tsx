import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from './i18n';
import { matchRoute, usePathname } from './lib/router';
import { PageShell } from './components/PageShell';

// One chunk per role: a participant's phone never downloads the console or the board.
const HomePage = lazy(() => import('./pages/HomePage'));
const JoinPage = lazy(() => import('./pages/JoinPage'));
const ParticipantPage = lazy(() => import('./pages/ParticipantPage'));
const FacilitatorPage = lazy(() => import('./pages/FacilitatorPage'));
const BoardPage = lazy(() => import('./pages/BoardPage'));

export function App() {
  const pathname = usePathname();
  const route = matchRoute(pathname);
  return (
    <Suspense fallback={<Loading />}>
      {route.page === 'home' && <HomePage />}
      {route.page === 'join' && <JoinPage key={route.code ?? ''} code={route.code} />}
      {route.page === 'participant' && <ParticipantPage key={route.code} code={route.code} />}
      {route.page === 'facilitator' && <FacilitatorPage key={route.code} code={route.code} />}
      {route.page === 'board' && <BoardPage key={route.code} code={route.code} />}
      {route.page === 'notFound' && <NotFound />}
    </Suspense>
  );
}

function Loading() {
  const { t } = useTranslation();
  return <p className="page-loading">{t('common.loading')}</p>;
}

function NotFound() {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t('notFound.title')} · Kollegium`;
  }, [t]);
  return (
    <PageShell>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <p>
        <a href="/">{t('notFound.home')}</a>
      </p>
    </PageShell>
  );
}
