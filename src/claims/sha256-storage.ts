import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** What a file uploaded through Sha256Storage carries instead of its bytes. */
export interface HashedUpload {
  fieldname: string;
  originalname: string;
  sha256: string;
  size: number;
}

type Done = (error: Error | null, info?: Partial<HashedUpload>) => void;

/**
 * A multer storage engine that keeps nothing: it hashes the upload as it streams in (SHA-256) and hands the
 * controller the digest and the size. Checking a 70 MB claim file costs a hash, not 70 MB of memory or disk.
 */
export class Sha256Storage {
  _handleFile(_req: unknown, file: { stream: Readable }, done: Done): void {
    const hash = createHash('sha256');
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      hash.update(chunk);
    });
    file.stream.on('error', (e: Error) => done(e));
    file.stream.on('end', () => done(null, { sha256: hash.digest('hex'), size }));
  }

  _removeFile(_req: unknown, _file: unknown, done: (error: Error | null) => void): void {
    done(null);
  }
}
