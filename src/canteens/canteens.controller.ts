import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { Page, paginate } from '../common/paging';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { CanteenPageDto, CanteenViewDto } from './canteen-view.dto';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { CanteenListQueryDto, CreateCanteenDto, UpdateCanteenDto } from './canteen.dto';
import { CanteensService, CanteenView, toCanteenView } from './canteens.service';
import { IdParamPipe } from '../common/id-param.pipe';

@ApiTags('canteens')
@ApiBearerAuth()
@Controller('canteens')
export class CanteensController {
  constructor(private readonly canteens: CanteensService) {}

  @Post()
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: CanteenViewDto })
  @ApiErrors('INVALID_PERIOD_HOURS', 'CANTEEN_NAME_TAKEN')
  create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateCanteenDto,
    @ClientIp() ip: string | null,
  ): Promise<CanteenView> {
    return this.canteens.create(user, body, ip);
  }

  /** The canteens the caller may reach, by ?districtId= and ?subdistrictId= within that reach. */
  @Get()
  @ApiOkResponse({ type: CanteenPageDto, description: 'the reachable canteens, by id' })
  async list(@CurrentUser() user: AuthUser, @Query() query: CanteenListQueryDto): Promise<Page<CanteenView>> {
    return paginate(await this.canteens.list(user, query), query);
  }

  @Get(':id')
  @ApiOkResponse({ type: CanteenViewDto })
  @ApiErrors('INVALID_ID', 'CANTEEN_NOT_FOUND', 'CANTEEN_FORBIDDEN')
  async get(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<CanteenView> {
    return toCanteenView(await this.canteens.getReachable(user, id));
  }

  /** Prices, period hours, address, active — the canteen's operator or an admin. */
  @Patch(':id')
  @Roles('OPERATOR', 'ADMIN')
  @ApiOkResponse({ type: CanteenViewDto })
  @ApiErrors('INVALID_ID', 'INVALID_PERIOD_HOURS', 'CANTEEN_NOT_FOUND', 'CANTEEN_FORBIDDEN', 'CANTEEN_NAME_TAKEN')
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @Body() body: UpdateCanteenDto,
    @ClientIp() ip: string | null,
  ): Promise<CanteenView> {
    return this.canteens.update(user, id, body, ip);
  }
}
