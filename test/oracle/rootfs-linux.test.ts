// The real-Linux oracle for dynamically linked riscv64 programs (test/support/rootfs-linux.ts)
// checked on itself: it runs Debian's riscv64 programs from .cache/rootfs (npm run rootfs),
// every child is riscv64 under qemu (never a host binary of the same path), the guest is root
// of its namespace while the host process is uid 65534, and a run never changes the cache.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { guardedSuite } from '../support/oracle.ts';
import { GUEST_HOST_UID, ROOTFS_ROOT, asGuestResult, rootfsLinuxUnavailable, runInRootfsLinux } from '../support/rootfs-linux.ts';

const ENV = ['PATH=/usr/bin:/bin', 'HOME=/root', 'LC_ALL=C'];
const run = (argv: string[], opts: Parameters<typeof runInRootfsLinux>[1] = {}) =>
  runInRootfsLinux(argv, { env: ENV, timeoutMs: 20_000, ...opts });
const out = (r: { stdout: Buffer }) => r.stdout.toString();

guardedSuite('real Linux in the riscv64 rootfs', rootfsLinuxUnavailable(), () => {
  it("dash -c 'echo hi' prints hi and exits 0", () => {
    const r = run(['dash', '-c', 'echo hi']);
    expect(r.stderr.toString()).toBe('');
    expect(out(r)).toBe('hi\n');
    expect(r.status).toBe(0);
    expect(r.signal).toBeNull();
  });

  it('children a shell execs are riscv64 programs too (uname -m under bash)', () => {
    const r = run(['bash', '-c', 'uname -m; echo "$(uname -m)" | cat; /bin/sh -c "uname -sm"']);
    expect(r.stderr.toString()).toBe('');
    expect(out(r)).toBe('riscv64\nriscv64\nLinux riscv64\n');
    expect(r.status).toBe(0);
  });

  it('the guest is root of its namespace, which is uid 65534 outside', () => {
    // uid_map: inside 0 is outside GUEST_HOST_UID, one id; the host process ran as 65534.
    const r = run(['sh', '-c', 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; stat -c "%U %G" /etc/passwd']);
    expect(r.stderr.toString()).toBe('');
    const [uid, gid, uidMap, gidMap, owner] = out(r).split('\n');
    expect([uid, gid]).toEqual(['0', '0']);
    expect(uidMap.trim().split(/\s+/)).toEqual(['0', String(GUEST_HOST_UID), '1']);
    expect(gidMap.trim().split(/\s+/)).toEqual(['0', String(GUEST_HOST_UID), '1']);
    expect(owner).toBe('root root');
  });

  it('the command has the given argv, cwd and stdin, its own session, and exits with its status', () => {
    const r = run(['sh', '-c', 'echo "$0 $1"; pwd; cat; echo "$$ $PPID"; python3 -c "import os; print(os.getsid(0), os.getpgrp())"; exit 7', 'zero', 'one'], {
      cwd: '/tmp',
      stdin: 'from stdin\n',
    });
    expect(r.stderr.toString()).toBe('');
    // pid 2, the child of the namespace's reaper, in a session (and group) of its own
    expect(out(r)).toBe('zero one\n/tmp\nfrom stdin\n2 1\n2 2\n');
    expect(r.status).toBe(7);
  });

  it('the command gets exactly the given environment, in order', () => {
    const r = run(['env'], { env: ['B=2', 'A=1', 'PATH=/usr/bin'] });
    expect(out(r)).toBe('B=2\nA=1\nPATH=/usr/bin\n');
    // a name twice cannot be passed on (env -i keeps one): refused, not silently changed
    expect(() => run(['env'], { env: ['A=1', 'A=2'] })).toThrow(/names A twice/);
  });

  it('a command killed by a signal reports the signal, not a status', () => {
    const r = asGuestResult(run(['sh', '-c', 'kill -SEGV $$']));
    expect(r.exitCode).toBe(128 + 11);
    expect(r.signal).toBe(11);
  });

  it('writes go to the run, never to the cached tree', () => {
    const before = readFileSync(join(ROOTFS_ROOT, 'etc', 'passwd'));
    const r = run(['sh', '-c', 'echo x > /tmp/f && cat /tmp/f && echo broken > /etc/passwd && rm -f /usr/bin/tar && mkdir r && cd r && echo ok']);
    expect(r.stderr.toString()).toBe('');
    expect(out(r)).toBe('x\nok\n');
    expect(readFileSync(join(ROOTFS_ROOT, 'etc', 'passwd'))).toEqual(before);
    expect(existsSync(join(ROOTFS_ROOT, 'usr', 'bin', 'tar'))).toBe(true);
    expect(existsSync(join(ROOTFS_ROOT, 'tmp', 'f'))).toBe(false);
    // and the next run starts from the cache again
    expect(out(run(['sh', '-c', 'ls /tmp; command -v tar']))).toBe('/usr/bin/tar\n');
  });

  it('python3 imports from checked-hash .pyc and does not write them', () => {
    const r = run(['python3', '-c', 'import subprocess, sys; print(sys.implementation.cache_tag); print(subprocess.__cached__)'], {
      env: [...ENV, 'PYTHONDONTWRITEBYTECODE='],
    });
    expect(r.stderr.toString()).toBe('');
    expect(out(r)).toBe('cpython-313\n/usr/lib/python3.13/__pycache__/subprocess.cpython-313.pyc\n');
    const pyc = readFileSync(join(ROOTFS_ROOT, 'usr/lib/python3.13/__pycache__/subprocess.cpython-313.pyc'));
    expect(pyc.readUInt32LE(4), 'pyc flags: checked hash').toBe(3);
  });
});
