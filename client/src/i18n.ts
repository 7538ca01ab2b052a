import i18n, { type BackendModule } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type en from './locales/en.json';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

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

/** Loads one locale file on demand, so each page carries only the language it shows. */
const localeBackend: BackendModule = {
  type: 'backend',
  init() {},
  read(language, _namespace, callback) {
    const lang = isLanguage(language) ? language : 'en';
    import(`./locales/${lang}.json`).then(
      (m: { default: object }) => callback(null, m.default as Record<string, unknown>),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), false),
    );
  },
};

function applyLanguage(lng: string) {
  document.documentElement.lang = lng;
}

export async function initI18n(): Promise<typeof i18n> {
  i18n.on('languageChanged', applyLanguage);
  await i18n
    .use(localeBackend)
    .use(initReactI18next)
    .init({
      lng: detectLanguage(),
      fallbackLng: 'en',
      supportedLngs: LANGUAGES.map((l) => l.code),
      load: 'currentOnly',
      interpolation: { escapeValue: false }, // React escapes already
      returnNull: false,
    });
  return i18n;
}

export async function changeLanguage(lng: Language) {
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Not remembered across visits then; the choice still applies now.
  }
  await i18n.changeLanguage(lng);
}

export default i18n;
