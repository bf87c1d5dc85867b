import { PageQueryDto } from '../common/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { DINER_STATUSES, DinerStatusValue } from '../common/enums';
import { IsId, IsLocalDate, IsOptionalNonNull } from '../common/validation';
import { isPhoneNumber, PHONE_MESSAGE } from './phone';
import { looksLikeIdNumber } from '../common/redact';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

// A value shaped like an ID number passes here, so that the service refuses it as LOOKS_LIKE_ID_NUMBER (which says
// what is wrong without echoing the number).
const IsPhone = (): PropertyDecorator =>
  ValidateBy({
    name: 'isPhone',
    validator: {
      validate: (v: unknown) => isPhoneNumber(v) || (typeof v === 'string' && looksLikeIdNumber(v)),
      defaultMessage: () => PHONE_MESSAGE,
    },
  });
const CARD_NO = /^[0-9A-Za-z-]{1,64}$/;

export class CreateDinerDto {
  @ApiProperty({ example: '王秀英' })
  @Transform(trim)
  @IsString({ message: '请填写姓名' })
  @IsNotEmpty({ message: '请填写姓名' })
  @MaxLength(50, { message: '姓名过长' })
  name!: string;

  @ApiProperty({ description: '18 位身份证号码（或 15 位旧号码）' })
  @IsString({ message: '请填写身份证号码' })
  @IsNotEmpty({ message: '请填写身份证号码' })
  @MaxLength(40, { message: '身份证号码格式不正确' })
  idNumber!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsPhone()
  phone?: string;

  @ApiPropertyOptional({ description: '就餐卡号' })
  @IsOptional()
  @Transform(trim)
  @Matches(CARD_NO, { message: '就餐卡号只能包含字母、数字和 -，最长 64 位' })
  cardNo?: string;

  @ApiPropertyOptional({ example: '东关社区' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: '社区必须是文字' })
  @MaxLength(100, { message: '社区名称过长' })
  community?: string;

  @ApiPropertyOptional({ description: '登记食堂（默认：登记人唯一的食堂）' })
  @IsOptionalNonNull()
  @IsId('食堂编号必须是正整数')
  canteenId?: number;
}

export class UpdateDinerDto {
  @ApiPropertyOptional()
  @IsOptionalNonNull()
  @Transform(trim)
  @IsString({ message: '请填写姓名' })
  @IsNotEmpty({ message: '请填写姓名' })
  @MaxLength(50, { message: '姓名过长' })
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsPhone()
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: '社区必须是文字' })
  @MaxLength(100, { message: '社区名称过长' })
  community?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Transform(trim)
  @Matches(CARD_NO, { message: '就餐卡号只能包含字母、数字和 -，最长 64 位' })
  cardNo?: string | null;
}

export class DinerStatusDto {
  @ApiProperty({ enum: DINER_STATUSES })
  @IsIn(DINER_STATUSES, { message: '状态必须是 ACTIVE、SUSPENDED、MOVED_AWAY 或 DECEASED' })
  status!: DinerStatusValue;

  @ApiProperty({ example: '2022-10-01' })
  @IsLocalDate('生效日期应为 YYYY-MM-DD 格式的真实日期')
  effectiveFrom!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '备注必须是文字' })
  @MaxLength(200, { message: '备注过长' })
  note?: string;
}

export class DinerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '按身份证号码精确查找' })
  @IsOptional()
  @IsString()
  @MaxLength(40, { message: '身份证号码格式不正确' })
  idNumber?: string;

  @ApiPropertyOptional({ description: '按就餐卡号精确查找' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(64, { message: '就餐卡号过长' })
  cardNo?: string;

  @ApiPropertyOptional({ description: '姓名中的字' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(50, { message: '查询内容过长' })
  q?: string;

  @ApiPropertyOptional({ description: '只列出家在该街道的老人（在权限范围内）' })
  @IsOptional()
  @Transform(toInt)
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;

  @ApiPropertyOptional({ description: '只列出家在该区的老人（在权限范围内）' })
  @IsOptional()
  @Transform(toInt)
  @IsId('区编号必须是正整数')
  districtId?: number;
}

export class ImportQueryDto {
  @ApiPropertyOptional({ description: '登记食堂（默认：操作员唯一的食堂）' })
  @IsOptional()
  @Transform(toInt)
  @IsId('食堂编号必须是正整数')
  canteenId?: number;
}

const toPositiveInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

/** GET /api/diners/export: the caller's register, narrowed (within reach). */
export class RegisterFilterDto {
  @ApiPropertyOptional({ description: '姓名或社区中的字、身份证号后 4 位、或就餐卡号' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(64, { message: '查询内容过长' })
  q?: string;

  @ApiPropertyOptional({ description: '只列出家在该街道的老人' })
  @IsOptional()
  @Transform(toInt)
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;

  @ApiPropertyOptional({ description: '只列出家在该区的老人' })
  @IsOptional()
  @Transform(toInt)
  @IsId('区编号必须是正整数')
  districtId?: number;

  @ApiPropertyOptional({ enum: DINER_STATUSES })
  @IsOptional()
  @IsIn(DINER_STATUSES, { message: '状态必须是 ACTIVE、SUSPENDED、MOVED_AWAY 或 DECEASED' })
  status?: DinerStatusValue;
}

/** GET /api/diners/register: one page of the caller's register. */
export class RegisterQueryDto extends RegisterFilterDto {
  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Transform(toPositiveInt)
  @IsInt({ message: '页码必须是正整数' })
  @Min(1, { message: '页码必须是正整数' })
  @Max(100_000, { message: '页码过大' })
  page?: number;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 200 })
  @IsOptional()
  @Transform(toPositiveInt)
  @IsInt({ message: '每页条数必须是 1–200 的整数' })
  @Min(1, { message: '每页条数必须是 1–200 的整数' })
  @Max(200, { message: '每页条数必须是 1–200 的整数' })
  pageSize?: number;
}

export class RegisterDinerDto {
  @ApiProperty() id!: number;
  @ApiProperty() subdistrictId!: number;
  @ApiProperty({ example: '柳园街道' }) subdistrictName!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: '371502********1234' }) maskedIdNumber!: string;
  @ApiProperty({ enum: ['M', 'F'] }) sex!: 'M' | 'F';
  @ApiProperty() age!: number;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) community!: string | null;
  @ApiProperty({ type: String, nullable: true }) cardNo!: string | null;
  @ApiProperty({ enum: DINER_STATUSES }) status!: DinerStatusValue;
  @ApiProperty() statusLabel!: string;
  @ApiProperty({ type: String, nullable: true }) statusEffectiveFrom!: string | null;
  @ApiProperty({ type: String, nullable: true }) statusNote!: string | null;
  @ApiProperty({ type: Number, nullable: true }) registeredCanteenId!: number | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class DinerRegisterPageDto {
  @ApiProperty({ type: [RegisterDinerDto] }) items!: RegisterDinerDto[];
  @ApiProperty({ description: '符合条件的老人总数' }) total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}
