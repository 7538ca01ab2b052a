import { useTranslation } from '../i18n';

/** Reflections others posted that stay back until the facilitator reveals them. */
export function HeldNotice({ count, className = '' }: { count: number; className?: string }) {
  const { t } = useTranslation();
  if (count <= 0) return null;
  return (
    <p className={`held-notice ${className}`} data-testid="held-count">
      {t('contribution.heldCount', { count })}
    </p>
  );
}
