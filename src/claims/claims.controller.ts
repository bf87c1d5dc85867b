import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import type { Response } from 'express';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { notFound } from '../common/app-error';
import { IdParamPipe } from '../common/id-param.pipe';
import { IsId, IsLocalMonth, IsOptionalNonNull } from '../common/validation';
import { ClaimsService, ClaimView } from './claims.service';

export class CreateClaimDto {
  @IsLocalMonth('月份格式应为 YYYY-MM，如 2025-03')
  month!: string;

  @IsOptionalNonNull()
  @IsId('食堂编号必须是正整数')
  canteenId?: number;
}

export class ListClaimsQuery {
  @IsOptional()
  @IsLocalMonth('月份格式应为 YYYY-MM，如 2025-03')
  month?: string;
}

// An id that is not a positive integer names no claim.
const claimIdPipe = new IdParamPipe(() => notFound('CLAIM_NOT_FOUND', '申报记录不存在'));

@ApiTags('claims')
@ApiBearerAuth()
@Controller('claims')
export class ClaimsController {
  constructor(private readonly claims: ClaimsService) {}

  /** SPEC §5: returns at once; a BullMQ job builds the workbook. */
  @Post()
  @HttpCode(202)
  @Roles('FINANCE', 'ADMIN')
  create(@CurrentUser() user: AuthUser, @Body() body: CreateClaimDto): Promise<ClaimView> {
    return this.claims.requestForUser(user, body.month, body.canteenId);
  }

  @Get()
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  list(@CurrentUser() user: AuthUser, @Query() query: ListClaimsQuery): Promise<ClaimView[]> {
    return this.claims.list(user, query.month);
  }

  @Get(':id')
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  get(@CurrentUser() user: AuthUser, @Param('id', claimIdPipe) id: number): Promise<ClaimView> {
    return this.claims.getForUser(user, id);
  }

  @Get(':id/file')
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  async file(
    @CurrentUser() user: AuthUser,
    @Param('id', claimIdPipe) id: number,
    @ClientIp() ip: string | null,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { claim, stream, size, filename } = await this.claims.openFile(user, id, ip);
    res.set({
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Length': String(size),
      // RFC 6266 / RFC 5987: an ASCII fallback, then the Chinese name.
      'Content-Disposition': `attachment; filename="claim-${claim.month}-v${claim.version}.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      'X-Content-SHA256': claim.sha256 ?? '',
      'Cache-Control': 'no-store',
    });
    return new StreamableFile(stream);
  }
}
