import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { Page, PageQueryDto, paginate } from '../common/paging';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { notFound } from '../common/app-error';
import { IdParamPipe } from '../common/id-param.pipe';
import {
  CreateDistrictDto,
  CreateSubdistrictDto,
  DistrictDto,
  DistrictPageDto,
  SubdistrictDto,
  SubdistrictPageDto,
  SubdistrictQueryDto,
  UpdateDistrictDto,
  UpdateSubdistrictDto,
} from './district.dto';
import { DistrictView, SubdistrictView } from './district.queries';
import { DistrictsService } from './districts.service';

const districtId = new IdParamPipe(() => notFound('DISTRICT_NOT_FOUND'));
const subdistrictId = new IdParamPipe(() => notFound('SUBDISTRICT_NOT_FOUND'));

@ApiTags('districts')
@ApiBearerAuth()
@Controller('districts')
export class DistrictsController {
  constructor(private readonly districts: DistrictsService) {}

  /** The districts within reach: all for an admin, its own for a reviewer. */
  @Get()
  @Roles('REVIEWER', 'ADMIN')
  @ApiOkResponse({ type: DistrictPageDto })
  async list(@CurrentUser() user: AuthUser, @Query() query: PageQueryDto): Promise<Page<DistrictView>> {
    return paginate(await this.districts.listDistricts(user), query);
  }

  @Get(':id')
  @Roles('REVIEWER', 'ADMIN')
  @ApiOkResponse({ type: DistrictDto })
  @ApiErrors('DISTRICT_NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @Param('id', districtId) id: number): Promise<DistrictView> {
    return this.districts.getDistrict(user, id);
  }

  @Post()
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: DistrictDto })
  @ApiErrors('DISTRICT_NAME_TAKEN', 'DISTRICT_CODE_TAKEN')
  create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateDistrictDto,
    @ClientIp() ip: string | null,
  ): Promise<DistrictView> {
    return this.districts.createDistrict(user, body, ip);
  }

  /** Renames a district or corrects its code. */
  @Patch(':id')
  @Roles('ADMIN')
  @ApiOkResponse({ type: DistrictDto })
  @ApiErrors('DISTRICT_NOT_FOUND')
  @ApiErrors('DISTRICT_NAME_TAKEN', 'DISTRICT_CODE_TAKEN')
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', districtId) id: number,
    @Body() body: UpdateDistrictDto,
    @ClientIp() ip: string | null,
  ): Promise<DistrictView> {
    return this.districts.updateDistrict(user, id, body, ip);
  }
}

@ApiTags('districts')
@ApiBearerAuth()
@Controller('subdistricts')
export class SubdistrictsController {
  constructor(private readonly districts: DistrictsService) {}

  /** The sub-districts within reach (admin: all; reviewer: its district's; others: their own), by ?districtId=. */
  @Get()
  @ApiOkResponse({ type: SubdistrictPageDto })
  @ApiErrors('DISTRICT_FORBIDDEN')
  async list(@CurrentUser() user: AuthUser, @Query() query: SubdistrictQueryDto): Promise<Page<SubdistrictView>> {
    return paginate(await this.districts.listSubdistricts(user, query.districtId), query);
  }

  @Post()
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: SubdistrictDto })
  @ApiErrors('DISTRICT_NOT_FOUND')
  @ApiErrors('SUBDISTRICT_NAME_TAKEN')
  create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateSubdistrictDto,
    @ClientIp() ip: string | null,
  ): Promise<SubdistrictView> {
    return this.districts.createSubdistrict(user, body, ip);
  }

  @Patch(':id')
  @Roles('ADMIN')
  @ApiOkResponse({ type: SubdistrictDto })
  @ApiErrors('SUBDISTRICT_NOT_FOUND')
  @ApiErrors('SUBDISTRICT_NAME_TAKEN')
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', subdistrictId) id: number,
    @Body() body: UpdateSubdistrictDto,
    @ClientIp() ip: string | null,
  ): Promise<SubdistrictView> {
    return this.districts.updateSubdistrict(user, id, body, ip);
  }
}
