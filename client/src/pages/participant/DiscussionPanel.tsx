import { useTranslation } from '../../i18n';
import type { Phase } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { FocusChallenge } from '../../components/FocusChallenge';
import { ContributionList } from '../../components/ContributionList';
import { HeldNotice } from '../../components/HeldNotice';
import { NextStepsList } from '../../components/NextStepsList';
import { Composer } from './Composer';
import { UsefulToggle } from './UsefulToggle';
import { NextStepsEditor } from './NextStepsEditor';
import { PrivateNote } from './PrivateNote';
import { PendingList } from '../../components/PendingList';

type DiscussionPhase = 'present' | 'clarify' | 'reflect' | 'respond' | 'nextSteps';

const CONTRIBUTE: readonly Phase[] = ['present', 'clarify', 'reflect'];
const MARK_USEFUL: readonly Phase[] = ['reflect', 'respond', 'nextSteps'];
const NEXT_STEPS: readonly Phase[] = ['respond', 'nextSteps'];
const CONTRIBUTION: readonly ['contribution:add'] = ['contribution:add'];

/** Whether the owner's next-step editor (and with it the pending next steps) is on screen. */
export const showsNextStepEditor = (isOwner: boolean, phase: Phase) => isOwner && NEXT_STEPS.includes(phase);

/** Present → next steps: the challenge in focus, the live contributions, and what this person can do now. */
export function DiscussionPanel() {
  const { t } = useTranslation();
  const { view } = useSession();
  const focus = view.challenges.find((c) => c.id === view.focusId);
  const owner = view.me.isOwner;
  const contributions = view.contributions.filter((c) => c.challengeId === view.focusId);
  const steps = view.nextSteps.filter((s) => s.challengeId === view.focusId);
  const role = owner ? 'owner' : 'other';

  return (
    <>
      {focus && <FocusChallenge challenge={focus} />}
      <p className="phase-hint">{t(`hints.${role}.${view.phase as DiscussionPhase}`)}</p>

      {showsNextStepEditor(owner, view.phase) && <NextStepsEditor steps={steps} />}
      {!owner && CONTRIBUTE.includes(view.phase) && <Composer />}
      {!owner && NEXT_STEPS.includes(view.phase) && (
        <section className="card" aria-labelledby="steps-heading">
          <h2 id="steps-heading">{t('nextSteps.heading', { name: focus?.ownerName ?? '' })}</h2>
          <NextStepsList steps={steps} />
        </section>
      )}

      <section className="card" aria-labelledby="contributions-heading">
        <h2 id="contributions-heading">{t('contribution.heading')}</h2>
        <HeldNotice count={view.heldCount} />
        {/* Own contributions not confirmed yet, just above the newest-first list they will join. */}
        <PendingList names={CONTRIBUTION} newestFirst />
        <ContributionList
          contributions={contributions}
          renderControls={owner && MARK_USEFUL.includes(view.phase) ? (c) => <UsefulToggle contribution={c} /> : undefined}
        />
      </section>

      {focus && <PrivateNote key={focus.id} challengeId={focus.id} />}
    </>
  );
}
