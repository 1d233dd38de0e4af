// A modal dialog: focus moves into it, Tab stays inside, Escape closes it, and focus returns to
// what had it before.
import { useEffect, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  /** Wider layout for forms. */
  wide?: boolean;
  /** A description element id for aria-describedby. */
  describedBy?: string;
}

export function Dialog({ title, onClose, children, footer, wide, describedBy }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const node = ref.current;
    if (node) {
      const first =
        node.querySelector<HTMLElement>('[data-autofocus]') ??
        node.querySelector('.dialog-body')?.querySelector<HTMLElement>(FOCUSABLE) ??
        node.querySelector<HTMLElement>(FOCUSABLE);
      (first ?? node).focus();
    }
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        onCloseRef.current();
        return;
      }
      if (event.key !== 'Tab' || !ref.current) {
        return;
      }
      const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
        (el) => !el.hasAttribute('disabled') && el.getAttribute('aria-hidden') !== 'true',
      );
      if (items.length === 0) {
        event.preventDefault();
        return;
      }
      const first = items[0];
      const last = items[items.length - 1];
      const active = document.activeElement;
      if (event.shiftKey && (active === first || !ref.current.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !ref.current.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      before?.focus?.();
    };
  }, []);

  return createPortal(
    <div
      className="dialog-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) {
          onClose();
        }
      }}
    >
      <div
        ref={ref}
        className={`dialog${wide ? ' dialog-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={describedBy}
        tabIndex={-1}
      >
        <div className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="ghost icon" onClick={onClose} aria-label="Close dialog">
            ×
          </button>
        </div>
        <div className="dialog-body">{children}</div>
        {footer && <div className="dialog-footer">{footer}</div>}
      </div>
    </div>,
    document.body,
  );
}

export interface ConfirmProps {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** When set, the user must type this text to confirm. */
  typeToConfirm?: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog(props: ConfirmProps) {
  const { title, message, confirmLabel, danger, typeToConfirm, busy, onConfirm, onCancel } = props;
  const messageId = useId();
  const inputId = useId();
  const [typed, setTyped] = useState('');
  const [tried, setTried] = useState(false);
  const typedRef = useRef<HTMLInputElement>(null);
  const mismatch = Boolean(typeToConfirm) && typed.trim() !== typeToConfirm;
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      describedBy={messageId}
      footer={
        <>
          <button type="button" className="secondary" onClick={onCancel} data-autofocus={typeToConfirm ? undefined : true}>
            Cancel
          </button>
          <button
            type="button"
            className={danger ? 'danger' : 'primary'}
            disabled={busy}
            onClick={() => {
              if (mismatch) {
                setTried(true);
                typedRef.current?.focus();
                return;
              }
              onConfirm();
            }}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      <div id={messageId}>{message}</div>
      {typeToConfirm && (
        <div className="field">
          <label htmlFor={inputId}>
            Type <code>{typeToConfirm}</code> to confirm
          </label>
          <input
            id={inputId}
            ref={typedRef}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-invalid={tried && mismatch ? true : undefined}
            aria-describedby={tried && mismatch ? `${inputId}-error` : undefined}
          />
          {tried && mismatch && (
            <p className="field-error" id={`${inputId}-error`}>
              The text does not match.
            </p>
          )}
        </div>
      )}
    </Dialog>
  );
}
