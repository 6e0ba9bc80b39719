// Process-event logs (src/sim/EVENTS.md): procsim's kernel writes logs that pass every check
// (pm-* guests, generated programs, with a ring that overflows too), and mutations of a valid
// log are caught by the contract they break, at the line where they break it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelVariantName } from '../../src/process/variants/index.ts';
import { checkEventLog, type ContractId, type EventsReport, parseEventLog } from '../../src/sim/events-log/index.ts';
import { choicesArb, forkingProgramArb, programArb } from '../../src/sim/programs/arbitrary.ts';
import { runGenerated } from '../../src/sim/programs/run.ts';
import { parseStrategy } from '../../src/sim/strategies/index.ts';
import { simulateTarget } from '../../src/sim/target.ts';
import { REPO_ROOT } from '../support/guests.ts';

function judge(text: string): EventsReport {
  const { log, errors } = parseEventLog(text);
  expect(errors).toEqual([]);
  return checkEventLog(log);
}

const verdicts = (r: EventsReport) => Object.fromEntries(r.contracts.map((c) => [c.id, c.verdict]));
const ALL_PASS = { 'P1.1': 'pass', 'P1.2': 'pass', 'P1.3': 'n/a', 'P1.4': 'pass' };

const PM_MODES: Record<string, string[]> = {
  'pm-bad': ['forkbomb', 'memory', 'efault'],
  'pm-exec': ['image', 'fail'],
  'pm-identity': ['fork', 'memory', 'shared', 'groups', 'stdio', 'pingpong', 'stderr'],
  'pm-orphan': ['orphan', 'zombie', 'nested'],
  'pm-pipe': ['eof', 'epipe', 'big', 'capacity', 'dup2', 'offsets'],
  'pm-signal': ['defaults', 'stop', 'probe', 'sigchld', 'mask', 'eintr', 'group', 'die', 'order', 'timers'],
  'pm-spawn': ['vfork', 'vfork-exec', 'spawn', 'spawn-fail'],
  'pm-wait': ['status', 'wnohang', 'echild', 'many', 'selectors', 'waitid', 'cycles'],
};
const PM_CASES = Object.entries(PM_MODES).flatMap(([g, ms]) => ms.map((m) => [g, m] as const));

function pmLog(guest: string, mode: string, kernel: KernelVariantName, eventCapacity?: number): string {
  const elf = new Uint8Array(readFileSync(join(REPO_ROOT, 'scenarios/guests/bin', guest)));
  const target = { path: `/bin/${guest}`, elf, argv: [guest, mode], env: [], kernel, createCwd: true, cwd: '/', ...(eventCapacity ? { eventCapacity } : {}) };
  return simulateTarget(target, { seed: 1, strategy: parseStrategy('random'), events: true }).eventLog!.text();
}

