// Static glibc guests: procsim's runProgram against qemu-riscv64, same stdout, stderr and
// exit status. The binaries are committed in scenarios/guests/bin/ (the test global setup
// rebuilds a stale one); this suite needs qemu.
//
// fork-wait's children print in an order that is a scheduling choice, not a fixed answer, so
// it is not compared byte for byte here: only its behaviour under real Linux is checked (the
// process-model guests, test/oracle/process-model.test.ts, sequence their output instead).
import { existsSync, rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { guestPath } from '../support/guests.ts';
import { caseLabel, expectSameAsQemu, oracleSuite, type OracleCase } from '../support/oracle.ts';
import { runQemu } from '../support/real-linux.ts';

const ENV = ['PATH=/bin', 'HOME=/', 'LANG=C'];

/** Deterministic text lines, for stdin. */
function lines(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `line ${i} ${'x'.repeat(i % 97)}\n`;
  return s;
}

// file-io creates, uses and removes the directory named by its argument. Under qemu that is
// the host's /tmp, so the name must be unused; procsim gets the same argv (its /tmp is an
// in-memory file system), so both outputs, which mention the name, can match.
const madeDirs: string[] = [];
let dirCounter = 0;
function freshDir(): string[] {
  const dir = `/tmp/procsim-file-io-${process.pid}-${Date.now().toString(36)}-${dirCounter++}`;
  madeDirs.push(dir);
  return [dir];
}

const CASES: OracleCase[] = [
  { guest: 'hello-glibc', args: ['a'], exitCode: 0, stdout: /^hello from procsim\nargc=2 envc=3\n$/ },
  { guest: 'printf-float', exitCode: 0, stdout: /^%f {9}0\.000000\n[^]*strtod "4e-324"/ },
  {
    guest: 'setjmp',
    exitCode: 0,
    stdout: /outer setjmp returned 40 \(round 4\)[^]*longjmp with 0 gives 1/,
  },
  { guest: 'malloc-heavy', args: ['300'], exitCode: 0, stdout: /corrupt=no calloc-nonzero=0/ },
  { guest: 'malloc-heavy', args: ['3000'], exitCode: 0, stdout: /^ops=3000 [^]*corrupt=no/ },
  { guest: 'args-stdin', exitCode: 10, stdout: /PROCSIM_VAR=\(unset\)\nstdin: 0 bytes/ },
  {
    guest: 'args-stdin',
    args: ['one', 'two words', ''],
    env: [...ENV, 'PROCSIM_VAR=a value=with=equals'],
    stdin: 'hello\nworld\n',
    exitCode: 13,
    stdout: /argv\[2\]=two words\nargv\[3\]=\nPROCSIM_VAR=a value=with=equals\nstdin: 12 bytes, 2 lines/,
    stderr: /^args-stdin: done with 3 args\n$/,
  },
  {
    guest: 'args-stdin',
    args: ['big'],
    env: ['PROCSIM_VAR=x'],
    stdin: lines(3000),
    exitCode: 11,
    stdout: /stdin: \d{6} bytes, 3000 lines/,
  },
  {
    name: 'file-io in a fresh /tmp directory',
    guest: 'file-io',
    args: freshDir,
    exitCode: 0,
    stdout: /getcwd matches: yes\n[^]*hole bytes zero: yes\n[^]*rmdir dir: 0\n/,
  },
  { guest: 'file-io', exitCode: 2, stderr: /^usage: file-io/ },
  { guest: 'file-io', args: ['relative/dir'], exitCode: 2, stderr: /^usage: file-io/ },
];

oracleSuite('glibc guests: procsim vs qemu-riscv64', ['qemu'], () => {
  // If a host run of file-io died half-way, its directory is still in the real /tmp.
  afterEach(() => {
    for (const d of madeDirs.splice(0)) if (existsSync(d)) rmSync(d, { recursive: true, force: true });
  });

  for (const c of CASES) it(caseLabel(c), () => expectSameAsQemu(c, ENV));
});

oracleSuite('glibc guests under qemu-riscv64 only', ['qemu'], () => {
  it('fork-wait: the parent reaps its three children in order', () => {
    const r = runQemu(guestPath('fork-wait'), [], { argv0: '/bin/fork-wait', env: ENV });
    expect(r.exitCode, r.stderr.toString()).toBe(0);
    const out = r.stdout.toString().split('\n');
    expect(out.filter((l) => l.startsWith('parent:'))).toEqual([
      'parent: forking',
      'parent: child 0 exited with 0',
      'parent: child 1 exited with 1',
      'parent: child 2 exited with 2',
      'parent: waitpid after all: -1',
    ]);
    expect(out.filter((l) => l.startsWith('child')).sort()).toEqual([
      'child 0: ppid matches: yes',
      'child 1: ppid matches: yes',
      'child 2: ppid matches: yes',
    ]);
  });
});
