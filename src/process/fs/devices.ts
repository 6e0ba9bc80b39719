// Character device drivers, keyed by device number (st_rdev).
//
// A device inode only names a device number; its behaviour is the driver registered for that
// number here, so a device node seeded from an archive works once its driver exists and is
// ENXIO otherwise (as Linux does for a device without a driver). The kernel may register
// more drivers (a terminal, say) in the same table.
import { FsError } from './fs-error.ts';
import { makedev } from './flags.ts';

export interface DeviceDriver {
  /** Up to `len` bytes read at `offset` (an empty array is end of file). */
  read(offset: number, len: number): Uint8Array;
  /** Writes `data` at `offset`; returns how many bytes were taken. May throw FsError. */
  write(offset: number, data: Uint8Array): number;
}

export class DeviceTable {
  private drivers = new Map<number, DeviceDriver>();

  register(rdev: number, driver: DeviceDriver): void {
    this.drivers.set(rdev, driver);
  }

  /** The driver of `rdev`; ENXIO when none is registered. */
  get(rdev: number): DeviceDriver {
    const d = this.drivers.get(rdev);
    if (!d) throw new FsError('ENXIO');
    return d;
  }
}

/** Source of random bytes; the kernel derives it from the run seed (never host randomness). */
export type RandomSource = (n: number) => Uint8Array;

export const DEV_NULL = makedev(1, 3);
export const DEV_ZERO = makedev(1, 5);
export const DEV_FULL = makedev(1, 7);
export const DEV_RANDOM = makedev(1, 8);
export const DEV_URANDOM = makedev(1, 9);
/** The controlling terminal: no driver, so opening it is ENXIO (no controlling tty). */
export const DEV_TTY = makedev(5, 0);

const nullDriver: DeviceDriver = {
  read: () => new Uint8Array(0),
  write: (_off, data) => data.length,
};

const zeroDriver: DeviceDriver = {
  read: (_off, len) => new Uint8Array(len),
  write: (_off, data) => data.length,
};

const fullDriver: DeviceDriver = {
  read: (_off, len) => new Uint8Array(len),
  write: () => {
    throw new FsError('ENOSPC');
  },
};

function randomDriver(random: RandomSource): DeviceDriver {
  // Writes are accepted and ignored: Linux mixes them into the pool without crediting entropy.
  return { read: (_off, len) => random(len), write: (_off, data) => data.length };
}

/** The memory devices of /dev (name -> device number, driver), in /dev listing order. */
export function memoryDevices(random: RandomSource): [string, number, DeviceDriver][] {
  const rnd = randomDriver(random);
  return [
    ['null', DEV_NULL, nullDriver],
    ['zero', DEV_ZERO, zeroDriver],
    ['full', DEV_FULL, fullDriver],
    ['random', DEV_RANDOM, rnd],
    ['urandom', DEV_URANDOM, rnd],
  ];
}
