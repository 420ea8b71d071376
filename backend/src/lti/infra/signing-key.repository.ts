import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * When each of the tool's signing keys signs (tool_signing_key): from activates_at until retired_at.
 * The key pairs themselves live in ltijs's key tables; a platform with no row here signs with the key
 * ltijs made at registration.
 */
@Injectable()
export class SigningKeyRepository {
  constructor(private readonly db: DataSource) {}

  /** The kid that signs for this platform now, or null when only ltijs's registration key exists. */
  async currentKid(platformId: string): Promise<string | null> {
    const [row]: Array<{ kid: string }> = await this.db.query(
      `SELECT kid FROM tool_signing_key
        WHERE platform_id = $1 AND activates_at <= now() AND (retired_at IS NULL OR retired_at > now())
        ORDER BY activates_at DESC LIMIT 1`,
      [platformId],
    );
    return row?.kid ?? null;
  }

  /**
   * In one transaction: the old key signs until `activatesAt` and then retires (an earlier retirement
   * stands), the new key signs from then on.
   */
  async scheduleRotation(platformId: string, oldKid: string, newKid: string, activatesAt: Date): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO tool_signing_key (kid, platform_id, activates_at, retired_at) VALUES ($1, $2, to_timestamp(0), $3)
         ON CONFLICT (kid) DO UPDATE SET retired_at = coalesce(tool_signing_key.retired_at, EXCLUDED.retired_at)`,
        [oldKid, platformId, activatesAt],
      );
      await m.query(`INSERT INTO tool_signing_key (kid, platform_id, activates_at) VALUES ($1, $2, $3)`, [
        newKid,
        platformId,
        activatesAt,
      ]);
    });
  }

  /** The kids retired longer ago than `graceHours`. */
  async retiredLongerThan(graceHours: number): Promise<string[]> {
    const rows: Array<{ kid: string }> = await this.db.query(
      `SELECT kid FROM tool_signing_key WHERE retired_at < now() - make_interval(hours => $1)`,
      [graceHours],
    );
    return rows.map((r) => r.kid);
  }

  async delete(kid: string): Promise<void> {
    await this.db.query(`DELETE FROM tool_signing_key WHERE kid = $1`, [kid]);
  }
}
