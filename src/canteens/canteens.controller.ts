import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
  create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateCanteenDto,
    @ClientIp() ip: string | null,
  ): Promise<CanteenView> {
    return this.canteens.create(user, body, ip);
  }

  /** The canteens the caller may reach, by ?districtId= and ?subdistrictId= within that reach. */
  @Get()
  list(@CurrentUser() user: AuthUser, @Query() query: CanteenListQueryDto): Promise<CanteenView[]> {
    return this.canteens.list(user, query);
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<CanteenView> {
    return toCanteenView(await this.canteens.getReachable(user, id));
  }

  /** Prices, period hours, address, active — the canteen's operator or an admin. */
  @Patch(':id')
  @Roles('OPERATOR', 'ADMIN')
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @Body() body: UpdateCanteenDto,
    @ClientIp() ip: string | null,
  ): Promise<CanteenView> {
    return this.canteens.update(user, id, body, ip);
  }
}
