// The SUT command line: splitting, placeholders, quoting back for the reproduce command, and
// runs that hang, flood or never start. Real programs run as uid 65534 in their own pid
// namespace (the safe wrapper), like every native run on this machine.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSutCommand, runSut, shellQuote, sutArgv, wantsEvents } from '../../src/sut/command.ts';
import { guardedSuite } from '../support/oracle.ts';
import { which } from '../support/real-linux.ts';

const WRAP = 'unshare --pid --fork --mount-proc setpriv --reuid=65534 --regid=65534 --clear-groups';

describe('the --sut command line', () => {
  it('is split like a shell splits it, and the ELF and its arguments are appended or placed', () => {
    const c = parseSutCommand(`qemu-riscv64 -E 'A=a b' "x\\"y" z\\ w`);
    expect(c.words).toEqual(['qemu-riscv64', '-E', 'A=a b', 'x"y', 'z w']);
    expect(sutArgv(c, '/t/elf', ['P'])).toEqual([...c.words, '/t/elf', 'P']);
    expect(sutArgv(parseSutCommand('emu --load={elf} -- {args} --end'), '/t/elf', ['P', 'Q'])).toEqual(['emu', '--load=/t/elf', '--', 'P', 'Q', '--end']);
    const logged = parseSutCommand('emu --events={events}');
    expect(wantsEvents(logged)).toBe(true);
    expect(wantsEvents(c)).toBe(false);
    expect(sutArgv(logged, '/t/elf', ['P'], '/t/ev.jsonl')).toEqual(['emu', '--events=/t/ev.jsonl', '/t/elf', 'P']);
  });

  it('refuses what it cannot do, in one line naming why', () => {
    expect(() => parseSutCommand('')).toThrow(/--sut needs a command/);
    expect(() => parseSutCommand("qemu 'open")).toThrow(/unterminated single quote/);
    expect(() => parseSutCommand('emu --root {rootfs}')).toThrow(/\{rootfs\}: .*not supported yet by gate P0.1-P0.4/);
    expect(() => parseSutCommand('emu {elfs}')).toThrow(/unknown placeholder \{elfs\}/);
    expect(() => parseSutCommand('emu x{args}')).toThrow(/\{args\} must be a word of its own/);
  });

  it('shellQuote gives back the same word through the splitter', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }).filter((w) => !/\{[a-z]+\}/.test(w)), { minLength: 1, maxLength: 5 }), (words) => {
        expect(parseSutCommand(words.map(shellQuote).join(' ')).words).toEqual(words);
      }),
      { numRuns: 300 },
    );
  });
});

guardedSuite('SUT runs', which('unshare') === null || which('setpriv') === null ? 'SUT runs: unshare/setpriv not found (fix: apt-get install util-linux)' : null, () => {
  const opts = { timeoutMs: 1000, maxOutput: 1 << 16, cwd: '/tmp' };
  const sh = (script: string) => [...WRAP.split(' '), 'sh', '-c', script, 'sh'];

  it('a hung SUT is killed (its whole process group) and reported as timed out', async () => {
    const t0 = performance.now();
    const r = await runSut(sh('sleep 30 & sleep 30'), opts);
    expect(r.kind).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('output beyond the bound ends the run as too large', async () => {
    const r = await runSut(sh('yes procsim'), opts);
    expect(r.kind).toBe('too-large');
  });

  it('exit status and signals come back in the trace\'s words; a missing command is a spawn error', async () => {
    expect(await runSut(sh('echo out; echo err >&2; exit 3'), opts)).toMatchObject({ kind: 'exit', status: 'exited 3', stdout: 'out\n', stderr: 'err\n' });
    expect((await runSut(['/nonexistent/emulator', 'x'], opts)).kind).toBe('spawn-error');
  });
});

describe('procsim gate --sut flags', () => {
  const gate = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/procsim.mjs'), 'gate', ...args], { encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr };
  };

  it('bad combinations and values are usage errors (exit 2) in one line', () => {
    expect(gate('--sut', 'qemu-riscv64', '--kernel', 'reference')).toEqual({ code: 2, stderr: expect.stringMatching(/^procsim: --kernel and --sut exclude each other/) });
    expect(gate('--sut-runs', '2')).toEqual({ code: 2, stderr: 'procsim: --sut-runs goes with --sut or --sut-module\n' });
    expect(gate('--sut', 'x', '--sut-timeout', 'soon').stderr).toMatch(/^procsim: --sut-timeout must be a number of seconds above 0/);
    expect(gate('--sut', 'emu {rootfs}').stderr).toMatch(/^procsim: --sut: \{rootfs\}: .*not supported yet/);
  });
});
