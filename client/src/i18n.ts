import { useMemo } from 'react';
import { i18n, type Messages } from '@lingui/core';
import { useLingui } from '@lingui/react';
import type en from './locales/en.json';

/** Every message id, from the English catalog: a key that is not there does not compile. */
export type MessageKey = keyof typeof en;

declare module '@lingui/core' {
  interface Register {
    messageIds: MessageKey;
  }
}

export type MessageValues = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: MessageValues) => string;

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'da', label: 'Dansk' },
  { code: 'nb', label: 'Norsk bokmål' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'kollegium.language';

function isLanguage(value: string | null | undefined): value is Language {
  return LANGUAGES.some((l) => l.code === value);
}

/** Maps a browser tag to one of ours: Norwegian (no, nn, nb) reads bokmål, everything else English. */
function fromTag(tag: string): Language | null {
  const base = tag.toLowerCase().split('-')[0] ?? '';
  if (base === 'da') return 'da';
  if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
  if (base === 'en') return 'en';
  return null;
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage can be blocked (private mode, policies)
  }
}

export function detectLanguage(): Language {
  const stored = readStored();
  if (isLanguage(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = fromTag(tag);
    if (lang) return lang;
  }
  return 'en';
}

/**
 * One compiled catalog per language, loaded on demand, so each page carries only the language it
 * shows. The Lingui Vite plugin compiles the JSON (ICU messages, English filling any gap) at build time.
 */
const catalogs: Record<Language, () => Promise<{ messages: Messages }>> = {
  en: () => import('./locales/en.json?lingui'),
  da: () => import('./locales/da.json?lingui'),
  nb: () => import('./locales/nb.json?lingui'),
};

let wanted: Language | null = null;

async function activate(lng: Language) {
  wanted = lng;
  const { messages } = await catalogs[lng]();
  // A later choice that finished loading first wins.
  if (wanted !== lng) return;
  i18n.loadAndActivate({ locale: lng, messages });
  document.documentElement.lang = lng;
}

export async function initI18n(): Promise<typeof i18n> {
  await activate(detectLanguage());
  return i18n;
}

export async function changeLanguage(lng: Language) {
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Not remembered across visits then; the choice still applies now.
  }
  await activate(lng);
}

/**
 * Lingui decodes \uXXXX and \xXX escapes in a finished message, values included. A backslash in a
 * value (something a person typed) is written as such an escape itself, so it comes out as typed.
 */
function literal(values: MessageValues | undefined): MessageValues | undefined {
  if (!values) return values;
  const out: MessageValues = {};
  for (const [name, value] of Object.entries(values)) out[name] = typeof value === 'string' ? value.replaceAll('\\', '\\u005c') : value;
  return out;
}

/** Messages are plain text (React escapes them); what is interpolated is never parsed again. */
export function translate(key: MessageKey, values?: MessageValues): string {
  return i18n._(key, literal(values));
}

/** The current language's `t`; components using it render again when the language changes. */
export function useTranslation(): { t: Translate; language: Language } {
  const { i18n: active } = useLingui();
  const language = active.locale as Language;
  // A new `t` per language, so effects that depend on it run again after a change.
  const t = useMemo<Translate>(() => (key, values) => translate(key, values), [language]);
  return { t, language };
}
