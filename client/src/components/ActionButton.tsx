import type { ButtonHTMLAttributes, ReactNode } from 'react';
import type { Action } from '../lib/useAction';
import { ActionFeedback } from './ActionFeedback';

interface Props extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick'> {
  action: Action;
  onRun: () => void | Promise<unknown>;
  children: ReactNode;
  variant?: 'primary' | 'secondary' | 'danger' | 'quiet';
}

/**
 * A button for one command: marked busy and inert while the server has not answered (through
 * aria-disabled, so keyboard focus stays on it), and followed by what became of it (see
 * ActionFeedback: a not-confirmed-yet warning, the translated refusal, a retry with the same
 * command id). The label stays the same so the button keeps its accessible name.
 */
export function ActionButton({ action, onRun, children, variant = 'secondary', className, disabled, ...rest }: Props) {
  return (
    <>
      <button
        type="button"
        {...rest}
        className={`btn btn-${variant}${action.pending ? ' is-pending' : ''}${className ? ` ${className}` : ''}`}
        disabled={disabled}
        aria-disabled={action.pending || undefined}
        aria-busy={action.pending || undefined}
        onClick={() => {
          if (!action.pending) void onRun();
        }}
      >
        {children}
      </button>
      <ActionFeedback action={action} />
    </>
  );
}
