import { useTranslation } from '../i18n';
import type { AnyErrorCode } from '../lib/errors';

export function ErrorMessage({ code, id }: { code: AnyErrorCode | null; id?: string }) {
  const { t } = useTranslation();
  if (!code) return null;
  return (
    <p className="error" role="alert" id={id}>
      {t(`errors.${code}`)}
    </p>
  );
}
