import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Page } from '../common/paging';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { ApiErrors } from '../common/api-responses';
import { notFound } from '../common/app-error';
import { BigIdParamPipe, IdParamPipe } from '../common/id-param.pipe';
import { OfflineConflictDto, OfflineConflictPageDto } from './meal-view.dto';
import { ListOfflineConflictsQuery, SettleOfflineConflictDto } from './meals.dto';
import { OfflineConflictView } from './offline-conflict.queries';
import { OfflineConflictsService } from './offline-conflicts.service';

// An id that cannot exist names no conflict.
const conflictIdPipe = new BigIdParamPipe(() => notFound('OFFLINE_CONFLICT_NOT_FOUND', '该离线冲突不存在'));

/** SPEC §4 "Offline": conflicts between an offline till's provisional subsidy and the server's. */
@ApiTags('meals')
@ApiBearerAuth()
@Controller()
export class OfflineConflictsController {
  constructor(private readonly conflicts: OfflineConflictsService) {}

  /** A page of a canteen's offline conflicts, newest meal first; `settled` narrows them. */
  @Get('canteens/:canteenId/offline-conflicts')
  @Roles('OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN')
  @ApiOkResponse({ type: OfflineConflictPageDto })
  @ApiErrors('INVALID_ID', 'CANTEEN_NOT_FOUND', 'CANTEEN_FORBIDDEN')
  list(
    @CurrentUser() user: AuthUser,
    @Param('canteenId', IdParamPipe) canteenId: number,
    @Query() query: ListOfflineConflictsQuery,
  ): Promise<Page<OfflineConflictView>> {
    return this.conflicts.list(user, canteenId, query);
  }

  /** Settles one conflict with a note (what was done about the under-collected amount); audited. */
  @Post('offline-conflicts/:id/settle')
  @HttpCode(200)
  @Roles('OPERATOR', 'ADMIN')
  @ApiOkResponse({ type: OfflineConflictDto, description: 'the conflict, settled' })
  @ApiErrors('SETTLE_NOTE_REQUIRED', 'OFFLINE_CONFLICT_NOT_FOUND', 'OFFLINE_CONFLICT_ALREADY_SETTLED')
  settle(
    @CurrentUser() user: AuthUser,
    @Param('id', conflictIdPipe) id: string,
    @Body() body: SettleOfflineConflictDto,
    @ClientIp() ip: string | null,
  ): Promise<OfflineConflictView> {
    return this.conflicts.settle(user, id, body.note, ip);
  }
}
