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
import { Page, PageQueryDto } from '../common/paging';
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
import { ClaimPageDto, ClaimViewDto } from './claim-view.dto';
import { IsIn, IsOptional } from 'class-validator';
import type { Response } from 'express';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { notFound } from '../common/app-error';
import { IdParamPipe } from '../common/id-param.pipe';
import { IsId, IsLocalMonth, IsOptionalNonNull, queryIdToInt } from '../common/validation';
import { Transform } from 'class-transformer';
import { ClaimChecks, ClaimChecksService } from './claim-checks.service';
import { ClaimChecksDto, ClaimFileMatchDto } from './claim-checks.dto';
import { ClaimFileMatch, ClaimPrint, ClaimsService, ClaimView } from './claims.service';
import { ClaimPrintDto } from './claim-print.dto';
import { HashedUpload, Sha256Storage } from './sha256-storage';
import { REVIEW_STATUSES, ReviewStatus } from '../common/enums';
import { ClaimEventView, ClaimReviewService } from './claim-review.service';
import { ClaimEventViewDto, PayClaimDto, ReturnClaimDto, SubmitClaimDto } from './claim-review.dto';

export class CreateClaimDto {
  @ApiProperty({ example: '2025-03', pattern: '^\\d{4}-\\d{2}$' })
  @IsLocalMonth('月份格式应为 YYYY-MM，如 2025-03')
  month!: string;

  @ApiPropertyOptional({ type: 'integer', description: 'one canteen; absent: the whole sub-district' })
  @IsOptionalNonNull()
  @IsId('食堂编号必须是正整数')
  canteenId?: number;
}

export class ListClaimsQuery extends PageQueryDto {
  @ApiPropertyOptional({ example: '2025-03', pattern: '^\\d{4}-\\d{2}$' })
  @IsOptional()
  @IsLocalMonth('月份格式应为 YYYY-MM，如 2025-03')
  month?: string;

  @ApiPropertyOptional({
    enum: REVIEW_STATUSES,
    enumName: 'ReviewStatus',
    description: 'only claims in this review status, oldest submission first (the reviewer queue: SUBMITTED)',
  })
  @IsOptional()
  @IsIn(REVIEW_STATUSES, { message: '审核状态应为 DRAFT、SUBMITTED、RETURNED、APPROVED 或 PAID' })
  reviewStatus?: ReviewStatus;

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
    private readonly review: ClaimReviewService,
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
  // Hashed as it streams, never kept; its limits (VERIFY_MAX_BYTES) come from ClaimsModule's MulterModule options.
  @UseInterceptors(FileInterceptor('file', { storage: new Sha256Storage() }))
  verify(@CurrentUser() user: AuthUser, @UploadedFile() file: HashedUpload | undefined): Promise<ClaimFileMatch> {
    return this.claims.verifyFile(user, file);
  }

  @Get()
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  @ApiOkResponse({
    type: ClaimPageDto,
    description: 'newest month first, then scope, then newest version (with reviewStatus: oldest submission first)',
  })
  list(@CurrentUser() user: AuthUser, @Query() query: ListClaimsQuery): Promise<Page<ClaimView>> {
    return this.claims.list(user, query);
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

  /**
   * Issue 18: the claim's sheets as data for the print view (a DONE claim whose data is unchanged, at most
   * CLAIM_PRINT_MAX_ROWS rows). ID numbers masked.
   */
  @Get(':id/print')
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  @ApiOkResponse({ type: ClaimPrintDto })
  @ApiErrors('CLAIM_NOT_FOUND', 'CLAIM_NOT_READY', 'CLAIM_PRINT_TOO_LARGE', 'CLAIM_DATA_CHANGED')
  print(@CurrentUser() user: AuthUser, @Param('id', claimIdPipe) id: number): Promise<ClaimPrint> {
    return this.claims.printForUser(user, id);
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

  /** SPEC §5: finance submits a sub-district's ended month, acknowledging every warning; takes the month lock. */
  @Post(':id/submit')
  @HttpCode(200)
  @Roles('FINANCE')
  @ApiOkResponse({ type: ClaimViewDto, description: 'reviewStatus SUBMITTED; the month is locked, held by the claim' })
  @ApiErrors(
    'CLAIM_NOT_FOUND',
    'CLAIM_NOT_SUBDISTRICT',
    'CLAIM_REVIEW_STATUS',
    'CLAIM_NOT_READY',
    'CLAIM_MONTH_NOT_ENDED',
    'CLAIM_VERSION_UNDER_REVIEW',
    'CLAIM_DATA_CHANGED',
    'CLAIM_CHECK_BLOCKING',
    'CLAIM_ACK_MISSING',
    'CLAIM_ACK_UNEXPECTED',
  )
  submit(
    @CurrentUser() user: AuthUser,
    @Param('id', claimIdPipe) id: number,
    @Body() body: SubmitClaimDto,
    @ClientIp() ip: string | null,
  ): Promise<ClaimView> {
    return this.review.submit(user, id, body.acknowledgements ?? [], ip);
  }

  /** SPEC §5: the district's reviewer returns a submitted claim with a reason; the month lock is lifted. */
  @Post(':id/return')
  @HttpCode(200)
  @Roles('REVIEWER')
  @ApiOkResponse({ type: ClaimViewDto, description: 'reviewStatus RETURNED; the month is unlocked' })
  @ApiErrors('CLAIM_NOT_FOUND', 'RETURN_REASON_REQUIRED', 'CLAIM_REVIEW_STATUS')
  returnClaim(
    @CurrentUser() user: AuthUser,
    @Param('id', claimIdPipe) id: number,
    @Body() body: ReturnClaimDto,
    @ClientIp() ip: string | null,
  ): Promise<ClaimView> {
    return this.review.return(user, id, body.reason, ip);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('REVIEWER')
  @ApiOkResponse({ type: ClaimViewDto, description: 'reviewStatus APPROVED' })
  @ApiErrors('CLAIM_NOT_FOUND', 'CLAIM_REVIEW_STATUS')
  approve(
    @CurrentUser() user: AuthUser,
    @Param('id', claimIdPipe) id: number,
    @ClientIp() ip: string | null,
  ): Promise<ClaimView> {
    return this.review.approve(user, id, ip);
  }

  @Post(':id/pay')
  @HttpCode(200)
  @Roles('REVIEWER')
  @ApiOkResponse({ type: ClaimViewDto, description: 'reviewStatus PAID, with the payment date and reference' })
  @ApiErrors(
    'CLAIM_NOT_FOUND',
    'PAYMENT_REFERENCE_REQUIRED',
    'PAYMENT_DATE_IN_FUTURE',
    'PAYMENT_DATE_BEFORE_SUBMISSION',
    'CLAIM_REVIEW_STATUS',
  )
  pay(
    @CurrentUser() user: AuthUser,
    @Param('id', claimIdPipe) id: number,
    @Body() body: PayClaimDto,
    @ClientIp() ip: string | null,
  ): Promise<ClaimView> {
    return this.review.pay(user, id, body.paidOn, body.reference, ip);
  }

  /** The claim's review history, oldest first (also in the audit log). */
  @Get(':id/history')
  @Roles('FINANCE', 'ADMIN', 'OPERATOR', 'REVIEWER')
  @ApiOkResponse({ type: ClaimEventViewDto, isArray: true })
  @ApiErrors('CLAIM_NOT_FOUND')
  history(@CurrentUser() user: AuthUser, @Param('id', claimIdPipe) id: number): Promise<ClaimEventView[]> {
    return this.review.history(user, id);
  }
}
