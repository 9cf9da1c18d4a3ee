// The question box: Enter asks, Up/Down walk the history (persisted), suggestions from the
// schema below it.

import { useRef, useState } from 'preact/hooks';
import type { Ref } from 'preact';

import { freshCursor, walkHistory } from '../lib/history';

export function QuestionBox({
  value,
  onChange,
  onAsk,
  history,
  running,
  disabled,
  inputRef,
}: {
  value: string;
  onChange: (text: string) => void;
  onAsk: (question: string) => void;
  history: string[];
  running: boolean;
  disabled: boolean;
  inputRef: Ref<HTMLInputElement>;
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
        placeholder={disabled ? 'Open a database first' : 'Ask a question, e.g. "Show monthly revenue for last year and forecast next 3 months"'}
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
