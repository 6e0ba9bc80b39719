// Schedules as short strings. A schedule is the list of choices made where two or more
// processes were ready, each the canonical number of the process that ran (3 for p3).
//
//   s1:<token>*     version 1
//   token           id, or id followed by a decimal count (>= 2) of repetitions
//   id              a-z for processes 1..26, A-Z for 27..52, _N_ (decimal) beyond
//
// e.g. [1, 2, 2, 2, 2, 2, 1, 60, 60, 60] prints as s1:ab5a_60_3. Only letters, digits and _
// appear, so the string needs no quoting in a shell. The encoder writes the shortest form.

export const SCHEDULE_PREFIX = 's1:';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class ScheduleSyntaxError extends Error {}

function idText(id: number): string {
  if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`schedule choice ${id} is not a process number (1, 2, ...)`);
  return id <= LETTERS.length ? LETTERS[id - 1] : `_${id}_`;
}

export function encodeSchedule(choices: readonly number[]): string {
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

export function parseSchedule(text: string): number[] {
  const fail = (at: number, why: string): never => {
    throw new ScheduleSyntaxError(`bad schedule ${JSON.stringify(text)}: ${at >= 0 ? `at character ${at + 1}: ` : ''}${why}`);
  };
  if (!text.startsWith(SCHEDULE_PREFIX)) fail(-1, `expected it to start with ${SCHEDULE_PREFIX} (as procsim prints schedules)`);
  const out: number[] = [];
  const re = /_([1-9][0-9]*)_|([a-zA-Z])|([0-9]+)/y;
  re.lastIndex = SCHEDULE_PREFIX.length;
  let last: number | undefined;
  while (re.lastIndex < text.length) {
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
  return out;
}