describe('logs of the reference producer pass every check', () => {
  it.each(PM_CASES)('%s %s on reference and phase1-bridge', (guest, mode) => {
    for (const kernel of ['reference', 'phase1-bridge'] as const) {
      const r = judge(pmLog(guest, mode, kernel));
      expect(r.events).toBeGreaterThan(2);
      expect(verdicts(r), `${kernel} ${guest} ${mode}: ${JSON.stringify(r.contracts)}`).toEqual(ALL_PASS);
    }
  });

  it('generated programs on the reference kernel and on phase1-bridge', () => {
    fc.assert(
      fc.property(programArb(), choicesArb, fc.constantFrom('reference' as const, 'phase1-bridge' as const), (program, choices, kernel) => {
        const run = runGenerated(program, { kernel, choices, eventLog: true });
        const r = judge(run.result.eventLog!.text());
        expect(verdicts(r), run.replay).toEqual(ALL_PASS);
        expect(r.dropped).toBe(0);
      }),
      { numRuns: 60, seed: 1 },
    );
  });

  it('a ring of one event drops events, counted exactly: the seq accounting passes, the rest is never failed', () => {
    let undecided = 0;
    fc.assert(
      fc.property(forkingProgramArb(), choicesArb, (program, choices) => {
        const run = runGenerated(program, { kernel: 'reference', choices, eventCapacity: 1, eventLog: true });
        const r = judge(run.result.eventLog!.text());
        expect(r.dropped).toBeGreaterThan(0);
        expect(r.contracts.find((c) => c.id === 'P1.2')!.verdict === 'fail', run.replay).toBe(false);
        expect(r.contracts.filter((c) => c.verdict === 'fail'), run.replay).toEqual([]);
        if (r.contracts.some((c) => c.verdict === 'undecidable')) undecided++;
        for (const c of r.contracts.filter((x) => x.verdict === 'undecidable')) expect(c.why).toMatch(/^undecidable \(\d+ events dropped\): /);
      }),
      { numRuns: 40, seed: 2 },
    );
    expect(undecided).toBeGreaterThan(0);
  });

  it('the event log does not change the trace', () => {
    const program = fc.sample(forkingProgramArb(), { numRuns: 1, seed: 5 })[0];
    const a = runGenerated(program, { kernel: 'reference', choices: [1, 0, 1] });
    const b = runGenerated(program, { kernel: 'reference', choices: [1, 0, 1], eventLog: true });
    expect(b.result.trace!.text()).toBe(a.result.trace!.text());
    expect(a.result.eventLog).toBeUndefined();
  });
});

describe('legacy-rollback writes no events', () => {
  it('its log is the header alone, which fails P1.1 for the whole log', () => {
    const text = pmLog('pm-wait', 'status', 'legacy-rollback');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(text)).toMatchObject({ 'procsim-events': 1, init: 1, kernel: 'legacy-rollback' });
    const r = judge(text);
    expect(r.ok).toBe(false);
    expect(r.contracts[0]).toMatchObject({ id: 'P1.1', verdict: 'fail', line: null, why: expect.stringMatching(/no process events/) });
    expect(verdicts(r)).toMatchObject({ 'P1.2': 'pass', 'P1.4': 'pass' });
    expect(judge('').contracts[0].verdict).toBe('fail');
  });
});

// ---- mutations -------------------------------------------------------------------------

type Ev = { seq: number; kind: string; pid: number; ppid?: number; status?: number; from?: number };
interface Mutant {
  lines: string[];
  id: ContractId;
  line: number;
}

const LIFECYCLE = ['spawn', 'exec', 'exit', 'wait-wakeup', 'reap'];
const involved = (e: Ev) => [e.pid, e.ppid, e.from].filter((x): x is number => x !== undefined && x !== 0);
/** Body lines (file line L is lines[L-1]) as events (the logs here have no drop records). */
const evs = (lines: string[]): Ev[] => lines.map((l) => JSON.parse(l) as Ev);

