// Bad input from guests: a fork bomb, runaway memory, bad pointers, programs that are not
// programs, garbage signal frames, and arbitrary syscall arguments. The guest sees a Linux
// errno (or dies of a signal); the harness never throws and keeps going.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../../support/rv-asm.ts';
import { ERRNO } from '../../../src/process/errno.ts';
import { MMAP_BASE } from '../../../src/process/address-space.ts';
import { boot, runToExit } from '../../../src/process/run.ts';
import { CapturedConsole } from '../../../src/process/console.ts';
import { DEFAULT_MEMORY_LIMIT } from '../../../src/process/kernel.ts';
import { MEM_TOTAL_KB } from '../../../src/process/procfs.ts';
import { readGuest } from '../../support/guests.ts';
import { SIGCHLD, SIGSEGV } from '../../../src/process/signals.ts';
import { HANDLERS } from '../../../src/process/syscalls/table.ts';
import { A0, BUF, BUF_SIZE, PUPPET_ELF, PUPPET_PATH, Prog, S0, S1, S2, SYS, T0, World, enc } from './harness.ts';

const PAGE = 4096;
const MAP_PRIVATE = 0x02;
const MAP_ANONYMOUS = 0x20;
const PROT_RW = 3;

describe('a fork bomb', () => {
  // Every process forks until fork fails; then pid 1 writes the error and how many children
  // it made itself, and exits; the others exit at once.
  const bomb = new Prog()
    .li(S0, 0)
    .label('loop')
    .sys(SYS.clone, SIGCHLD, 0, 0, 0, 0)
    .b('blt', A0, 0, 'full')
    .b('beq', A0, 0, 'loop')
    .i(A.addi(S0, S0, 1))
    .j('loop')
    .label('full')
    .i(A.mv(S1, A0))
    .sys(SYS.getpid)
    .li(T0, 1)
    .b('bne', A0, T0, 'quit')
    .li(S2, BUF)
    .i(A.sd(S1, S2, 0), A.sd(S0, S2, 8))
    .sys(SYS.write, 1, BUF, 16)
    .label('quit')
    .sys(SYS.exit, 0);

  for (const maxProcs of [16, 512]) {
    it(`fills a table of ${maxProcs}, gets EAGAIN, and the run ends normally`, () => {
      const w = new World({ elf: bomb.elf(), maxProcs });
      const end = runToExit(w.k, w.init, 1e8);
      expect(end).toMatchObject({ exitCode: 0, budgetExceeded: undefined, deadlock: undefined });
      const out = new DataView(w.con.stdout.buffer);
      expect(w.con.stdout.length).toBe(16);
      expect(Number(out.getBigInt64(0, true))).toBe(-ERRNO.EAGAIN);
      const own = Number(out.getBigInt64(8, true));
      expect(own).toBeGreaterThan(0);
      expect(own).toBeLessThan(maxProcs);
      const spawns = w.k.events.drain().events.filter((e) => e.kind === 'spawn');
      expect(spawns.length).toBe(maxProcs); // exactly a full table, init included
      expect([...w.k.procs.keys()]).toEqual([1]);
      // The harness goes on: a fresh kernel runs a program as usual.
      const again = new World();
      expect(again.sys(again.init, SYS.getpid)).toBe(1);
    });
  }
});

describe('a machine out of memory', () => {
  // pm-bad hog: 8 children each touch 16 MiB at once (128 MiB in all) while the parent waits.
  const hog = (limit: number) => {
    const console = new CapturedConsole();
    const { kernel, init } = boot({ elf: readGuest('pm-bad'), path: '/bin/pm-bad', argv: ['pm-bad', 'hog'], memoryLimit: limit }, 1, console);
    const end = runToExit(kernel, init, 1e9);
    return { end, out: Buffer.from(console.stdout).toString(), budget: kernel.memory };
  };

  it('OOM-kills (SIGKILL) the processes whose pages do not fit, never more than the limit in use; the rest go on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 160 }), (mib) => {
        const { end, out, budget } = hog(mib << 20);
        expect(end.exitCode).toBe(0);
        expect(out).toContain('the parent carries on: yes\n');
        const m = /hog children: (\d) exited 0, (\d) killed by SIGKILL, 0 otherwise/.exec(out);
        expect(m, out).not.toBeNull();
        const [exited, killed] = [Number(m![1]), Number(m![2])];
        expect(exited + killed).toBe(8);
        expect(budget.peak).toBeLessThanOrEqual(budget.limit);
        if (mib >= 140) expect(killed).toBe(0); // 128 MiB and the programs fit
        if (mib <= 64) expect(killed).toBeGreaterThan(0);
        expect(budget.used).toBeLessThan(budget.limit); // the dead gave their pages back
      }),
      { numRuns: 8 },
    );
  });

  it('the default machine (4 GiB) runs it as Linux does: every child exits', () => {
    expect(DEFAULT_MEMORY_LIMIT).toBe(MEM_TOTAL_KB * 1024);
    const { out } = hog(DEFAULT_MEMORY_LIMIT);
    expect(out).toContain('hog children: 8 exited 0, 0 killed by SIGKILL, 0 otherwise\n');
  });
});

