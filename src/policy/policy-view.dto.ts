// The answers of /api/policy/versions (OpenAPI schema).
import { PageDto } from '../common/paging';
import { ApiProperty } from '@nestjs/swagger';
import type { LimitMode, PolicyTier } from '../subsidy/subsidy-calculator';
import type { PolicyVersionView } from './policy.service';

export class PolicyTierViewDto implements PolicyTier {
  @ApiProperty({ type: 'integer', example: 70 })
  minAge!: number;
  @ApiProperty({ type: 'integer', example: 79, nullable: true, description: 'null: no upper bound' })
  maxAge!: number | null;
  @ApiProperty({ type: 'integer', example: 200, description: 'fen per subsidised meal' })
  amountFen!: number;
}

export class PolicyVersionViewDto implements PolicyVersionView {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty({ type: String, format: 'date', example: '2025-01-01' })
  effectiveFrom!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'the day before the next version starts' })
  effectiveTo!: string | null;
  @ApiProperty({ type: PolicyTierViewDto, isArray: true })
  tiers!: PolicyTierViewDto[];
  @ApiProperty({ enum: ['PER_DAY', 'PER_PERIOD'] })
  limitMode!: LimitMode;
  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'user id' })
  createdBy!: number | null;
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
}

export class PolicyVersionPageDto extends PageDto(PolicyVersionViewDto, 'PolicyVersionPageDto') {}