const MUTATIONS: Record<string, (lines: string[], pick: number) => Mutant[]> = {
  'drop a line': (lines) =>
    lines.slice(1, -1).map((_, k) => ({ lines: lines.filter((_, i) => i !== k + 1), id: 'P1.2', line: k + 2 })),
  'renumber a seq': (lines, pick) =>
    lines.slice(1).map((l, k) => {
      const e = JSON.parse(l) as Ev;
      const seq = pick % 2 === 0 || e.seq === 0 ? e.seq + 1 + (pick % 5) : e.seq - 1;
      return { lines: lines.map((x, i) => (i === k + 1 ? JSON.stringify({ ...e, seq }) : x)), id: 'P1.2', line: k + 2 };
    }),
  'change a reap status': (lines, pick) =>
    evs(lines.slice(1)).flatMap((e, k) =>
      e.kind !== 'reap' ? [] : [{ lines: lines.map((x, i) => (i === k + 1 ? JSON.stringify({ ...e, status: (e.status! + 1 + (pick % 300)) % 65536 === e.status ? e.status! + 1 : (e.status! + 1 + (pick % 300)) % 65536 }) : x)), id: 'P1.4' as const, line: k + 2 }],
    ),
  'duplicate a reap': (lines) =>
    evs(lines.slice(1)).flatMap((e, k) => {
      if (e.kind !== 'reap') return [];
      const body = evs(lines.slice(1)).map((x, i) => (i > k ? { ...x, seq: x.seq + 1 } : x));
      const out = [lines[0], ...body.slice(0, k + 1).map((x) => JSON.stringify(x)), JSON.stringify({ ...e, seq: e.seq + 1 }), ...body.slice(k + 1).map((x) => JSON.stringify(x))];
      return [{ lines: out, id: 'P1.4' as const, line: k + 3 }];
    }),
  'swap two lines of a pid': (lines) => {
    const body = evs(lines.slice(1));
    const out: Mutant[] = [];
    body.forEach((a, i) => {
      if (!LIFECYCLE.includes(a.kind)) return;
      const pids = new Set(involved(a));
      for (let j = i + 1; j < body.length; j++) {
        const b = body[j];
        if (b.pid === a.pid && LIFECYCLE.includes(b.kind) && b.kind !== a.kind) {
          for (const p of involved(b)) pids.add(p);
          if (body.slice(i + 1, j).some((x) => involved(x).some((p) => pids.has(p)))) break;
          const woken = body.slice(0, i).some((x) => x.kind === 'wait-wakeup' && x.pid === a.pid);
          // The header's init is in the table from the start: its spawn may only come first.
          const at = a.kind === 'spawn' ? ['P1.1', a.pid === 1 ? j : i] : a.kind === 'exec' && b.kind === 'exit' ? ['P1.2', j] : a.kind === 'wait-wakeup' && woken ? ['P1.2', j] : ['P1.4', i];
          const swapped = body.map((x, k) => (k === i ? { ...b, seq: a.seq } : k === j ? { ...a, seq: b.seq } : x));
          out.push({ lines: [lines[0], ...swapped.map((x) => JSON.stringify(x))], id: at[0] as ContractId, line: (at[1] as number) + 2 });
          break;
        }
        if (involved(b).some((p) => pids.has(p))) break;
      }
    });
    return out;
  },
};

describe('mutations of a valid log are caught by the right contract at the right line', () => {
  it.each(Object.keys(MUTATIONS))('%s', (name) => {
    let tried = 0;
    fc.assert(
      fc.property(forkingProgramArb(), choicesArb, fc.nat(), (program, choices, pick) => {
        const run = runGenerated(program, { kernel: 'reference', choices, eventLog: true });
        const lines = run.result.eventLog!.lines;
        const mutants = MUTATIONS[name](lines, pick);
        fc.pre(mutants.length > 0);
        tried++;
        const m = mutants[pick % mutants.length];
        const r = judge(`${m.lines.join('\n')}\n`);
        const failed = r.contracts.filter((c) => c.verdict === 'fail');
        const where = `${run.replay}\n${m.lines.join('\n')}\n${JSON.stringify(r.contracts)}`;
        expect(r.ok, where).toBe(false);
        expect(r.contracts.find((c) => c.id === m.id), where).toMatchObject({ verdict: 'fail', line: m.line });
        expect(Math.min(...failed.map((c) => c.line!)), where).toBe(m.line);
      }),
      { numRuns: 60, seed: 3 },
    );
    expect(tried).toBeGreaterThan(30);
  });
});

describe('malformed lines', () => {
  it('each gets one message naming its line', () => {
    const text = [
      '{"procsim-events":1,"init":1}',
      '{"seq":0,"kind":"spawn","pid":1,"ppid":0}',
      'not json',
      '{"seq":1,"kind":"fork","pid":2}',
      '{"seq":1,"kind":"exit","pid":1}',
      '{"dropped":0,"seq":1}',
      '{"procsim-events":1}',
      '{"seq":1,"kind":"exec","pid":1,"path":"/x","colour":"red"}',
      '[1]',
    ].join('\n');
    expect(parseEventLog(text).errors).toEqual([
      { line: 3, message: 'not JSON (one JSON object per line)' },
      { line: 4, message: '"kind" must be one of spawn, exec, exit, signal, wait-wakeup, reap, got "fork"' },
      { line: 5, message: 'a exit event needs "status" (a non-negative integer), got undefined' },
      { line: 6, message: '"dropped" must be a positive integer, got 0' },
      { line: 7, message: 'a header ("procsim-events") may only be the first line' },
      { line: 8, message: 'a exec event has no field "colour" (its fields: seq, kind, pid, path)' },
      { line: 9, message: 'not a JSON object' },
    ]);
  });
});

