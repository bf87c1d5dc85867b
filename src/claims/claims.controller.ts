import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { ClaimViewDto } from './claim-view.dto';
import { IsOptional } from 'class-validator';
import type { Response } from 'express';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { notFound } from '../common/app-error';
import { IdParamPipe } from '../common/id-param.pipe';
import { IsId, IsLocalMonth, IsOptionalNonNull, queryIdToInt } from '../common/validation';
import { Transform } from 'class-transformer';
import { ClaimChecks, ClaimChecksService } from './claim-checks.service';
import { ClaimChecksDto, ClaimFileMatchDto } from './claim-checks.dto';
import { ClaimFileMatch, ClaimsService, ClaimView } from './claims.service';
import { HashedUpload, Sha256Storage } from './sha256-storage';

// A claim file of a city's month is tens of MB (1M meals: 70 MB); the upload is hashed as it streams, never kept.
export const VERIFY_MAX_BYTES = 256 * 1024 * 1024;

export class CreateClaimDto {
  @ApiProperty({ example: '2025-03', pattern: '^\\d{4}-\\d{2}$' })
  @IsLocalMonth('月份格式应为 YYYY-MM，如 2025-03')
  month!: string;

  @ApiPropertyOptional({ type: 'integer', description: 'one canteen; absent: the whole sub-district' })
  @IsOptionalNonNull()
  @IsId('食堂编号必须是正整数')
  canteenId?: number;
}

export class ListClaimsQuery {
  @ApiPropertyOptional({ example: '2025-03', pattern: '^\\d{4}-\\d{2}$' })
  @IsOptional()
  @IsLocalMonth('月份格式应为 YYYY-MM，如 2025-03')
  month?: string;

  @ApiPropertyOptional({ type: 'integer', description: '只列出该区的申报（在本人范围内）' })
  @IsOptional()
  @Transform(queryIdToInt)
  @IsId('区编号必须是正整数')
  districtId?: number;

  @ApiPropertyOptional({ type: 'integer', description: '只列出该街道的申报（在本人范围内）' })
  @IsOptional()
  @Transform(queryIdToInt)
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// An id that is not a positive integer names no claim.
const claimIdPipe = new IdParamPipe(() => notFound('CLAIM_NOT_FOUND', '申报记录不存在'));

@ApiTags('claims')
@ApiBearerAuth()
@Controller('claims')
export class ClaimsController {
  constructor(
    private readonly claims: ClaimsService,
    private readonly checks: ClaimChecksService,
  ) {}

  /** SPEC §5: returns at once; a BullMQ job builds the workbook. */
  @Post()
  @HttpCode(202)
  @Roles('FINANCE', 'ADMIN')
  @ApiAcceptedResponse({ type: ClaimViewDto, description: 'queued (or the claim already queued or running)' })
  @ApiErrors('MONTH_IN_FUTURE', 'CANTEEN_NOT_FOUND', 'CANTEEN_FORBIDDEN', 'CLAIM_BUSY', 'QUEUE_UNAVAILABLE')
  create(@CurrentUser() user: AuthUser, @Body() body: CreateClaimDto): Promise<ClaimView> {
    return this.claims.requestForUser(user, body.month, body.canteenId);
  }

  /** SPEC §5: names the claim and version a file is, by its SHA-256; an altered byte matches nothing. */
  @Post('verify')
  @HttpCode(200)
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOkResponse({ type: ClaimFileMatchDto })
  @ApiErrors('CLAIM_FILE_REQUIRED', 'CLAIM_FILE_UNKNOWN', 'PAYLOAD_TOO_LARGE')
  @UseInterceptors(
    FileInterceptor('file', {
      storage: new Sha256Storage(),
      limits: { fileSize: VERIFY_MAX_BYTES, files: 1, fields: 5 },
    }),
  )
  verify(@CurrentUser() user: AuthUser, @UploadedFile() file: HashedUpload | undefined): Promise<ClaimFileMatch> {
    return this.claims.verifyFile(user, file);
  }

  @Get()
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  @ApiOkResponse({ type: ClaimViewDto, isArray: true, description: 'newest month first, at most 500 (not paged)' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListClaimsQuery): Promise<ClaimView[]> {
    return this.claims.list(user, query.month, { districtId: query.districtId, subdistrictId: query.subdistrictId });
  }

  @Get(':id')
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  @ApiOkResponse({ type: ClaimViewDto })
  @ApiErrors('CLAIM_NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @Param('id', claimIdPipe) id: number): Promise<ClaimView> {
    return this.claims.getForUser(user, id);
  }

  /** SPEC §5 edit checks: what an auditor would question, from the claim's meals as they are now. */
  @Get(':id/checks')
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  @ApiOkResponse({ type: ClaimChecksDto })
  @ApiErrors('CLAIM_NOT_FOUND')
  checksOf(@CurrentUser() user: AuthUser, @Param('id', claimIdPipe) id: number): Promise<ClaimChecks> {
    return this.checks.forUser(user, id);
  }

  @Get(':id/file')
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  @ApiOkResponse({
    description: 'the claim workbook (.xlsx); X-Content-SHA256 is its SHA-256',
    content: { [XLSX]: { schema: { type: 'string', format: 'binary' } } },
    headers: { 'X-Content-SHA256': { schema: { type: 'string' }, required: true } },
  })
  @ApiErrors('CLAIM_NOT_FOUND', 'CLAIM_FILE_MISSING', 'CLAIM_NOT_READY')
  async file(
    @CurrentUser() user: AuthUser,
    @Param('id', claimIdPipe) id: number,
    @ClientIp() ip: string | null,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { claim, stream, size, filename } = await this.claims.openFile(user, id, ip);
    res.set({
      'Content-Type': XLSX,
      'Content-Length': String(size),
      // RFC 6266 / RFC 5987: an ASCII fallback, then the Chinese name.
      'Content-Disposition': `attachment; filename="claim-${claim.month}-v${claim.version}.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      'X-Content-SHA256': claim.sha256 ?? '',
      'Cache-Control': 'no-store',
    });
    return new StreamableFile(stream);
  }
}