describe('runaway memory', () => {
  it('brk stops growing below the mmap area: the break stays, as Linux reports it', () => {
    const w = new World();
    const p = w.init;
    const start = w.sys(p, SYS.brk, 0) as number;
    expect(start).toBe(p.brkStart);
    let cur = start;
    for (let i = 0; i < 64; i++) {
      const want = cur + (64 << 20);
      const got = w.sys(p, SYS.brk, want) as number;
      if (got !== want) {
        expect(got).toBe(cur);
        break;
      }
      cur = got;
    }
    expect(cur).toBeLessThan(MMAP_BASE);
    expect(cur).toBeGreaterThan(MMAP_BASE - (64 << 20) * 2);
    expect(w.sys(p, SYS.brk, start - PAGE)).toBe(cur); // below the floor: refused
    expect(w.sys(p, SYS.brk, start)).toBe(start); // shrinking works, and unmaps
    expect(p.mem.anyMapped(start + PAGE, 1 << 20)).toBe(false);
  });

  it('mmap fails with ENOMEM once the area is exhausted, and recovers after munmap', () => {
    const w = new World();
    const p = w.init;
    const size = 256 << 20;
    expect(w.sys(p, SYS.mmap, 0, 2 ** 40, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).toBe(-ERRNO.ENOMEM);
    const got: number[] = [];
    for (let i = 0; i < 64; i++) {
      const r = w.sys(p, SYS.mmap, 0, size, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) as number;
      if (r < 0) {
        expect(r).toBe(-ERRNO.ENOMEM);
        break;
      }
      got.push(r);
    }
    expect(got.length).toBeGreaterThan(1);
    expect(got.length).toBeLessThan(64);
    expect(new Set(got).size).toBe(got.length);
    expect(w.sys(p, SYS.munmap, got[1], size)).toBe(0);
    expect(w.sys(p, SYS.mmap, 0, size, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).toBe(got[1]);
    expect(w.sys(p, SYS.getpid)).toBe(1);
  });

  it('a page limit turns into ENOMEM for mmap and a refused brk, not a host error', () => {
    const w = new World();
    const p = w.init;
    p.mem.maxPages = p.mem.mappedPages + 8;
    expect(w.sys(p, SYS.mmap, 0, 16 * PAGE, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).toBe(-ERRNO.ENOMEM);
    const cur = w.sys(p, SYS.brk, 0) as number;
    expect(w.sys(p, SYS.brk, cur + 16 * PAGE)).toBe(cur);
    expect(w.sys(p, SYS.mmap, 0, 4 * PAGE, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).toBeGreaterThan(0);
    const c = w.fork(p); // the limit is inherited
    expect(w.sys(c, SYS.mmap, 0, 8 * PAGE, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).toBe(-ERRNO.ENOMEM);
  });
});

describe('bad pointers give EFAULT', () => {
  it('read into a bad buffer, write from one, pipe2 and wait4 status to one', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    expect(w.sys(p, SYS.write, wr, BUF, 3)).toBe(3);
    expect(w.sys(p, SYS.read, r, 0x10, 3)).toBe(-ERRNO.EFAULT);
    expect(w.sys(p, SYS.write, wr, 0x10, 3)).toBe(-ERRNO.EFAULT);
    expect(w.sys(p, SYS.write, wr, BUF + BUF_SIZE + 0x1000 - 2, 100)).toBe(-ERRNO.EFAULT); // runs off the end
    expect(w.sys(p, SYS.pipe2, 0x10, 0)).toBe(-ERRNO.EFAULT);
    expect(w.pipe(p)).toEqual([5, 6]); // the failed pipe2 leaked no descriptor
    const c = w.fork(p);
    expect(w.sys(c, SYS.exit, 1)).toBe('dead');
    expect(w.sys(p, SYS.wait4, c.pid, 0x10, 0, 0)).toBe(-ERRNO.EFAULT);
    expect(w.sys(p, SYS.getpid)).toBe(1);
  });

  it('a read into a bad buffer leaves the pipe bytes for the next read (as Linux pipe_read)', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    w.poke(p, BUF, enc('abc'));
    expect(w.sys(p, SYS.write, wr, BUF, 3)).toBe(3);
    expect(w.sys(p, SYS.read, r, 0x10, 3)).toBe(-ERRNO.EFAULT);
    expect(w.sys(p, SYS.read, r, BUF + 8, 3)).toBe(3);
    expect(Buffer.from(w.peek(p, BUF + 8, 3)).toString()).toBe('abc');
  });

  it('wait4 with a bad status pointer reaps the child and says EFAULT (as Linux kernel_wait4)', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    expect(w.sys(c, SYS.exit, 3)).toBe('dead');
    expect(w.sys(p, SYS.wait4, c.pid, 0x10, 0, 0)).toBe(-ERRNO.EFAULT);
    expect(c.state).toBe('reaped');
    expect(w.sys(p, SYS.wait4, -1, 0, 1, 0)).toBe(-ERRNO.ECHILD);
  });

  it('every pointer argument of the common calls: EFAULT, and the process carries on (property)', () => {
    const bad = fc.oneof(
      fc.integer({ min: 1, max: 0xfff0 }), // below the program (0 is NULL: "no argument" for some calls)
      fc.integer({ min: 0x1000_0000, max: 0x7000_0000 }), // between heap and mmap area
      fc.constantFrom(2 ** 32, 2 ** 40, -1, -4096, 2 ** 53),
    );
    type Call = (a: number) => (number | bigint)[];
    const calls: [string, number, Call][] = [
      ['read', SYS.read, (a) => [3, a, 3]],
      ['write', SYS.write, (a) => [4, a, 3]],
      ['pipe2', SYS.pipe2, (a) => [a, 0]],
      ['clock_gettime', SYS.clock_gettime, (a) => [1, a]],
      ['nanosleep', SYS.nanosleep, (a) => [a, 0]],
      ['rt_sigaction', SYS.rt_sigaction, (a) => [10, a, 0, 8]],
      ['rt_sigprocmask', SYS.rt_sigprocmask, (a) => [0, a, 0, 8]],
      ['sigaltstack', SYS.sigaltstack, (a) => [a, 0]],
      ['uname', SYS.uname, (a) => [a]],
      ['getrandom', SYS.getrandom, (a) => [a, 16, 0]],
      ['openat', SYS.openat, (a) => [-100, a, 0, 0]],
      ['execve', SYS.execve, (a) => [a, 0, 0]],
      ['readv', SYS.readv, (a) => [3, a, 1]],
      ['writev', SYS.writev, (a) => [4, a, 1]],
      ['ppoll', SYS.ppoll, (a) => [a, 1, 0, 0, 8]],
      ['getcwd', SYS.getcwd, (a) => [a, 64]],
      ['fstat', SYS.fstat, (a) => [0, a]],
      ['sysinfo', SYS.sysinfo, (a) => [a]],
      ['prlimit64', SYS.prlimit64, (a) => [0, 7, 0, a]],
      ['chdir', SYS.chdir, (a) => [a]],
      ['wait4 rusage', SYS.wait4, (a) => [-1, 0, 1, a]],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...calls), bad, ([, nr, args], addr) => {
        const w = new World();
        const p = w.init;
        w.pipe(p);
        expect(w.sys(p, SYS.write, 4, BUF, 3)).toBe(3);
        w.poke(p, BUF, enc('keep'));
        const c = w.fork(p);
        expect(w.sys(c, SYS.exit, 0)).toBe('dead');
        expect(w.sys(p, nr, ...args(addr))).toBe(-ERRNO.EFAULT);
        expect(w.sys(p, SYS.getpid)).toBe(1);
        expect(Buffer.from(w.peek(p, BUF, 4)).toString()).toBe('keep');
      }),
      { numRuns: 200 },
    );
  });
});

