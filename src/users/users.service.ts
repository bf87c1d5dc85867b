import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ownSubdistrict } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { passwordProblem } from '../auth/password-policy';
import { hashPassword } from '../auth/passwords';
import { generatePassword } from './generated-password';
import { CanteensService } from '../canteens/canteens.service';
import { badRequest, conflict, forbidden, notFound } from '../common/app-error';
import { Role } from '../common/enums';
import { CreateUserDto, UpdateUserDto } from './user.dto';
import { isUniqueViolation } from '../database/pg-errors';
import {
  districtExists,
  findUserRow,
  insertUser,
  listAllUsers,
  listCashiersOf,
  lockUser,
  revokeSessions,
  setUserCanteens,
  subdistrictExists,
  toUserView,
  updateUser,
  usernameTaken,
  USERNAME_KEY,
  UserScopeFilter,
  UserView,
} from './user.queries';

export type { UserView } from './user.queries';

// Cashiers and operators work at canteens; finance and admins at the level of a sub-district.
const SITE_ROLES: readonly Role[] = ['CASHIER', 'OPERATOR'];

const sameSet = (a: number[], b: number[]): boolean =>
  a.length === b.length && [...a].sort((x, y) => x - y).every((v, i) => v === [...b].sort((x, y) => x - y)[i]);

function refuseWeakPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw badRequest('PASSWORD_WEAK', problem.message, { rule: problem.rule });
}

