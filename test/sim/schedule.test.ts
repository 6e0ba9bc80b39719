import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSchedule, parseSchedule, SCHEDULE_PREFIX, ScheduleSyntaxError } from '../../src/sim/schedule.ts';

/** Choice lists like real runs: mostly a few processes, long runs of one, the odd large id. */
const choices = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }).chain((id) => fc.array(fc.constant(id), { minLength: 1, maxLength: 30 })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((id) => [id]) },
  ),
  { maxLength: 40 },
).map((runs) => runs.flat());

describe('schedule strings', () => {
  it('round-trip: parse(encode(c)) is c, and encode(parse(s)) is s', () => {
    fc.assert(
      fc.property(choices, (c) => {
        const s = encodeSchedule(c);
        expect(parseSchedule(s)).toEqual(c);
        expect(encodeSchedule(parseSchedule(s))).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('are short and shell-safe: letters, digits and _ after the prefix', () => {
    fc.assert(
      fc.property(choices, (c) => {
        const s = encodeSchedule(c);
        expect(s.slice(SCHEDULE_PREFIX.length)).toMatch(/^[A-Za-z0-9_]*$/);
        expect(s.length).toBeLessThanOrEqual(SCHEDULE_PREFIX.length + c.reduce((n, id) => n + (id <= 52 ? 1 : String(id).length + 2), 0));
      }),
    );
  });

  it('spell processes as letters, big ones as _N_, repetitions as counts', () => {
    expect(encodeSchedule([1, 2, 2, 2, 2, 2, 1, 60, 60, 60])).toBe('s1:ab5a_60_3');
    expect(encodeSchedule([27, 52, 53])).toBe('s1:AZ_53_');
    expect(encodeSchedule([3, 3])).toBe('s1:cc');
    expect(encodeSchedule([])).toBe('s1:');
    expect(parseSchedule('s1:a12b')).toEqual([...Array(12).fill(1), 2]);
    expect(() => encodeSchedule([0])).toThrow(RangeError);
  });

  it('bad strings get one line saying where and why', () => {
    const cases: [string, RegExp][] = [
      ['ab', /expected it to start with s1:/],
      ['s2:ab', /expected it to start with s1:/],
      ['s1:3', /at character 4: a count must follow a process/],
      ['s1:a1', /at character 5: count 1 must be a number from 2 up/],
      ['s1:a02', /count 02/],
      ['s1:_0_', /at character 4: expected a process/],
      ['s1:a-b', /at character 5: expected a process .* got "-"/],
      ['s1:a99999999999', /more than 10000000 choices/],
    ];
    for (const [text, why] of cases) {
      let err: unknown;
      try {
        parseSchedule(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ScheduleSyntaxError);
      const msg = (err as Error).message;
      expect(msg).toMatch(why);
      expect(msg).not.toContain('\n');
      expect(msg).toContain(JSON.stringify(text));
    }
  });
});