describe('programs that are not programs', () => {
  const files = [
    { path: '/data.bin', bytes: enc('just some data\n'), mode: 0o755 },
    { path: '/bad.elf', bytes: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(56).fill(0xee)]), mode: 0o755 },
    { path: '/short.elf', bytes: PUPPET_ELF.subarray(0, 100), mode: 0o755 },
    { path: '/noexec', bytes: PUPPET_ELF, mode: 0o644 },
    { path: '/empty.sh', bytes: enc('#!\n'), mode: 0o755 },
    { path: '/nointerp.sh', bytes: enc('#!/no/such/interpreter\n'), mode: 0o755 },
    { path: '/loop.sh', bytes: enc('#!/loop.sh\n'), mode: 0o755 },
  ];

  function exec(w: World, path: string): number | string {
    const p = w.init;
    w.poke(p, BUF + 0x100, enc(`${path}\0`));
    w.putU64(p, BUF + 0x200, BUF + 0x100, 0);
    return w.sys(p, SYS.execve, BUF + 0x100, BUF + 0x200, BUF + 0x208);
  }

  it.each([
    ['/data.bin', ERRNO.ENOEXEC],
    ['/bad.elf', ERRNO.ENOEXEC],
    ['/short.elf', ERRNO.ENOEXEC],
    ['/noexec', ERRNO.EACCES],
    ['/', ERRNO.EACCES],
    ['/missing', ERRNO.ENOENT],
    ['/empty.sh', ERRNO.ENOEXEC],
    ['/nointerp.sh', ERRNO.ENOENT],
    ['/loop.sh', ERRNO.ELOOP],
  ])('execve(%s) fails with errno %i and leaves the image intact', (path, errno) => {
    const w = new World({ files });
    const p = w.init;
    w.poke(p, BUF, enc('image'));
    const events = w.k.events.drain().events.length;
    expect(events).toBeGreaterThan(0);
    expect(exec(w, path)).toBe(-errno);
    expect(w.sys(p, SYS.getpid)).toBe(1);
    expect(Buffer.from(w.peek(p, BUF, 5)).toString()).toBe('image');
    expect(p.exe).toBe(PUPPET_PATH);
    expect(w.k.events.drain().events.filter((e) => e.kind === 'exec')).toEqual([]);
  });

  it('a valid exec after the failures works', () => {
    const w = new World({ files });
    expect(exec(w, '/data.bin')).toBe(-ERRNO.ENOEXEC);
    expect(exec(w, PUPPET_PATH)).toBe(0);
    expect(w.k.events.drain().events.filter((e) => e.kind === 'exec').length).toBe(2); // spawnInit's and this one
  });
});

