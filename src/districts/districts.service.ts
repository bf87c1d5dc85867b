import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { canReachDistrict } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { conflict, forbidden, notFound } from '../common/app-error';
import { isUniqueViolation, pgErrorFields, PG_FOREIGN_KEY_VIOLATION } from '../database/pg-errors';
import { CreateDistrictDto, CreateSubdistrictDto, UpdateDistrictDto, UpdateSubdistrictDto } from './district.dto';
import {
  DistrictView,
  findDistrict,
  findSubdistrict,
  insertDistrict,
  insertSubdistrict,
  listDistricts,
  listSubdistricts,
  SubdistrictView,
  toDistrictView,
  toSubdistrictView,
  updateDistrict,
  updateSubdistrict,
} from './district.queries';

/** A unique violation of districts or sub-districts as the error the client branches on. */
function refuseTaken(e: unknown): never {
  if (isUniqueViolation(e, 'districts_name_key')) throw conflict('DISTRICT_NAME_TAKEN');
  if (isUniqueViolation(e, 'districts_code_key')) throw conflict('DISTRICT_CODE_TAKEN');
  if (isUniqueViolation(e, 'subdistricts_name_key')) throw conflict('SUBDISTRICT_NAME_TAKEN');
  throw e;
}

/** SPEC §2: the hierarchy of a city deployment, districts → sub-districts → canteens, kept by the admin. */
@Injectable()
export class DistrictsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async listDistricts(user: AuthUser): Promise<DistrictView[]> {
    return (await listDistricts(this.db, user)).map(toDistrictView);
  }

  async getDistrict(user: AuthUser, id: number): Promise<DistrictView> {
    const row = await findDistrict(this.db, id);
    if (!row || !canReachDistrict(user, row.id)) throw notFound('DISTRICT_NOT_FOUND');
    return toDistrictView(row);
  }

  async createDistrict(user: AuthUser, dto: CreateDistrictDto, ip: string | null): Promise<DistrictView> {
    return this.db.transaction(async (m) => {
      const id = await insertDistrict(m, dto).catch(refuseTaken);
      await this.audit.record(
        { actor: user, action: 'DISTRICT_CREATED', entityType: 'district', entityId: id, ip, details: { ...dto } },
        m,
      );
      return toDistrictView((await findDistrict(m, id))!);
    });
  }

  async updateDistrict(user: AuthUser, id: number, dto: UpdateDistrictDto, ip: string | null): Promise<DistrictView> {
    return this.db.transaction(async (m) => {
      if (!(await findDistrict(m, id))) throw notFound('DISTRICT_NOT_FOUND');
      await updateDistrict(m, id, dto).catch(refuseTaken);
      await this.audit.record(
        { actor: user, action: 'DISTRICT_CHANGED', entityType: 'district', entityId: id, ip, details: { ...dto } },
        m,
      );
      return toDistrictView((await findDistrict(m, id))!);
    });
  }

  /** The sub-districts within the caller's reach; `districtId` narrows to one district (403 out of reach). */
  async listSubdistricts(user: AuthUser, districtId?: number): Promise<SubdistrictView[]> {
    if (districtId !== undefined && !canReachDistrict(user, districtId))
      throw forbidden(undefined, 'DISTRICT_FORBIDDEN');
    return (await listSubdistricts(this.db, user, districtId)).map(toSubdistrictView);
  }

  async createSubdistrict(user: AuthUser, dto: CreateSubdistrictDto, ip: string | null): Promise<SubdistrictView> {
    return this.db.transaction(async (m) => {
      const id = await insertSubdistrict(m, dto).catch((e: unknown) => {
        if (pgErrorFields(e)?.code === PG_FOREIGN_KEY_VIOLATION) throw notFound('DISTRICT_NOT_FOUND');
        return refuseTaken(e);
      });
      await this.audit.record(
        {
          actor: user,
          action: 'SUBDISTRICT_CREATED',
          entityType: 'subdistrict',
          entityId: id,
          subdistrictId: id,
          ip,
          details: { ...dto },
        },
        m,
      );
      return toSubdistrictView((await findSubdistrict(m, id))!);
    });
  }

  async updateSubdistrict(
    user: AuthUser,
    id: number,
    dto: UpdateSubdistrictDto,
    ip: string | null,
  ): Promise<SubdistrictView> {
    return this.db.transaction(async (m) => {
      if (!(await findSubdistrict(m, id))) throw notFound('SUBDISTRICT_NOT_FOUND');
      await updateSubdistrict(m, id, dto).catch(refuseTaken);
      await this.audit.record(
        {
          actor: user,
          action: 'SUBDISTRICT_CHANGED',
          entityType: 'subdistrict',
          entityId: id,
          subdistrictId: id,
          ip,
          details: { ...dto },
        },
        m,
      );
      return toSubdistrictView((await findSubdistrict(m, id))!);
    });
  }
}
