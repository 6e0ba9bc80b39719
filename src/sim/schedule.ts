// Schedules as short strings. A schedule is the list of choices made where two or more
// processes were ready, each the canonical number of the process that ran (3 for p3).
//
//   s1:<token>*     version 1
//   token           id, or id[count] for `count` (>= 2) repetitions of it
//   id              one character 1-9a-z for processes 1..35, or (base36) for larger ones
//
// e.g. [1, 2, 2, 2, 2, 2, 1, 40] prints as s1:12[5]1(14). The encoder writes the shortest form.

export const SCHEDULE_PREFIX = 's1:';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

export class ScheduleSyntaxError extends Error {}

function idText(id: number): string {
  if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`schedule choice ${id} is not a process number (1, 2, ...)`);
  return id < 36 ? DIGITS[id] : `(${id.toString(36)})`;
}

export function encodeSchedule(choices: readonly number[]): string {
  let out = SCHEDULE_PREFIX;
  for (let i = 0; i < choices.length; ) {
    let j = i + 1;
    while (j < choices.length && choices[j] === choices[i]) j++;
    const id = idText(choices[i]);
    const run = j - i;
    const rle = `${id}[${run}]`;
    out += rle.length < id.length * run ? rle : id.repeat(run);
    i = j;
  }
  return out;
}

export function parseSchedule(text: string): number[] {
  const fail = (at: number, why: string): never => {
    throw new ScheduleSyntaxError(`bad schedule ${JSON.stringify(text)}: ${at >= 0 ? `at character ${at + 1}: ` : ''}${why}`);
  };
  if (!text.startsWith(SCHEDULE_PREFIX)) fail(-1, `expected it to start with ${SCHEDULE_PREFIX} (as procsim prints schedules)`);
  const out: number[] = [];
  let i = SCHEDULE_PREFIX.length;
  while (i < text.length) {
    const c = text[i];
    let id: number;
    if (c === '(') {
      const close = text.indexOf(')', i);
      if (close < 0) fail(i, 'unclosed (');
      const digits = text.slice(i + 1, close);
      if (!/^[1-9a-z][0-9a-z]*$/.test(digits)) fail(i + 1, `expected a base-36 process number inside ( ), got ${JSON.stringify(digits)}`);
      id = parseInt(digits, 36);
      if (!Number.isSafeInteger(id)) fail(i + 1, 'process number too large');
      i = close + 1;
    } else {
      id = DIGITS.indexOf(c);
      if (id < 1) fail(i, `expected a process number (1-9, a-z or (base36)), got ${JSON.stringify(c)}`);
      i++;
    }
    let count = 1;
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) fail(i, 'unclosed [');
      const digits = text.slice(i + 1, close);
      if (!/^[0-9]+$/.test(digits)) fail(i + 1, `expected a decimal repeat count inside [ ], got ${JSON.stringify(digits)}`);
      count = Number(digits);
      if (count < 2 || count > 1e7) fail(i + 1, `repeat count ${digits} is not in 2..10000000`);
      i = close + 1;
    }
    for (let n = 0; n < count; n++) out.push(id);
  }
  return out;
}
