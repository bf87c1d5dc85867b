import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Page, PageQueryDto, paginate } from '../common/paging';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { PolicyVersionPageDto, PolicyVersionViewDto } from './policy-view.dto';
import { Allow, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { notFound } from '../common/app-error';
import { IdParamPipe } from '../common/id-param.pipe';
import type { LimitMode } from '../subsidy/subsidy-calculator';
import { PolicyService, PolicyVersionView } from './policy.service';

const LIMIT_MODES: LimitMode[] = ['PER_DAY', 'PER_PERIOD'];

export class PolicyTierDto {
  @ApiProperty({ example: 70 })
  minAge!: number;

  @ApiProperty({ example: 79, nullable: true, type: Number, description: 'null = no upper bound' })
  maxAge!: number | null;

  @ApiProperty({ example: 200, description: 'fen per subsidised meal' })
  amountFen!: number;
}

export class AddPolicyVersionDto {
  @ApiProperty({ example: '2030-01-01', description: 'Shanghai local date, after today' })
  @IsString({ message: '请填写生效日期（YYYY-MM-DD）' })
  effectiveFrom!: string;

  // Checked by PolicyService (POLICY_TIERS_INVALID), so every tier problem gets one stable code.
  @ApiProperty({ type: [PolicyTierDto] })
  @Allow()
  tiers!: unknown;

  @ApiPropertyOptional({ enum: LIMIT_MODES, default: 'PER_DAY' })
  @IsOptional()
  @IsIn(LIMIT_MODES, { message: '补贴限次方式应为 PER_DAY（每人每天一餐）或 PER_PERIOD（每人每餐次一餐）' })
  limitMode?: LimitMode;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString({ message: '说明应为文字' })
  @MaxLength(500, { message: '说明不能超过 500 字' })
  note?: string;
}

// A version id that cannot exist names no version.
const policyVersionIdPipe = new IdParamPipe(() => notFound('POLICY_VERSION_NOT_FOUND', '该政策版本不存在'));

@ApiTags('policy')
@ApiBearerAuth()
@Controller('policy/versions')
export class PolicyController {
  constructor(private readonly policy: PolicyService) {}

  /** Every version with its derived end date; any logged-in user may read the rates. */
  @Get()
  @ApiOkResponse({ type: PolicyVersionPageDto, description: 'the versions, oldest first' })
  async list(@Query() query: PageQueryDto): Promise<Page<PolicyVersionView>> {
    return paginate(await this.policy.list(), query);
  }

  @Roles('ADMIN')
  @Post()
  @ApiCreatedResponse({ type: PolicyVersionViewDto })
  @ApiErrors('INVALID_DATE', 'POLICY_EFFECTIVE_DATE', 'POLICY_TIERS_INVALID', 'POLICY_VERSION_EXISTS')
  add(
    @Body() body: AddPolicyVersionDto,
    @CurrentUser() user: AuthUser,
    @ClientIp() ip: string | null,
  ): Promise<PolicyVersionView> {
    return this.policy.add(body, user, ip);
  }

  @Roles('ADMIN')
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the version is withdrawn' })
  @ApiErrors('POLICY_VERSION_NOT_FOUND', 'POLICY_VERSION_IN_USE')
  async remove(
    @Param('id', policyVersionIdPipe) id: number,
    @CurrentUser() user: AuthUser,
    @ClientIp() ip: string | null,
  ): Promise<void> {
    await this.policy.remove(id, user, ip);
  }
}
