import { useTranslation } from '../i18n';
import type { ChallengeView } from '@kollegium/shared';

interface Props {
  challenge: ChallengeView;
  /** Heading level inside the page's outline. */
  level?: 2 | 3;
  /** The facilitator console shows less: the context can be long and private in tone. */
  showContext?: boolean;
  className?: string;
}

export function FocusChallenge({ challenge, level = 2, showContext = true, className = '' }: Props) {
  const { t } = useTranslation();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className={`focus-challenge ${className}`} aria-labelledby={`challenge-${challenge.id}`}>
      <p className="eyebrow">{t('challenge.inFocus', { name: challenge.ownerName })}</p>
      <Heading id={`challenge-${challenge.id}`} className="challenge-title">
        {challenge.title}
      </Heading>
      <p className="challenge-question">
        <span className="label">{t('challenge.question')}</span> {challenge.question}
      </p>
      {showContext && challenge.context && (
        <p className="challenge-context">
          <span className="label">{t('challenge.context')}</span> {challenge.context}
        </p>
      )}
    </section>
  );
}
