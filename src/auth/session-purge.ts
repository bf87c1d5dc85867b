import { DataSource } from 'typeorm';

/**
 * Deletes sessions that can never authenticate again (expired or logged out), a batch at a time so a large backlog
 * never holds one long lock. Returns how many went. Safe to run from several workers at once.
 */
export async function purgeEndedSessions(db: DataSource, batchSize = 5_000): Promise<number> {
  let purged = 0;
  for (;;) {
    const [, count]: [unknown, number] = await db.query(
      `DELETE FROM sessions WHERE token_hash IN (
         SELECT token_hash FROM sessions WHERE expires_at <= now() OR revoked_at IS NOT NULL LIMIT $1)`,
      [batchSize],
    );
    purged += count;
    if (count < batchSize) return purged;
  }
}
