import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';

export function EvaluationResults() {
  const { t, language } = useTranslation();
  const { view } = useSession();
  const e = view.evaluation;
  const fmt = (v: number | null) => (v === null ? '–' : v.toLocaleString(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  return (
    <section className="card" aria-labelledby="evaluation-results-heading">
      <h2 id="evaluation-results-heading">{t('evaluation.resultsHeading')}</h2>
      <dl className="stats">
        <div>
          <dt>{t('evaluation.responses')}</dt>
          <dd data-testid="evaluation-count">{e.count}</dd>
        </div>
        <div>
          <dt>{t('evaluation.usefulnessShort')}</dt>
          <dd data-testid="evaluation-usefulness">{fmt(e.usefulness)}</dd>
        </div>
        <div>
          <dt>{t('evaluation.processShort')}</dt>
          <dd data-testid="evaluation-process">{fmt(e.process)}</dd>
        </div>
      </dl>
      {e.comments.length > 0 && (
        <>
          <h3>{t('evaluation.comments')}</h3>
          <ul className="comments" aria-label={t('evaluation.comments')}>
            {e.comments.map((c, i) => (
              <li key={i}>{c}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