/** The answer of a password reset: the new password, shown once and stored only hashed. */
export interface GeneratedPassword {
  id: number;
  username: string;
  password: string;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly canteens: CanteensService,
  ) {}

  /** By district and sub-district when asked; a filter never widens the reach (out of it: an empty list). */
  async list(actor: AuthUser, filter: UserScopeFilter = {}): Promise<UserView[]> {
    if (actor.role === 'ADMIN') return (await listAllUsers(this.db, filter)).map(toUserView);
    // An operator sees the cashiers of its canteens.
    return (await listCashiersOf(this.db, actor.subdistrictId, actor.canteenIds, filter)).map(toUserView);
  }

  async create(actor: AuthUser, dto: CreateUserDto, ip: string | null): Promise<UserView> {
    const canteenIds = [...new Set(dto.canteenIds ?? [])];
    if (actor.role === 'OPERATOR' && dto.role !== 'CASHIER') {
      throw forbidden('站点管理员只能添加收银员', 'ROLE_FORBIDDEN');
    }
    // A reviewer (区民政审核) is scoped to a district, every other role to a sub-district (users_scope_check).
    const scope =
      dto.role === 'REVIEWER'
        ? { subdistrictId: null, districtId: await this.districtFor(actor, canteenIds, dto) }
        : {
            subdistrictId: await this.subdistrictFor(actor, dto.role, canteenIds, dto.subdistrictId),
            districtId: null,
          };
    const subdistrictId = scope.subdistrictId;
    refuseWeakPassword(dto.password, dto.username);
    const hash = await hashPassword(dto.password);
    return this.db.transaction(async (m) => {
      if (await usernameTaken(m, dto.username)) throw conflict('USERNAME_TAKEN', `用户名 ${dto.username} 已被使用`);
      let id: number;
      try {
        id = await insertUser(m, {
          username: dto.username,
          passwordHash: hash,
          role: dto.role,
          subdistrictId,
          districtId: scope.districtId,
          displayName: dto.displayName?.trim() || null,
          createdBy: actor.id,
        });
      } catch (e) {
        if (isUniqueViolation(e, USERNAME_KEY)) {
          throw conflict('USERNAME_TAKEN', `用户名 ${dto.username} 已被使用`);
        }
        throw e;
      }
      await setUserCanteens(m, id, canteenIds, { replace: false });
      await this.audit.record(
        {
          actor,
          action: 'USER_CREATED',
          entityType: 'user',
          entityId: id,
          subdistrictId,
          canteenId: canteenIds.length === 1 ? canteenIds[0] : null,
          ip,
          details: { username: dto.username, role: dto.role, canteenIds },
        },
        m,
      );
      return this.getView(m, id);
    });
  }

  async update(actor: AuthUser, id: number, dto: UpdateUserDto, ip: string | null): Promise<UserView> {
    const hash = dto.password === undefined ? null : await hashPassword(dto.password);
    return this.db.transaction(async (m) => {
      await lockUser(m, id);
      const target = await this.getView(m, id).catch(() => null);
      if (!target || !this.canSee(actor, target)) throw notFound('USER_NOT_FOUND', '用户不存在');
      if (!this.canManage(actor, target)) {
        throw forbidden('该收银员还在您不管理的食堂工作，只能由系统管理员修改', 'CASHIER_SHARED');
      }
      if (dto.password !== undefined) refuseWeakPassword(dto.password, target.username);

      const changes: Record<string, unknown> = {};
      if (dto.active !== undefined && dto.active !== target.active) {
        if (target.id === actor.id && !dto.active) throw badRequest('CANNOT_DEACTIVATE_SELF', '不能停用自己的账号');
        await updateUser(m, id, { active: dto.active });
        changes.active = { from: target.active, to: dto.active };
      }
      if (hash !== null) {
        await updateUser(m, id, { passwordHash: hash });
        changes.passwordReset = true;
      }
      if (dto.displayName !== undefined) {
        await updateUser(m, id, { displayName: dto.displayName.trim() || null });
        changes.displayName = dto.displayName.trim() || null;
      }
      if (dto.canteenIds !== undefined) {
        const next = [...new Set(dto.canteenIds)];
        await this.checkCanteenChange(actor, target, next);
        if (!sameSet(next, target.canteenIds)) {
          await setUserCanteens(m, id, next, { replace: true });
          changes.canteenIds = { from: target.canteenIds, to: next };
        }
      }
      // A deactivated user or a reset password ends every session of that user (also after reactivation).
      if (dto.active === false || hash !== null) {
        await revokeSessions(m, id);
      }
      await this.audit.record(
        {
          actor,
          action: 'USER_CHANGED',
          entityType: 'user',
          entityId: id,
          subdistrictId: target.subdistrictId,
          ip,
          details: { username: target.username, changes },
        },
        m,
      );
      return this.getView(m, id);
    });
  }

  /**
   * Resets a user's password to one the server makes (generatePassword) and answers it, once: the same rights,
   * audit (USER_CHANGED with passwordReset) and ending of the user's sessions as a reset through update().
   */
  async resetPassword(actor: AuthUser, id: number, ip: string | null): Promise<GeneratedPassword> {
    const row = await findUserRow(this.db, id);
    if (!row) throw notFound('USER_NOT_FOUND', '用户不存在');
    const password = generatePassword(row.username);
    const user = await this.update(actor, id, { password }, ip);
    return { id: user.id, username: user.username, password };
  }

  /** Admins see everyone; an operator the cashiers that work at one of its canteens (as the list shows them). */
  private canSee(actor: AuthUser, target: UserView): boolean {
    if (actor.role === 'ADMIN') return true;
    return (
      actor.role === 'OPERATOR' &&
      target.role === 'CASHIER' &&
      target.subdistrictId === actor.subdistrictId &&
      target.canteenIds.some((c) => actor.canteenIds.includes(c))
    );
  }

  /**
   * Admins manage everyone; an operator only cashiers all of whose canteens are its own. A cashier shared with a
   * canteen of another operator is not its to take over (password, deactivation, canteens, name): 403.
   */
  private canManage(actor: AuthUser, target: UserView): boolean {
    if (actor.role === 'ADMIN') return true;
    return this.canSee(actor, target) && target.canteenIds.every((c) => actor.canteenIds.includes(c));
  }

  private async checkCanteenChange(actor: AuthUser, target: UserView, next: number[]): Promise<void> {
    if (!SITE_ROLES.includes(target.role)) {
      if (next.length > 0) throw badRequest('CANTEENS_NOT_ALLOWED', '财务和管理员账号不关联食堂');
      return;
    }
    if (next.length === 0) throw badRequest('CANTEENS_REQUIRED', '收银员和站点管理员至少要关联一个食堂');
    // An operator manages only cashiers all of whose canteens are its own, and gives them only its own.
    if (actor.role === 'OPERATOR' && next.some((c) => !actor.canteenIds.includes(c))) {
      throw forbidden('您只能调整本人所管食堂的收银员', 'CANTEEN_FORBIDDEN');
    }
    // Canteens the user already has were checked when they were given; new ones must be reachable.
    for (const canteenId of next.filter((c) => !target.canteenIds.includes(c))) {
      const canteen = await this.canteens.getReachable(actor, canteenId);
      if (canteen.subdistrictId !== target.subdistrictId) {
        throw badRequest('CANTEENS_MIXED_SUBDISTRICTS', '用户关联的食堂必须属于同一街道');
      }
    }
  }

  /** The district of a new reviewer: the one named, else the admin's own; it must exist. */
  private async districtFor(
    actor: AuthUser,
    canteenIds: number[],
    dto: { districtId?: number; subdistrictId?: number },
  ): Promise<number> {
    if (canteenIds.length > 0) throw badRequest('CANTEENS_NOT_ALLOWED', '区民政审核账号不关联食堂');
    if (dto.subdistrictId !== undefined) {
      throw badRequest('VALIDATION_FAILED', '区民政审核账号属于一个区，请填写 districtId 而不是 subdistrictId');
    }
    const districtId = dto.districtId ?? actor.districtId;
    if (!(await districtExists(this.db, districtId))) throw notFound('DISTRICT_NOT_FOUND');
    return districtId;
  }

  /** The sub-district a new user belongs to, checking the caller may put it there. */
  private async subdistrictFor(
    actor: AuthUser,
    role: Role,
    canteenIds: number[],
    requested: number | undefined,
  ): Promise<number> {
    if (!SITE_ROLES.includes(role)) {
      if (canteenIds.length > 0) throw badRequest('CANTEENS_NOT_ALLOWED', '财务和管理员账号不关联食堂');
      const subdistrictId = requested ?? ownSubdistrict(actor);
      if (!(await subdistrictExists(this.db, subdistrictId))) throw notFound('SUBDISTRICT_NOT_FOUND', '街道不存在');
      return subdistrictId;
    }
    if (canteenIds.length === 0) throw badRequest('CANTEENS_REQUIRED', '收银员和站点管理员至少要关联一个食堂');
    let subdistrictId: number | null = null;
    for (const canteenId of canteenIds) {
      const canteen = await this.canteens.getReachable(actor, canteenId);
      if (subdistrictId !== null && canteen.subdistrictId !== subdistrictId) {
        throw badRequest('CANTEENS_MIXED_SUBDISTRICTS', '用户关联的食堂必须属于同一街道');
      }
      subdistrictId = canteen.subdistrictId;
    }
    if (requested !== undefined && requested !== subdistrictId) {
      throw badRequest('CANTEENS_MIXED_SUBDISTRICTS', '用户关联的食堂必须属于所选街道');
    }
    return subdistrictId as number;
  }

  private async getView(m: EntityManager, id: number): Promise<UserView> {
    const row = await findUserRow(m, id);
    if (!row) throw notFound('USER_NOT_FOUND', '用户不存在');
    return toUserView(row);
  }
}
