import type { RoleView } from './view.js';

/** Translated labels for the summary, supplied by the caller's i18n. */
export type SummaryLabels = Record<
  'summary' | 'question' | 'context' | 'contributions' | 'useful' | 'nextSteps' | 'myNotes' | 'none' | 'anonymous' | 'kind.question' | 'kind.reflection' | 'kind.suggestion',
  string
>;

const line = (text: string) => text.replace(/\r?\n/g, ' ').trim();

/** The owner's take-home summary of one challenge as Markdown. */
export function summaryMarkdown(view: RoleView, challengeId: string, labels: SummaryLabels): string {
  const challenge = view.challenges.find((c) => c.id === challengeId);
  if (!challenge) return '';
  const contributions = view.contributions.filter((c) => c.challengeId === challengeId && !c.hidden);
  const useful = contributions.filter((c) => c.useful);
  const steps = view.nextSteps.filter((s) => s.challengeId === challengeId);
  const notes = view.notes.filter((n) => n.challengeId === challengeId);
  const item = (c: (typeof contributions)[number]) =>
    `- **${labels[`kind.${c.kind}`]}** — ${line(c.text)} _(${c.authorName ?? labels.anonymous})_`;
  const list = (items: string[]) => (items.length ? items.join('\n') : `- ${labels.none}`);

  return [
    `# ${line(challenge.title)}`,
    '',
    `_${line(view.title)} — ${labels.summary}_`,
    '',
    `**${labels.question}:** ${line(challenge.question)}`,
    '',
    ...(challenge.context ? [`**${labels.context}:** ${line(challenge.context)}`, ''] : []),
    `## ${labels.nextSteps}`,
    '',
    list(steps.map((s) => `- [ ] ${line(s.text)}`)),
    '',
    `## ${labels.useful}`,
    '',
    list(useful.map(item)),
    '',
    `## ${labels.contributions}`,
    '',
    list(contributions.map(item)),
    '',
    ...(notes.length ? [`## ${labels.myNotes}`, '', ...notes.map((n) => n.text), ''] : []),
  ].join('\n');
}
