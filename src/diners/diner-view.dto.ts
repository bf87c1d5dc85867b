// The answers of /api/diners (OpenAPI schemas).
import { PageDto } from '../common/paging';
import { ApiProperty } from '@nestjs/swagger';
import { DINER_STATUSES, DinerStatusValue } from '../common/enums';
import { IMPORT_ROW_CODES, ImportRowCode } from '../common/error-codes';
import type { ImportRejection, ImportResult } from './diner-import.service';
import type { DinerView } from './diners.service';

export class DinerViewDto implements DinerView {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty({ type: 'integer' })
  subdistrictId!: number;
  @ApiProperty({ example: '王秀英' })
  name!: string;
  @ApiProperty({ example: '371502********1234', description: 'the ID number masked; the full one only via reveal' })
  maskedIdNumber!: string;
  @ApiProperty({ enum: ['M', 'F'] })
  sex!: 'M' | 'F';
  @ApiProperty({ type: 'integer', description: '周岁 today (Shanghai)' })
  age!: number;
  @ApiProperty({ type: String, nullable: true })
  phone!: string | null;
  @ApiProperty({ type: String, nullable: true })
  community!: string | null;
  @ApiProperty({ type: String, nullable: true })
  cardNo!: string | null;
  @ApiProperty({ enum: DINER_STATUSES, enumName: 'DinerStatus' })
  status!: DinerStatusValue;
  @ApiProperty({ example: '正常' })
  statusLabel!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  statusEffectiveFrom!: string | null;
  @ApiProperty({ type: String, nullable: true })
  statusNote!: string | null;
  @ApiProperty({ type: 'integer', nullable: true })
  registeredCanteenId!: number | null;
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;
}

export class RevealedDinerDto {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  name!: string;
  @ApiProperty({ description: 'the full 18-character ID number (this call is audited)' })
  idNumber!: string;
}

export class ImportRejectionDto implements ImportRejection {
  @ApiProperty({ type: 'integer', description: 'the row of the sheet, as Excel numbers it' })
  row!: number;
  @ApiProperty()
  reason!: string;
  @ApiProperty({ enum: Object.keys(IMPORT_ROW_CODES), enumName: 'ImportRowCode' })
  code!: ImportRowCode;
}

export class ImportResultDto implements ImportResult {
  @ApiProperty({ type: 'integer' })
  imported!: number;
  @ApiProperty({ type: 'integer', description: 'rows already registered (same ID number)' })
  skipped!: number;
  @ApiProperty({ type: ImportRejectionDto, isArray: true })
  rejected!: ImportRejectionDto[];
}

export class DinerPageDto extends PageDto(DinerViewDto, 'DinerPageDto') {}
