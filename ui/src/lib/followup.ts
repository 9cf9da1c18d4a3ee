// Follow-up questions. A thread is the questions asked so far in one line of thought and the SQL
// of its latest answer; the next question goes out with it as the engine's `FollowUp`
// ({question, sql}). The questions are joined into one, the way the offline planner reads a
// follow-up (the previous question, then this one), so a chain such as "monthly revenue last
// year" → "now only the West region" → "and by quarter" keeps what came first; a model gets the
// same text and the latest SQL.

import type { Answer, FollowUp } from '../backend/types';

export interface Thread {
  /** Oldest first; never empty. */
  questions: string[];
  sql: string | null;
}

/** Questions kept in a thread; older ones fall off (their SQL lives on in the latest SQL). */
export const THREAD_MAX = 4;

/** The thread that follows up `answer` to `question`, asked in `context` (null: a fresh question). */
export function threadAfter(context: Thread | null, question: string, answer: Answer): Thread | null {
  const q = question.trim();
  if (!q || !answer.sql) return null;
  const questions = [...(context?.questions ?? []), q].slice(-THREAD_MAX);
  return { questions, sql: answer.sql };
}

/** The `followUp` sent with the next question, or null outside a thread. */
export function followUpOf(thread: Thread | null): FollowUp | null {
  if (!thread || thread.questions.length === 0) return null;
  return { question: thread.questions.join(' '), sql: thread.sql };
}

/** What the chip says the next question follows up. */
export function threadLabel(thread: Thread): string {
  return thread.questions.join(' → ');
}
