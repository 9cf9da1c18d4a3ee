// The question box: Enter asks, Up/Down walk the history (persisted), suggestions from the
// schema below it, and the follow-up bar (the chip saying what the next question follows up).

import { useRef, useState } from 'preact/hooks';
import type { Ref } from 'preact';

import { freshCursor, walkHistory } from '../lib/history';
import { threadLabel } from '../lib/followup';
import type { Thread } from '../lib/followup';

export function QuestionBox({
  value,
  onChange,
  onAsk,
  history,
  running,
  disabled,
  inputRef,
  followingUp = false,
}: {
  value: string;
  onChange: (text: string) => void;
  onAsk: (question: string) => void;
  history: string[];
  running: boolean;
  disabled: boolean;
  inputRef: Ref<HTMLInputElement>;
  followingUp?: boolean;
}) {
  const cursor = useRef(freshCursor());
  const [, force] = useState(0);
  const submit = () => {
    if (value.trim() && !running && !disabled) {
      cursor.current = freshCursor();
      onAsk(value.trim());
    }
  };
  return (
    <form
      class="question"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <input
        ref={inputRef}
        type="text"
        class="question-input"
        placeholder={
          disabled
            ? 'Open a database first'
            : followingUp
              ? 'Ask a follow-up, e.g. "now only the West region" or "and by quarter"'
              : 'Ask a question, e.g. "Show monthly revenue for last year and forecast next 3 months"'
        }
        value={value}
        disabled={disabled}
        aria-label="Question"
        data-testid="question-input"
        autoComplete="off"
        spellcheck={false}
        onInput={(e) => {
          cursor.current = freshCursor();
          onChange((e.currentTarget as HTMLInputElement).value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
            if (history.length === 0) return;
            e.preventDefault();
            const step = walkHistory(history, cursor.current, value, e.key === 'ArrowUp' ? 'up' : 'down');
            cursor.current = step.cursor;
            onChange(step.text);
            force((n) => n + 1);
          }
        }}
      />
      <button type="submit" class="primary" disabled={running || disabled || !value.trim()} data-testid="ask-button">
        Ask
      </button>
    </form>
  );
}

export function Suggestions({ items, onPick, disabled }: { items: string[]; onPick: (q: string) => void; disabled: boolean }) {
  if (items.length === 0) return null;
  return (
    <div class="suggestions" data-testid="suggestions">
      <span class="muted">Try:</span>
      {items.map((q) => (
        <button type="button" key={q} class="suggestion" onClick={() => onPick(q)} disabled={disabled}>
          {q}
        </button>
      ))}
    </div>
  );
}

/**
 * Under the question box: inside a thread, the chip "Follow-up to: …" (dismissable) and "New
 * question"; after an answer outside one, "Follow up on this answer".
 */
export function FollowUpBar({
  thread,
  canFollow,
  onFollow,
  onDismiss,
  onNewQuestion,
  disabled,
}: {
  thread: Thread | null;
  canFollow: boolean;
  onFollow: () => void;
  onDismiss: () => void;
  onNewQuestion: () => void;
  disabled: boolean;
}) {
  if (thread) {
    const label = threadLabel(thread);
    return (
      <div class="follow-up-bar">
        <span class="chip follow-up-chip" data-testid="follow-up-chip" title={label}>
          <span class="chip-label">Follow-up to</span>
          <span class="follow-up-text" data-testid="follow-up-text">
            {label}
          </span>
          <button type="button" class="icon" aria-label="Ask without following up" title="Ask without following up" onClick={onDismiss} data-testid="follow-up-dismiss">
            ×
          </button>
        </span>
        <button type="button" class="link" onClick={onNewQuestion} disabled={disabled} data-testid="new-question">
          New question
        </button>
      </div>
    );
  }
  if (!canFollow) return null;
  return (
    <div class="follow-up-bar">
      <button type="button" class="link" onClick={onFollow} disabled={disabled} data-testid="follow-up-start">
        ↳ Follow up on this answer
      </button>
      <span class="muted">(the next question keeps its context, e.g. "now only the West region")</span>
    </div>
  );
}
