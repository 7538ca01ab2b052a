import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PhaseBar } from '../../components/PhaseBar';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { FocusChallenge } from '../../components/FocusChallenge';
import { NextStepsList } from '../../components/NextStepsList';
import { PhaseControls } from './PhaseControls';
import { ModerationPanel } from './ModerationPanel';
import { ParticipantsPanel } from './ParticipantsPanel';
import { ChallengesPanel } from './ChallengesPanel';
import { SharePanel } from './SharePanel';
import { EvaluationResults } from './EvaluationResults';

/**
 * The facilitator's console. It may be on the projector, so it shows what the room may see:
 * no secret links in plain text, no private notes (the server never sends them anyway).
 */
export function FacilitatorConsole() {
  const { t } = useTranslation();
  const { view } = useSession();
  useDocumentTitle(view.title);
  const focus = view.challenges.find((c) => c.id === view.focusId);
  const discussing = ['confirm', 'present', 'clarify', 'reflect', 'respond', 'nextSteps'].includes(view.phase);
  const steps = view.nextSteps.filter((s) => s.challengeId === view.focusId);

  return (
    <>
      <div className="session-head">
        <h1>{view.title}</h1>
        <p className="muted">{t('facilitator.subtitle', { format: t(`formats.${view.format}`) })}</p>
      </div>
      <LiveAnnouncer view={view} />
      <div className="console">
        <div className="console-main">
          <PhaseBar view={view} />
          <PhaseControls />
          {focus && discussing && <FocusChallenge challenge={focus} showContext={false} />}
          {discussing && view.phase !== 'confirm' && <ModerationPanel />}
          {(view.phase === 'respond' || view.phase === 'nextSteps') && (
            <section className="card" aria-labelledby="console-steps">
              <h2 id="console-steps">{t('nextSteps.heading', { name: focus?.ownerName ?? '' })}</h2>
              <NextStepsList steps={steps} />
            </section>
          )}
          {(view.phase === 'evaluate' || view.phase === 'ended' || view.evaluation.count > 0) && <EvaluationResults />}
        </div>
        <div className="console-side">
          <SharePanel />
          <ParticipantsPanel />
          <ChallengesPanel />
        </div>
      </div>
    </>
  );
}
