import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditDetails } from '../audit/audit.service';
import { passwordProblem } from '../auth/password-policy';
import { hashPassword } from '../auth/passwords';
import { AppConfig } from '../config/app-config';
import { ensureDistrict } from '../districts/district.queries';
import { auditBootstrap, countUsers, ensureSubdistrict, insertUser, lockBootstrap } from './user.queries';

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
      await lockBootstrap(m);
      if ((await countUsers(m)) > 0) return;
      // The first admin's password is refused like any other weak one: the deployment does not start with it.
      const weak = passwordProblem(this.config.ADMIN_PASSWORD, this.config.ADMIN_USERNAME);
      if (weak) {
        throw new Error(
          `ADMIN_PASSWORD 不能用作首个管理员的密码：${weak.message} (ADMIN_PASSWORD is too weak: ${weak.rule}; set another and start again)`,
        );
      }
      const district = await ensureDistrict(m, this.config.DISTRICT_NAME, this.config.DISTRICT_CODE);
      const subdistrictId = await ensureSubdistrict(m, this.config.SUBDISTRICT_NAME, district);
      const username = this.config.ADMIN_USERNAME.trim().toLowerCase();
      const adminId = await insertUser(m, {
        username,
        passwordHash: hash,
        role: 'ADMIN',
        subdistrictId,
        districtId: null,
        displayName: '系统管理员',
        createdBy: null,
      });
      await auditBootstrap(
        m,
        adminId,
        subdistrictId,
        auditDetails({ username, subdistrict: this.config.SUBDISTRICT_NAME }),
      );
      this.logger.log(`created first admin "${username}" and sub-district ${this.config.SUBDISTRICT_NAME}`);
    });
  }
}
