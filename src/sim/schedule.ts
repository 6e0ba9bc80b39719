// Schedules as short strings. A schedule is the list of choices made where two or more
// processes were ready, each the canonical number of the process that ran (3 for p3).
//
//   s1:<token>*<fault>*   version 1
//   token           id, or id followed by a decimal count (>= 2) of repetitions
//   id              a-z for processes 1..26, A-Z for 27..52, _N_ (decimal) beyond
//   fault           . then f (fork), m (mem), s (signal), d (fd) or i (io), the process id, and the
//                   decimal n of its nth point of that kind (faults.ts): .fb2 is p2's 2nd fork
//
// e.g. [1, 2, 2, 2, 2, 2, 1, 60, 60, 60] prints as s1:ab5a_60_3, and with p1's first mmap
// failing as s1:ab5a_60_3.ma1. Only letters, digits, _ and . appear, so the string needs no
// quoting in a shell. The encoder writes the shortest form, faults in the order they happened.

import type { Fault, FaultKind } from './faults.ts';

export const SCHEDULE_PREFIX = 's1:';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class ScheduleSyntaxError extends Error {}

function idText(id: number): string {
  if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`schedule choice ${id} is not a process number (1, 2, ...)`);
  return id <= LETTERS.length ? LETTERS[id - 1] : `_${id}_`;
}

const FAULT_LETTER: Record<FaultKind, string> = { fork: 'f', mem: 'm', signal: 's', fd: 'd', io: 'i' };
const LETTER_FAULT: Record<string, FaultKind> = { f: 'fork', m: 'mem', s: 'signal', d: 'fd', i: 'io' };

export function encodeSchedule(choices: readonly number[], faults: readonly Fault[] = []): string {
  return encodeChoices(choices) + faults.map((f) => `.${FAULT_LETTER[f.kind]}${idText(f.proc)}${f.nth}`).join('');
}

function encodeChoices(choices: readonly number[]): string {
  let out = SCHEDULE_PREFIX;
  for (let i = 0; i < choices.length; ) {
    let j = i + 1;
    while (j < choices.length && choices[j] === choices[i]) j++;
    const id = idText(choices[i]);
    const run = j - i;
    const counted = `${id}${run}`;
    out += counted.length < id.length * run ? counted : id.repeat(run);
    i = j;
  }
  return out;
}

/** Longest schedule a string may ask for: a typo in a count must not eat the memory. */
const MAX_CHOICES = 10_000_000;

/** The choices of a schedule string that has no faults (one with faults: parseRunSchedule). */
export function parseSchedule(text: string): number[] {
  const { choices, faults } = parseRunSchedule(text);
  if (faults.length > 0) throw new ScheduleSyntaxError(`schedule ${JSON.stringify(text)} has faults (${text.slice(text.indexOf('.'))}): it needs a run that injects them`);
  return choices;
}

/** The choices and the faults of a schedule string. */
export function parseRunSchedule(text: string): { choices: number[]; faults: Fault[] } {
  const fail = (at: number, why: string): never => {
    throw new ScheduleSyntaxError(`bad schedule ${JSON.stringify(text)}: ${at >= 0 ? `at character ${at + 1}: ` : ''}${why}`);
  };
  if (!text.startsWith(SCHEDULE_PREFIX)) fail(-1, `expected it to start with ${SCHEDULE_PREFIX} (as procsim prints schedules)`);
  const out: number[] = [];
  const re = /_([1-9][0-9]*)_|([a-zA-Z])|([0-9]+)/y;
  re.lastIndex = SCHEDULE_PREFIX.length;
  let last: number | undefined;
  const dot = text.indexOf('.');
  const end = dot < 0 ? text.length : dot;
  while (re.lastIndex < end) {
    const at = re.lastIndex;
    const m = re.exec(text);
    if (m === null) fail(at, `expected a process (a-z, A-Z or _N_) or a count, got ${JSON.stringify(text[at])}`);
    const [, big, letter, count] = m!;
    if (count !== undefined) {
      if (last === undefined) fail(at, 'a count must follow a process');
      const n = Number(count);
      if (!/^[1-9]/.test(count) || n < 2) fail(at, `count ${count} must be a number from 2 up, without leading zeros`);
      if (out.length + n - 1 > MAX_CHOICES) fail(at, `more than ${MAX_CHOICES} choices`);
      for (let i = 1; i < n; i++) out.push(last!);
      last = undefined;
      continue;
    }
    const id = big !== undefined ? Number(big) : LETTERS.indexOf(letter!) + 1;
    if (!Number.isSafeInteger(id)) fail(at, `process number ${big} is too large`);
    out.push(id);
    last = id;
  }
  const faults: Fault[] = [];
  const fre = /\.([fmsdi])(?:_([1-9][0-9]*)_|([a-zA-Z]))([1-9][0-9]*)/y;
  fre.lastIndex = end;
  while (fre.lastIndex < text.length) {
    const at = fre.lastIndex;
    const m = fre.exec(text);
    if (m === null) fail(at, 'expected a fault: . then f, m, s, d or i, a process (a-z, A-Z or _N_) and a count from 1 (e.g. .fb2)');
    const [, kind, big, letter, nth] = m!;
    const proc = big !== undefined ? Number(big) : LETTERS.indexOf(letter!) + 1;
    if (!Number.isSafeInteger(proc) || !Number.isSafeInteger(Number(nth))) fail(at, 'a fault\'s process or count is too large');
    faults.push({ kind: LETTER_FAULT[kind!], proc, nth: Number(nth) });
  }
  return { choices: out, faults };
}
