import type { ReactNode } from 'react';
import { useTranslation } from '../i18n';
import { LanguagePicker } from './LanguagePicker';

interface Props {
  children: ReactNode;
  /** Page layout variant: participant pages stay narrow, consoles and the board use the width. */
  variant?: 'narrow' | 'wide' | 'board';
  /** Shown between the header and the content, e.g. the connection banner. */
  banner?: ReactNode;
  /** Extra items for the header's navigation. */
  nav?: ReactNode;
}

/** The landmarks every page shares: a header with navigation, then the main content. */
export function PageShell({ children, variant = 'narrow', banner, nav }: Props) {
  const { t } = useTranslation();
  return (
    <div className={`shell shell-${variant}`}>
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header className="site-header">
        <a className="brand" href="/">
          Kollegium
        </a>
        <nav aria-label={t('common.navLabel')} className="site-nav">
          {nav}
          <LanguagePicker />
        </nav>
      </header>
      {banner}
      <main id="main" tabIndex={-1} className="content">
        {children}
      </main>
    </div>
  );
}
