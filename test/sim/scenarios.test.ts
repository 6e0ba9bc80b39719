// The scenario loader: every committed scenario reads and resolves; bad files get one line
// naming the file and what is wrong.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenario, listScenarios, parseScenario, ScenarioError, scenarioNames, scenarioTarget } from '../../src/sim/scenarios.ts';

const good = {
  description: 'd',
  guest: 'fork-wait',
  argv: ['/bin/fork-wait'],
  linux: 'qemu',
  expect: { status: 'exited 0' },
};
const parse = (j: unknown): ReturnType<typeof parseScenario> => parseScenario('x', JSON.stringify(j));

describe('scenarios', () => {
  it('the committed scenarios load, with the named ones the gates need', () => {
    const all = listScenarios();
    expect(all.map((s) => s.name)).toEqual(scenarioNames());
    for (const n of ['fork-wait', 'exec-in-child', 'orphan-reparent', 'pipeline', 'redirect', 'shell-smoke']) {
      expect(all.some((s) => s.name === n), n).toBe(true);
    }
    expect(all.filter((s) => s.regression).length).toBeGreaterThanOrEqual(6);
    for (const s of all) expect(s.description.length, s.name).toBeGreaterThan(10);
  });

  it('findScenario finds by name and says undefined for an unknown or odd name', () => {
    expect(findScenario('fork-wait')?.argv).toEqual(['/bin/fork-wait']);
    expect(findScenario('no-such-scenario')).toBeUndefined();
    expect(findScenario('../package')).toBeUndefined();
  });

  it('a guest scenario is a target with the guest at /bin/NAME; a busybox one runs in the rootfs', () => {
    const t = scenarioTarget(findScenario('regress-args-stdin')!, 'phase1-bridge');
    expect(t).toMatchObject({ path: '/bin/args-stdin', argv: ['/bin/args-stdin', 'one', 'two words', ''], kernel: 'phase1-bridge' });
    expect(Buffer.from(t.stdin!).toString()).toBe('hello\nworld\n');
    expect(Buffer.from(t.elf!.subarray(0, 4)).toString('latin1')).toBe('\x7fELF');
    const s = parse({ ...good, guest: undefined, argv: undefined, busybox: ['sh', '-c', 'true'] });
    expect(s).toMatchObject({ busybox: true, argv: ['sh', '-c', 'true'], env: ['PATH=/bin', 'HOME=/root'], cwd: '/root' });
    expect(() => scenarioTarget(s, 'reference', '/nonexistent/rootfs')).toThrow(/needs busybox: \/nonexistent\/rootfs is missing \(fix: npm run busybox\)$/);
  });

  it('a debian scenario runs its program in the Debian rootfs, with a search step budget of its own', () => {
    const s = parse({ ...good, guest: undefined, argv: undefined, debian: ['/usr/bin/python3', '-c', 'pass'], search: { maxExecutions: 2, maxSteps: 9000 } });
    expect(s).toMatchObject({ debian: true, argv: ['/usr/bin/python3', '-c', 'pass'], env: ['PATH=/usr/bin:/bin', 'HOME=/root', 'LC_ALL=C'], cwd: '/root' });
    expect(s.search).toEqual({ maxExecutions: 2, maxSteps: 9000 });
    expect(() => scenarioTarget(s, 'reference', undefined, '/nonexistent/rootfs')).toThrow(/needs the Debian rootfs: .* is missing \(fix: npm run rootfs\)$/);
    expect(() => parse({ ...good, guest: undefined, argv: undefined, debian: ['python3'] })).toThrow(/absolute path/);
    expect(() => parse({ ...good, search: { maxExecutions: 2, maxSteps: 0 } })).toThrow(/maxSteps/);
  });

  it('defaults: no env, a reduced search of at most 400 executions, not a regression', () => {
    expect(parse(good)).toMatchObject({ env: [], regression: false, search: { maxExecutions: 400 } });
    expect(parse(good).search.preemptionBound).toBeUndefined();
  });

  it('a missing guest binary names the fix', () => {
    expect(() => scenarioTarget(parse({ ...good, guest: 'no-such-guest' }))).toThrow(/guest binary no-such-guest is missing .*npm run guests/);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not JSON', '{', /not JSON/],
    ['an array', [], /want a JSON object/],
    ['an unknown field', { ...good, colour: 1 }, /unknown field "colour"/],
    ['guest and busybox', { ...good, busybox: ['sh'] }, /either "guest"/],
    ['guest and debian', { ...good, debian: ['/bin/sh'] }, /either "guest"/],
    ['neither', { ...good, guest: undefined }, /either "guest"/],
    ['empty argv', { ...good, argv: [] }, /"argv" must be a non-empty list/],
    ['env not strings', { ...good, env: [1] }, /"env" must be a list of strings/],
    ['a bad oracle', { ...good, linux: 'bsd' }, /"linux" must be one of qemu, native, busybox-native/],
    ['a bad search', { ...good, search: { maxExecutions: 0 } }, /"search" wants/],
    ['a negative bound', { ...good, search: { preemptionBound: -1 } }, /"search" wants/],
    ['an unknown search field', { ...good, search: { depth: 3 } }, /unknown field "search.depth"/],
    ['no expect', { ...good, expect: undefined }, /"expect" must be an object/],
    ['a bad status', { ...good, expect: { status: 'ok' } }, /"expect.status" must be like/],
    ['stdout twice', { ...good, expect: { status: 'exited 0', stdout: '', stdoutLines: [] } }, /not both/],
    ['a relative cwd', { ...good, cwd: 'tmp' }, /"cwd" must be an absolute path/],
  ];
  for (const [what, j, msg] of bad) {
    it(`a bad file (${what}) is one line naming the file`, () => {
      let err: unknown;
      try {
        parseScenario('x', typeof j === 'string' ? j : JSON.stringify(j));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ScenarioError);
      const m = (err as Error).message;
      expect(m).toMatch(/^scenarios\/x\.json: /);
      expect(m).toMatch(msg);
      expect(m).not.toContain('\n');
    });
  }

  it('listScenarios stops at the first bad file in a directory, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procsim-scenarios-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'b.json'), '{"description": 3}');
    expect(() => listScenarios(dir)).toThrow(new RegExp(`^${join(dir, 'b.json')}: "description" must be a string$`));
    expect(findScenario('a', dir)?.name).toBe('a');
  });
});
