import { createInflateRaw } from 'node:zlib';

// An .xlsx is a zip. Before any XML parser sees it, its entries are measured here: what they really inflate to, not
// what their headers claim, so that a zip bomb (a small upload that unpacks to gigabytes) is refused cheaply, with
// flat memory and without blocking the event loop (inflating runs on libuv's thread pool, chunk by chunk).

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const STORED = 0;
const DEFLATED = 8;

export interface XlsxLimits {
  /** Entries in the zip (a workbook of ours has about a dozen). */
  maxEntries: number;
  /** The sum of all entries' inflated sizes. */
  maxUnpackedBytes: number;
}

export type XlsxCheck = { ok: true; unpackedBytes: number } | { ok: false; reason: 'NOT_A_ZIP' | 'TOO_LARGE' };

interface Entry {
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

/**
 * Checks that `buffer` is a plain zip whose entries, laid end to end with nothing hidden between them (a streaming
 * unzipper reads every local entry, listed or not), inflate to at most `maxUnpackedBytes` together.
 */
export async function checkXlsxZip(buffer: Buffer, limits: XlsxLimits): Promise<XlsxCheck> {
  const entries = centralDirectory(buffer, limits.maxEntries);
  if (entries === 'TOO_LARGE') return { ok: false, reason: 'TOO_LARGE' };
  if (entries === null) return { ok: false, reason: 'NOT_A_ZIP' };
  // The headers first: a bomb that declares its size is refused without inflating a byte.
  let declared = 0;
  for (const e of entries) declared += e.uncompressedSize;
  if (declared > limits.maxUnpackedBytes) return { ok: false, reason: 'TOO_LARGE' };

  let unpacked = 0;
  for (const e of entries) {
    const data = localData(buffer, e);
    if (data === null) return { ok: false, reason: 'NOT_A_ZIP' };
    const budget = limits.maxUnpackedBytes - unpacked;
    let size: number;
    if (e.method === STORED) size = data.length;
    else if (e.method === DEFLATED) {
      const inflated = await inflatedSize(data, budget);
      if (inflated === null) return { ok: false, reason: 'NOT_A_ZIP' };
      size = inflated;
    } else return { ok: false, reason: 'NOT_A_ZIP' };
    if (size > budget) return { ok: false, reason: 'TOO_LARGE' };
    unpacked += size;
  }
  return { ok: true, unpackedBytes: unpacked };
}

/** The central directory's entries; null when this is no zip (or a zip64 / multi-disk one, never an .xlsx of ours). */
function centralDirectory(buffer: Buffer, maxEntries: number): Entry[] | null | 'TOO_LARGE' {
  const eocd = findEndOfCentralDirectory(buffer);
  if (eocd < 0) return null;
  const count = buffer.readUInt16LE(eocd + 10);
  const size = buffer.readUInt32LE(eocd + 12);
  const offset = buffer.readUInt32LE(eocd + 16);
  if (buffer.readUInt16LE(eocd + 4) !== 0 || count === 0xffff || offset === 0xffffffff) return null;
  if (count > maxEntries) return 'TOO_LARGE';
  if (offset + size > eocd) return null;
  const entries: Entry[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || buffer.readUInt32LE(p) !== CENTRAL) return null;
    const entry: Entry = {
      flags: buffer.readUInt16LE(p + 8),
      method: buffer.readUInt16LE(p + 10),
      compressedSize: buffer.readUInt32LE(p + 20),
      uncompressedSize: buffer.readUInt32LE(p + 24),
      localOffset: buffer.readUInt32LE(p + 42),
    };
    // 0xffffffff: the real size is in a zip64 field; an .xlsx within our upload limit never needs one.
    if (entry.compressedSize === 0xffffffff || entry.uncompressedSize === 0xffffffff) return 'TOO_LARGE';
    entries.push(entry);
    p += 46 + buffer.readUInt16LE(p + 28) + buffer.readUInt16LE(p + 30) + buffer.readUInt16LE(p + 32);
  }
  // Local entries must follow each other with nothing between them and end where the directory starts.
  entries.sort((a, b) => a.localOffset - b.localOffset);
  let expected = 0;
  for (const e of entries) {
    if (e.localOffset !== expected) return null;
    const data = localData(buffer, e);
    if (data === null) return null;
    expected = data.byteOffset - buffer.byteOffset + data.length;
    if (e.flags & 0x8) expected += dataDescriptorLength(buffer, expected);
  }
  return expected === offset ? entries : null;
}

function findEndOfCentralDirectory(buffer: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535.
  for (let p = buffer.length - 22; p >= 0 && p >= buffer.length - 22 - 0xffff; p--) {
    if (buffer.readUInt32LE(p) === EOCD) return p;
  }
  return -1;
}

/** The compressed bytes of an entry, found through its local header; null when the header is not where it says. */
function localData(buffer: Buffer, e: Entry): Buffer | null {
  const p = e.localOffset;
  if (p + 30 > buffer.length || buffer.readUInt32LE(p) !== LOCAL) return null;
  const start = p + 30 + buffer.readUInt16LE(p + 26) + buffer.readUInt16LE(p + 28);
  if (start + e.compressedSize > buffer.length) return null;
  return buffer.subarray(start, start + e.compressedSize);
}

/** A data descriptor follows the data when flag bit 3 is set: CRC and sizes, with or without its signature. */
function dataDescriptorLength(buffer: Buffer, at: number): number {
  return at + 4 <= buffer.length && buffer.readUInt32LE(at) === DATA_DESCRIPTOR ? 16 : 12;
}

/** How many bytes `data` inflates to; stops (and answers budget + 1) as soon as it passes the budget. */
function inflatedSize(data: Buffer, budget: number): Promise<number | null> {
  return new Promise((resolve) => {
    const inflater = createInflateRaw();
    let size = 0;
    let settled = false;
    const settle = (value: number | null) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    inflater.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > budget) {
        settle(budget + 1);
        inflater.destroy();
      }
    });
    inflater.on('end', () => settle(size));
    inflater.on('error', () => settle(null));
    inflater.end(data);
  });
}
