import { useTranslation } from '../../i18n';
import type { ChallengeView, ContributionView } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { downloadSummary } from '../../lib/summary';
import { NextStepsList } from '../../components/NextStepsList';

/** The take-home summary: challenge, next steps, what was useful, all contributions, my notes. */
export function Summary({ challengeIds }: { challengeIds: string[] }) {
  const { t } = useTranslation();
  const { view } = useSession();
  const challenges = challengeIds
    .map((id) => view.challenges.find((c) => c.id === id))
    .filter((c): c is ChallengeView => c !== undefined);

  return (
    <section className="summary" aria-labelledby="summary-heading">
      <div className="summary-head">
        <h2 id="summary-heading">{t('summary.title')}</h2>
        <button type="button" className="btn btn-secondary no-print" onClick={() => window.print()}>
          {t('summary.print')}
        </button>
      </div>
      {challenges.length === 0 && <p className="muted">{t('summary.nothing')}</p>}
      {challenges.map((c) => (
        <SummarySection key={c.id} challenge={c} />
      ))}
    </section>
  );
}

function SummarySection({ challenge }: { challenge: ChallengeView }) {
  const { t } = useTranslation();
  const { view } = useSession();
  const contributions = view.contributions.filter((c) => c.challengeId === challenge.id && !c.hidden);
  const useful = contributions.filter((c) => c.useful);
  const steps = view.nextSteps.filter((s) => s.challengeId === challenge.id);
  const note = view.notes.find((n) => n.challengeId === challenge.id);
  const headingId = `summary-${challenge.id}`;

  return (
    <article className="card summary-section" aria-labelledby={headingId}>
      <h3 id={headingId}>{challenge.title}</h3>
      <p className="muted">{t('challenge.by', { name: challenge.ownerName })}</p>
      <p>
        <span className="label">{t('challenge.question')}</span> {challenge.question}
      </p>
      {challenge.context && (
        <p>
          <span className="label">{t('challenge.context')}</span> {challenge.context}
        </p>
      )}

      <h4>{t('summary.nextSteps')}</h4>
      <NextStepsList steps={steps} />

      <h4>{t('summary.useful')}</h4>
      <SummaryList items={useful} label={t('summary.useful')} />

      <h4>{t('summary.contributions')}</h4>
      <SummaryList items={contributions} label={t('summary.contributions')} />

      {note && (
        <>
          <h4>{t('summary.myNotes')}</h4>
          <p className="note-text">{note.text}</p>
        </>
      )}

      <p className="no-print">
        <button type="button" className="btn btn-primary" onClick={() => downloadSummary(view, challenge.id, t)}>
          {t('summary.download')}
        </button>
      </p>
    </article>
  );
}

function SummaryList({ items, label }: { items: ContributionView[]; label: string }) {
  const { t } = useTranslation();
  if (items.length === 0) return <p className="muted">{t('summary.none')}</p>;
  return (
    <ul className="summary-list" aria-label={label}>
      {[...items]
        .sort((a, b) => a.order - b.order)
        .map((c) => (
          <li key={c.id}>
            <strong>{t(`kinds.${c.kind}`)}:</strong> {c.text}{' '}
            <span className="muted">({c.authorName ?? t('contribution.anonymous')})</span>
          </li>
        ))}
    </ul>
  );
}
