import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditDetails } from '../audit/audit.service';
import { passwordProblem } from '../auth/password-policy';
import { hashPassword } from '../auth/passwords';
import { AppConfig } from '../config/app-config';
import { ensureDistrict } from '../districts/district.queries';

// An arbitrary constant: serialises the bootstrap of several API processes starting at once.
const BOOTSTRAP_LOCK = 7_150_200_001;

/** SPEC §6: with no user at all, create the first sub-district and admin from the environment. */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const hash = await hashPassword(this.config.ADMIN_PASSWORD);
    await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      const [{ n }]: { n: number }[] = await m.query('SELECT count(*)::int AS n FROM users');
      if (n > 0) return;
      // The first admin's password is refused like any other weak one: the deployment does not start with it.
      const weak = passwordProblem(this.config.ADMIN_PASSWORD, this.config.ADMIN_USERNAME);
      if (weak) {
        throw new Error(
          `ADMIN_PASSWORD 不能用作首个管理员的密码：${weak.message} (ADMIN_PASSWORD is too weak: ${weak.rule}; set another and start again)`,
        );
      }
      const district = await ensureDistrict(m, this.config.DISTRICT_NAME, this.config.DISTRICT_CODE);
      await m.query(`INSERT INTO subdistricts (name, district_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
        this.config.SUBDISTRICT_NAME,
        district,
      ]);
      const [sub]: { id: number }[] = await m.query(`SELECT id FROM subdistricts WHERE name = $1`, [
        this.config.SUBDISTRICT_NAME,
      ]);
      const username = this.config.ADMIN_USERNAME.trim().toLowerCase();
      const [admin]: { id: number }[] = await m.query(
        `INSERT INTO users (username, password_hash, role, subdistrict_id, display_name) VALUES ($1, $2, 'ADMIN', $3, '系统管理员') RETURNING id`,
        [username, hash, sub.id],
      );
      await m.query(
        `INSERT INTO audit_log (action, entity_type, entity_id, subdistrict_id, details) VALUES ('BOOTSTRAP_ADMIN', 'user', $1, $2, $3)`,
        [String(admin.id), sub.id, auditDetails({ username, subdistrict: this.config.SUBDISTRICT_NAME })],
      );
      this.logger.log(`created first admin "${username}" and sub-district ${this.config.SUBDISTRICT_NAME}`);
    });
  }
}
