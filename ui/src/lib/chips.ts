// Interpretation chips: the measure, grouping and time range as the question's own words. Picking
// another option edits the question text and asks again, so what the user sees in the box is
// exactly what was asked; nothing is changed behind the text.

export type ChipKind = 'measure' | 'grouping' | 'time';

export interface Chip {
  kind: ChipKind;
  /** The words as they appear in the question ('' when absent). */
  text: string;
  /** Where they are; -1 when absent (a choice is then appended). */
  start: number;
  end: number;
  options: string[];
}

export const TIME_OPTIONS = ['last year', 'this year', 'last quarter', 'last 90 days', 'last 30 days'];
const GRAINS = ['daily', 'weekly', 'monthly', 'quarterly', 'yearly'];
const GRAIN_WORDS = ['day', 'week', 'month', 'quarter', 'year'];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const TIME_PATTERNS = [
  /\b(?:(?:for|in|over|during)\s+(?:the\s+)?)?(?:last|this|past|previous)\s+(?:\d+\s+)?(?:days?|weeks?|months?|quarters?|years?)\b/i,
  /\b(?:for|in|during)\s+(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+)?(?:19|20)\d{2}\b/i,
  /\bsince\s+[A-Za-z]+(?:\s+\d{4})?\b/i,
  /\bbetween\s+\S+\s+and\s+\S+/i,
];

function time(question: string): Chip {
  for (const pattern of TIME_PATTERNS) {
    const m = pattern.exec(question);
    if (m) return { kind: 'time', text: m[0], start: m.index, end: m.index + m[0].length, options: ['', ...TIME_OPTIONS] };
  }
  return { kind: 'time', text: '', start: -1, end: -1, options: ['', ...TIME_OPTIONS] };
}

function grouping(question: string, dimensions: string[]): Chip | null {
  const adjective = new RegExp(`\\b(${GRAINS.join('|')}|annual)\\b`, 'i').exec(question);
  if (adjective) {
    return { kind: 'grouping', text: adjective[0], start: adjective.index, end: adjective.index + adjective[0].length, options: GRAINS };
  }
  const byOptions = [...dimensions.map((d) => `by ${d}`), ...GRAIN_WORDS.map((g) => `by ${g}`)];
  // A known dimension of several words first, then any single word after "by".
  for (const option of [...byOptions].sort((a, b) => b.length - a.length)) {
    const m = new RegExp(`\\b${escape(option)}\\b`, 'i').exec(question);
    if (m) return { kind: 'grouping', text: m[0], start: m.index, end: m.index + m[0].length, options: byOptions };
  }
  const m = /\bby\s+[A-Za-z_]+\b/i.exec(question);
  if (m) return { kind: 'grouping', text: m[0], start: m.index, end: m.index + m[0].length, options: byOptions };
  return null;
}

function measure(question: string, measures: string[]): Chip | null {
  for (const name of [...measures].sort((a, b) => b.length - a.length)) {
    const m = new RegExp(`\\b${escape(name)}s?\\b`, 'i').exec(question);
    if (m) return { kind: 'measure', text: m[0], start: m.index, end: m.index + m[0].length, options: measures };
  }
  return null;
}

export function findChips(question: string, vocab: { measures: string[]; dimensions: string[] }): Chip[] {
  const chips: Chip[] = [];
  const m = measure(question, vocab.measures);
  if (m) chips.push(m);
  const g = grouping(question, vocab.dimensions);
  if (g) chips.push(g);
  chips.push(time(question));
  return chips;
}

/** The question with `chip`'s words replaced by `option` ('' removes a time range). */
export function applyChip(question: string, chip: Chip, option: string): string {
  let next: string;
  if (chip.kind === 'time') {
    const phrase = option === '' ? '' : `for ${option}`;
    if (chip.start < 0) {
      if (!phrase) return question;
      const trimmed = question.trim();
      const mark = /[?.!]$/.exec(trimmed)?.[0] ?? '';
      next = `${trimmed.slice(0, trimmed.length - mark.length)} ${phrase}${mark}`;
    } else {
      next = question.slice(0, chip.start) + phrase + question.slice(chip.end);
    }
  } else {
    next = question.slice(0, chip.start) + option + question.slice(chip.end);
  }
  return next.replace(/\s{2,}/g, ' ').replace(/\s+([?.!,])/g, '$1').trim();
}