describe('hand-written logs', () => {
  const log = (...events: object[]) => `${events.map((e, seq) => JSON.stringify('dropped' in e ? e : { seq, ...e })).join('\n')}\n`;
  const spawn = (pid: number, ppid: number) => ({ kind: 'spawn', pid, ppid });
  const exit = (pid: number, status = 0) => ({ kind: 'exit', pid, status });
  const wake = (pid: number, ppid: number) => ({ kind: 'wait-wakeup', pid, ppid });
  const reap = (pid: number, ppid: number, status = 0) => ({ kind: 'reap', pid, ppid, status });
  const p14 = (text: string) => judge(text).contracts.find((c) => c.id === 'P1.4')!;

  it('an orphan is reaped by init or by a living ancestor (a subreaper), by nobody else', () => {
    // 1 -> 2 -> 3 -> 4; 3 exits, then 4: 4 is an orphan.
    const family = [spawn(1, 0), spawn(2, 1), spawn(3, 2), spawn(4, 3), spawn(5, 1), exit(3), wake(3, 2), reap(3, 2), exit(4)];
    expect(p14(log(...family, wake(4, 1), reap(4, 1))).verdict).toBe('pass');
    expect(p14(log(...family, wake(4, 2), reap(4, 2))).verdict).toBe('pass');
    expect(p14(log(...family, wake(4, 5), reap(4, 5)))).toMatchObject({ verdict: 'fail', line: 10, why: 'wait-wakeup of 5 for pid 4, but its parent 3 exited and 5 is neither init (1) nor a living ancestor' });
    expect(p14(log(...family, wake(4, 3)))).toMatchObject({ verdict: 'fail', line: 10, why: 'wait-wakeup of 3 for pid 4, but its parent 3 was reaped at line 8' });
  });

  it('a child of a living parent is reaped by that parent only', () => {
    expect(p14(log(spawn(1, 0), spawn(2, 1), spawn(3, 1), exit(3), wake(3, 2)))).toMatchObject({ verdict: 'fail', line: 5, why: 'wait-wakeup of 2 for pid 3, but its parent is 1' });
  });

  it('a drop record accounts for a gap; after it, a lifecycle rule broken is undecidable, not failed', () => {
    const text = log(spawn(1, 0), { dropped: 2, seq: 1 }).trimEnd() + '\n' + JSON.stringify({ seq: 3, ...exit(2) }) + '\n';
    const r = judge(text);
    expect(r).toMatchObject({ ok: true, dropped: 2, events: 2 });
    expect(r.contracts[0]).toMatchObject({ id: 'P1.1', verdict: 'undecidable', line: 3, why: 'undecidable (2 events dropped): pid 2 has a exit event but no spawn before it' });
    const unaccounted = `${JSON.stringify({ seq: 0, ...spawn(1, 0) })}\n${JSON.stringify({ seq: 3, ...exit(1) })}\n`;
    expect(judge(unaccounted).contracts[1]).toMatchObject({ id: 'P1.2', verdict: 'fail', line: 2, why: 'seq 3 skips 1..2 with no drop record for them' });
  });

  it('without a header, one process may have no parent', () => {
    expect(judge(log(spawn(1, 0), spawn(7, 0))).contracts[0]).toMatchObject({ verdict: 'fail', line: 2, why: 'a second process without a parent (ppid 0): the first was spawned at line 1' });
    expect(judge(log(spawn(4, 0), spawn(5, 4), exit(4), exit(5), wake(5, 4))).contracts[3]).toMatchObject({ verdict: 'fail', why: 'wait-wakeup of 4 for pid 5, but its parent 4 exited at line 3' });
  });
});
