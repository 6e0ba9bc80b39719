// A small tar reader: ustar, GNU (long names 'L'/'K', base-256 numbers) and pax ('x' headers
// for path, linkpath, size, mtime). A gzip-compressed archive is inflated first. Names are
// byte strings (latin1), like every name in the filesystem.
import { gunzipSync } from 'node:zlib';

export type TarType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo';

export interface TarEntry {
  /** Path as stored, without leading "./" or "/" ('' for the archive root). */
  path: string;
  type: TarType;
  mode: number;
  mtime: number;
  /** Target of a symlink, or the archive path (normalised like `path`) of a hard link's file. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** File content: a view into the archive bytes. */
  data: Uint8Array;
}

const BLOCK = 512;
const TYPES: Record<string, TarType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'chardev',
  '4': 'blockdev',
  '5': 'dir',
  '6': 'fifo',
};

export class TarError extends Error {}

function str(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + off, end - off).toString('latin1');
}

/** An octal ASCII field, or GNU base-256 when the high bit of the first byte is set. */
function num(b: Uint8Array, off: number, len: number, at: number): number {
  if (b[off] & 0x80) {
    let v = b[off] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i];
    return v;
  }
  const s = str(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarError(`tar: bad numeric field ${JSON.stringify(s)} in header at offset ${at}`);
  return parseInt(s, 8);
}

function checksumOk(b: Uint8Array, off: number): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[off + i];
  return sum === num(b, off + 148, 8, off);
}

function isZeroBlock(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[off + i] !== 0) return false;
  return true;
}

/** pax extended header records: "<len> <key>=<value>\n". */
function paxRecords(data: Uint8Array, at: number): Map<string, string> {
  const out = new Map<string, string>();
  const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    const len = parseInt(text.slice(i, sp), 10);
    if (sp < 0 || !(len > 0) || i + len > text.length) throw new TarError(`tar: bad pax header at offset ${at}`);
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

function normalise(path: string, at: number): string {
  const parts = path.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw new TarError(`tar: entry ${JSON.stringify(path)} at offset ${at} escapes the root`);
  return parts.join('/');
}

function gunzip(input: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(input));
  } catch (e) {
    throw new TarError(`tar: bad gzip data: ${(e as Error).message}`);
  }
}

export function parseTar(input: Uint8Array): TarEntry[] {
  const b = input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b ? gunzip(input) : input;
  if (b.length > 0 && b.length < BLOCK) throw new TarError('tar: archive shorter than one header');
  const entries: TarEntry[] = [];
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  let off = 0;
  while (off + BLOCK <= b.length) {
    if (isZeroBlock(b, off)) break;
    if (!checksumOk(b, off)) throw new TarError(`tar: bad header checksum at offset ${off}`);
    const flag = String.fromCharCode(b[off + 156]);
    const size = pax.has('size') ? Number(pax.get('size')) : num(b, off + 124, 12, off);
    const dataStart = off + BLOCK;
    const hasData = flag !== '1' && flag !== '2' && flag !== '5';
    const dataLen = hasData ? size : 0;
    if (dataStart + dataLen > b.length) throw new TarError(`tar: truncated entry at offset ${off}`);
    const data = b.subarray(dataStart, dataStart + dataLen);
    const next = dataStart + Math.ceil(dataLen / BLOCK) * BLOCK;
    if (flag === 'L' || flag === 'K') {
      const s = str(data, 0, data.length);
      if (flag === 'L') longName = s;
      else longLink = s;
    } else if (flag === 'x') {
      pax = paxRecords(data, off);
    } else if (flag === 'g') {
      // Global pax headers carry archive-wide defaults we do not use (comments, charsets).
    } else {
      const type = TYPES[flag];
      if (!type) throw new TarError(`tar: unsupported entry type ${JSON.stringify(flag)} at offset ${off}`);
      const magic = str(b, off + 257, 6);
      const posix = magic === 'ustar';
      const ustar = posix || magic === 'ustar ';
      // GNU archives use the prefix field for other things; only POSIX ustar has a prefix.
      const prefix = posix ? str(b, off + 345, 155) : '';
      const rawLink = pax.get('linkpath') ?? longLink ?? str(b, off + 157, 100);
      const rawName = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${str(b, off, 100)}` : str(b, off, 100));
      entries.push({
        path: normalise(rawName, off),
        type,
        mode: num(b, off + 100, 8, off) & 0o7777,
        mtime: pax.has('mtime') ? Math.floor(Number(pax.get('mtime'))) : num(b, off + 136, 12, off),
        linkname: type === 'hardlink' ? normalise(rawLink, off) : rawLink,
        devmajor: ustar ? num(b, off + 329, 8, off) : 0,
        devminor: ustar ? num(b, off + 337, 8, off) : 0,
        data,
      });
      longName = longLink = undefined;
      pax = new Map();
    }
    off = next;
  }
  return entries;
}