describe('garbage handed to the kernel', () => {
  it('rt_sigreturn with a garbage frame pointer kills with SIGSEGV; the harness goes on', () => {
    const prog = new Prog().li(2, 0x1234_5000).sys(SYS.rt_sigreturn).sys(SYS.exit, 0);
    const w = new World({ elf: prog.elf() });
    const end = runToExit(w.k, w.init, 1e6);
    expect(end).toMatchObject({ exitCode: 128 + SIGSEGV, signal: SIGSEGV });
  });

  it('an unknown syscall returns ENOSYS and is counted', () => {
    const w = new World();
    expect(w.sys(w.init, 4000)).toBe(-ERRNO.ENOSYS);
    expect(w.sys(w.init, 4000)).toBe(-ERRNO.ENOSYS);
    expect(w.k.unknownSyscalls.get(4000)).toBe(2);
  });

  // Arguments from values that break naive code: zero, negatives, huge sizes, unmapped and
  // partly mapped addresses, 2^53.
  const value = fc.constantFrom(
    0, 1, 2, 3, 4, 8, 64, 4096, -1, -2, -100, -4096, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, -(2 ** 40), 2 ** 53,
    0x7ffff000, 0x1000, BUF, BUF + BUF_SIZE - 8, 0xc000_0000 - 8,
  );
  const call = fc.record({ nr: fc.constantFrom(...HANDLERS.flatMap((h, nr) => (h ? [nr] : []))), args: fc.array(value, { minLength: 6, maxLength: 6 }) });

  it('any sequence of syscalls with any arguments: an errno, a result, a block or a death, never a host exception (property)', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 4 }), (calls) => {
        const w = new World();
        const p = w.init;
        w.pipe(p);
        for (const { nr, args } of calls) {
          const r = w.sys(p, nr, ...args);
          if (typeof r === 'number') {
            expect(Number.isFinite(r)).toBe(true);
            if (r < 0) expect(r).toBeGreaterThanOrEqual(-4095);
          }
          if (r === 'dead' || r === 'blocked' || !p.atSyscall) return;
        }
        expect(w.sys(p, SYS.getpid)).toBe(1);
      }),
      { numRuns: 400 },
    );
  });
});


