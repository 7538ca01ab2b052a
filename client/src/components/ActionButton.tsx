import type { ButtonHTMLAttributes, ReactNode } from 'react';
import type { Action } from '../lib/useAction';
import { ErrorMessage } from './ErrorMessage';

interface Props extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick'> {
  action: Action;
  onRun: () => void | Promise<unknown>;
  children: ReactNode;
  variant?: 'primary' | 'secondary' | 'danger' | 'quiet';
}

/**
 * A button for one command: marked busy and inert while the server has not answered (through
 * aria-disabled, so keyboard focus stays on it), and followed by the translated refusal when
 * there is one. The label stays the same so the button keeps its accessible name.
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
      <ErrorMessage code={action.error} />
    </>
  );
}
