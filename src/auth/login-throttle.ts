import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FAILURE_WINDOW_SECONDS, LoginBucket, UNKNOWN_ADDRESS } from './login-limits';

class BucketFull extends Error {
  constructor(readonly bucket: LoginBucket) {
    super(bucket.key);
  }
}

/** The login throttle's SQL (tables from migration LoginThrottle): PostgreSQL only, so login works without Redis. */
@Injectable()
export class LoginThrottle {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Takes one slot in every bucket, or none: each upsert counts the attempt only while the bucket is under its limit
   * (or its window has passed), under the row's lock, so parallel attempts queue for the count instead of all reading
   * it before any raises it. Returns the full bucket that refused the attempt, or null.
   */
  async reserve(buckets: LoginBucket[]): Promise<LoginBucket | null> {
    try {
      await this.db.transaction(async (m) => {
        for (const bucket of buckets) {
          const rows: unknown[] = await m.query(
            `INSERT INTO login_throttle AS t (bucket, failures, expires_at)
             VALUES ($1, 1, now() + make_interval(secs => $3))
             ON CONFLICT (bucket) DO UPDATE
               SET failures = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.failures + 1 END,
                   expires_at = now() + make_interval(secs => $3)
               WHERE t.expires_at <= now() OR t.failures < $2
             RETURNING failures`,
            [bucket.key, bucket.limit, FAILURE_WINDOW_SECONDS],
          );
          // Rolls back the slots taken in the buckets before this one.
          if (rows.length === 0) throw new BucketFull(bucket);
        }
      });
      return null;
    } catch (e) {
      if (e instanceof BucketFull) return e.bucket;
      throw e;
    }
  }

  /** After a successful login: the attempt was not a failure. */
  async succeeded(buckets: LoginBucket[], userId: number, ip: string | null): Promise<void> {
    const clear = buckets.filter((b) => b.onSuccess === 'clear').map((b) => b.key);
    const release = buckets.filter((b) => b.onSuccess === 'release').map((b) => b.key);
    if (clear.length > 0) await this.db.query(`DELETE FROM login_throttle WHERE bucket = ANY($1)`, [clear]);
    if (release.length > 0) {
      await this.db.query(`UPDATE login_throttle SET failures = failures - 1 WHERE bucket = ANY($1) AND failures > 0`, [
        release,
      ]);
    }
    await this.db.query(
      `INSERT INTO login_known_addresses (user_id, ip) VALUES ($1, $2)
       ON CONFLICT (user_id, ip) DO UPDATE SET last_login_at = now()`,
      [userId, ip ?? UNKNOWN_ADDRESS],
    );
  }

  /** Forgets a few buckets whose window has passed (each attempt adds at most two rows and removes up to ten). */
  async sweep(): Promise<void> {
    await this.db.query(
      `DELETE FROM login_throttle WHERE bucket IN (
         SELECT bucket FROM login_throttle WHERE expires_at < now() ORDER BY expires_at LIMIT 10 FOR UPDATE SKIP LOCKED)`,
    );
  }
}
