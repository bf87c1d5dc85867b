import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { DailyStatsDto, DailyStatsQuery, SummaryExportQuery, SummaryStatsDto, SummaryStatsQuery } from './stats.dto';
import { dailyWorkbook, summaryWorkbook } from './stats-workbook';
import { StatsService } from './stats.service';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** RFC 6266 / RFC 5987: an ASCII fallback, then the Chinese name. */
function xlsxFile(buffer: Buffer, ascii: string, chinese: string): StreamableFile {
  return new StreamableFile(buffer, {
    type: XLSX,
    length: buffer.length,
    disposition: `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(chinese)}`,
  });
}

// SPEC §5 统计 and §6 GET /api/stats/daily: figures within the caller's reach; voided meals count nowhere.
@ApiTags('stats')
@ApiBearerAuth()
@ApiErrors(
  'STATS_RANGE_INVALID',
  'CANTEEN_FORBIDDEN',
  'SUBDISTRICT_FORBIDDEN',
  'DISTRICT_FORBIDDEN',
  'CANTEEN_NOT_FOUND',
  'SUBDISTRICT_NOT_FOUND',
  'DISTRICT_NOT_FOUND',
)
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  /** Per day of [from, to] (at most 366 days), with totals over the range (diners counted once over it). */
  @Get('daily')
  @Roles('OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN')
  @ApiOkResponse({ type: DailyStatsDto })
  async daily(@CurrentUser() user: AuthUser, @Query() q: DailyStatsQuery): Promise<DailyStatsDto> {
    return (await this.stats.daily(user, q)).stats;
  }

  @Get('daily/export')
  @Roles('OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN')
  @ApiProduces(XLSX)
  @ApiOkResponse({ description: '日统计表 (.xlsx)', schema: { type: 'string', format: 'binary' } })
  async dailyExport(@CurrentUser() user: AuthUser, @Query() q: DailyStatsQuery): Promise<StreamableFile> {
    const { stats, scopeLabel } = await this.stats.daily(user, q);
    return xlsxFile(
      await dailyWorkbook(stats, scopeLabel),
      `stats-daily-${q.from}-${q.to}.xlsx`,
      `就餐日统计-${q.from}至${q.to}.xlsx`,
    );
  }

  /** The statistics screen of a month: KPI tiles against last month, tiers, periods, canteens, 12 months, hours. */
  @Get('summary')
  @Roles('OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN')
  @ApiOkResponse({ type: SummaryStatsDto })
  async summary(@CurrentUser() user: AuthUser, @Query() q: SummaryStatsQuery): Promise<SummaryStatsDto> {
    return (await this.stats.summary(user, q)).stats;
  }

  @Get('summary/export')
  @Roles('OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN')
  @ApiProduces(XLSX)
  @ApiOkResponse({
    description: '统计表 (.xlsx)：每表一页，或 ?table= 只导出一张',
    schema: { type: 'string', format: 'binary' },
  })
  async summaryExport(@CurrentUser() user: AuthUser, @Query() q: SummaryExportQuery): Promise<StreamableFile> {
    const { stats, scopeLabel } = await this.stats.summary(user, q);
    const suffix = q.table ? `-${q.table}` : '';
    return xlsxFile(
      await summaryWorkbook(stats, scopeLabel, q.table),
      `stats-${q.month}${suffix}.xlsx`,
      `就餐统计-${q.month}${suffix}.xlsx`,
    );
  }
}
