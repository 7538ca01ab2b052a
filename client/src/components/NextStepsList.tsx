import { useTranslation } from '../i18n';
import type { NextStep } from '@kollegium/shared';

export function NextStepsList({ steps, className = '' }: { steps: NextStep[]; className?: string }) {
  const { t } = useTranslation();
  if (steps.length === 0) return <p className="muted">{t('nextSteps.none')}</p>;
  return (
    <ol className={`next-steps ${className}`} aria-label={t('nextSteps.listLabel')}>
      {steps.map((s) => (
        <li key={s.id}>{s.text}</li>
      ))}
    </ol>
  );
}
