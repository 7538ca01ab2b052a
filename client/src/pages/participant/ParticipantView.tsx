import { useState } from 'react';
import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PhaseBar } from '../../components/PhaseBar';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { Summary } from './Summary';
import { LobbyPanel } from './LobbyPanel';
import { ChoosePanel } from './ChoosePanel';
import { ConfirmPanel } from './ConfirmPanel';
import { EvaluationForm } from './EvaluationForm';
import { ownChallengeDiscussed } from './discussed';
import { DiscussionPanel, showsNextStepEditor } from './DiscussionPanel';
import { OutboxProvider } from '../../lib/useOutbox';
import { PendingList, usePendingEntries } from '../../components/PendingList';
import type { OutboxCommand } from '../../lib/outbox';

const DISCUSSION: readonly string[] = ['present', 'clarify', 'reflect', 'respond', 'nextSteps'];

/**
 * The phone-first participant page: what to do now, for the phase the round is in. Everything
 * this person writes goes through one outbox (kept in local storage until the server confirms).
 */
export function ParticipantView() {
  return (
    <OutboxProvider>
      <ParticipantContent />
    </OutboxProvider>
  );
}

function ParticipantContent() {
  const { t } = useTranslation();
  const { view } = useSession();
  const [showSummary, setShowSummary] = useState(false);
  useDocumentTitle(view.title);

  const mine = view.challenges.find((c) => c.ownerId === view.me.participantId);
  const canSummarize = view.phase !== 'ended' && mine !== undefined && (view.me.isOwner || ownChallengeDiscussed(view, mine.id));

  return (
    <>
      <div className="session-head">
        <h1>{view.title}</h1>
        {view.me.name && <p className="muted whoami no-print">{t('participant.signedInAs', { name: view.me.name })}</p>}
      </div>
      <PhaseBar view={view} className="sticky" />
      <LiveAnnouncer view={view} />
      {canSummarize && (
        <p className="no-print">
          <button type="button" className="btn btn-quiet" aria-expanded={showSummary} onClick={() => setShowSummary((s) => !s)}>
            {showSummary ? t('summary.backToRound') : t('summary.open')}
          </button>
        </p>
      )}
      {showSummary && canSummarize && mine ? <Summary challengeIds={[mine.id]} /> : <PhasePanel />}
      <Unsent summary={showSummary && canSummarize} />
    </>
  );
}

function PhasePanel() {
  const { view } = useSession();
  switch (view.phase) {
    case 'lobby':
      return <LobbyPanel />;
    case 'choose':
      return <ChoosePanel />;
    case 'confirm':
      return <ConfirmPanel />;
    case 'present':
    case 'clarify':
    case 'reflect':
    case 'respond':
    case 'nextSteps':
      return <DiscussionPanel />;
    case 'evaluate':
      return <EvaluationForm />;
    case 'ended':
      return <EndedPanel />;
  }
}

function EndedPanel() {
  const { view } = useSession();
  const ids = discussedIds(view);
  return (
    <>
      {view.evaluation.mine === null && <EvaluationForm />}
      <Summary challengeIds={ids} />
    </>
  );
}

/** The challenges worked on in this round, the viewer's own first. */
function discussedIds(view: ReturnType<typeof useSession>['view']): string[] {
  const ids = view.format === 'everyone' ? [...view.order] : view.focusId ? [view.focusId] : [];
  const mine = view.challenges.find((c) => c.ownerId === view.me.participantId)?.id;
  return mine && ids.includes(mine) ? [mine, ...ids.filter((id) => id !== mine)] : ids;
}

/**
 * Outbox entries whose own place is not on screen (the round moved on, or the summary is open):
 * still pending or not posted, they must stay visible until confirmed or dismissed.
 */
function Unsent({ summary }: { summary: boolean }) {
  const { t } = useTranslation();
  const { view } = useSession();
  const discussion = !summary && DISCUSSION.includes(view.phase);
  const names: OutboxCommand[] = [];
  if (!discussion) names.push('contribution:add');
  if (!discussion || !showsNextStepEditor(view.me.isOwner, view.phase)) names.push('nextStep:add');
  const entries = usePendingEntries(names);
  if (entries.length === 0) return null;
  return (
    <section className="card no-print" aria-labelledby="unsent-heading">
      <h2 id="unsent-heading">{t('outbox.heading')}</h2>
      <PendingList names={names} />
    </section>
  );
}
