import type { ReactNode } from 'react';

/**
 * A form's submit button while its request is under way: marked busy and inert through
 * aria-disabled (keyboard focus stays on it), with the same label, so its accessible name holds.
 */
export function SubmitButton({ pending, variant = 'primary', children }: { pending: boolean; variant?: 'primary' | 'secondary'; children: ReactNode }) {
  return (
    <button
      type="submit"
      className={`btn btn-${variant}${pending ? ' is-pending' : ''}`}
      aria-disabled={pending || undefined}
      aria-busy={pending || undefined}
    >
      {children}
    </button>
  );
}
