import type { Translate } from '../i18n';
import { summaryMarkdown, type RoleView, type SummaryLabels } from '@kollegium/shared';

export function summaryLabels(t: Translate): SummaryLabels {
  return {
    summary: t('summary.title'),
    question: t('summary.question'),
    context: t('summary.context'),
    contributions: t('summary.contributions'),
    useful: t('summary.useful'),
    nextSteps: t('summary.nextSteps'),
    myNotes: t('summary.myNotes'),
    none: t('summary.none'),
    anonymous: t('contribution.anonymous'),
    'kind.question': t('kinds.question'),
    'kind.reflection': t('kinds.reflection'),
    'kind.suggestion': t('kinds.suggestion'),
  };
}

/** A file name from the challenge title: letters and digits kept (æ, ø, å too), the rest dashes. */
export function markdownFileName(title: string): string {
  const slug = title
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'kollegium'}.md`;
}

export function downloadSummary(view: RoleView, challengeId: string, t: Translate) {
  const challenge = view.challenges.find((c) => c.id === challengeId);
  if (!challenge) return;
  const text = summaryMarkdown(view, challengeId, summaryLabels(t));
  const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = markdownFileName(challenge.title);
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers start the download asynchronously.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
