import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { Page } from '../common/paging';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses';
import { DinerPageDto, DinerViewDto, ImportResultDto, RevealedDinerDto } from './diner-view.dto';
import { AuthUser } from '../auth/auth-user';
import { ClientIp, CurrentUser, Roles } from '../auth/auth.decorators';
import { IdParamPipe } from '../common/id-param.pipe';
import { DinerImportService, IMPORT_MAX_BYTES, ImportResult } from './diner-import.service';
import {
  CreateDinerDto,
  DinerQueryDto,
  DinerRegisterPageDto,
  DinerStatusDto,
  ImportQueryDto,
  RegisterFilterDto,
  RegisterQueryDto,
  UpdateDinerDto,
} from './diner.dto';
import { DinerRegisterService, RegisterDinerView } from './diner-register.service';
import { DinersService, DinerView, toDinerView } from './diners.service';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** What the upload interceptor (multer, memory storage) hands over. */
interface UploadedXlsx {
  buffer: Buffer;
  originalname: string;
  size: number;
}

@ApiTags('diners')
@ApiBearerAuth()
@Controller('diners')
export class DinersController {
  constructor(
    private readonly diners: DinersService,
    private readonly importer: DinerImportService,
    private readonly registerList: DinerRegisterService,
  ) {}

  /** Registers a diner (ID number shown masked in the answer). */
  @Post()
  @Roles('CASHIER', 'OPERATOR', 'ADMIN')
  @ApiCreatedResponse({ type: DinerViewDto })
  @ApiErrors(
    'ID_FORMAT',
    'ID_BIRTHDATE',
    'ID_CHECKSUM',
    'LOOKS_LIKE_ID_NUMBER',
    'CANTEEN_NOT_FOUND',
    'CANTEEN_FORBIDDEN',
    'DINER_EXISTS',
    'CARD_NO_TAKEN',
  )
  register(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateDinerDto,
    @ClientIp() ip: string | null,
  ): Promise<DinerView> {
    return this.diners.register(user, body, ip);
  }

  /** Look up by ?idNumber= or ?cardNo= (exact) or ?q= (part of the name); none: the latest registered. */
  @Get()
  @Roles('CASHIER', 'OPERATOR', 'FINANCE', 'ADMIN')
  @ApiOkResponse({ type: DinerPageDto, description: 'newest first (by name with ?q=)' })
  @ApiErrors('ID_FORMAT', 'ID_BIRTHDATE', 'ID_CHECKSUM')
  search(@CurrentUser() user: AuthUser, @Query() query: DinerQueryDto): Promise<Page<DinerView>> {
    return this.diners.search(user, query);
  }

  @Get('import-template')
  @Roles('OPERATOR', 'ADMIN')
  @ApiOkResponse({
    description: 'the import template (.xlsx)',
    content: { [XLSX]: { schema: { type: 'string', format: 'binary' } } },
  })
  async template(): Promise<StreamableFile> {
    return new StreamableFile(await this.importer.template(), {
      type: XLSX,
      disposition: `attachment; filename="diners-template.xlsx"; filename*=UTF-8''${encodeURIComponent('就餐老人导入模板.xlsx')}`,
    });
  }

  /** Bulk registration from the template (.xlsx, multipart field `file`). */
  @Post('import')
  @HttpCode(200)
  @Roles('OPERATOR', 'ADMIN')
  @ApiOkResponse({ type: ImportResultDto })
  @ApiErrors(
    'IMPORT_FILE_INVALID',
    'CANTEEN_NOT_FOUND',
    'CANTEEN_FORBIDDEN',
    'PAYLOAD_TOO_LARGE',
    'IMPORT_UNPACKED_TOO_LARGE',
  )
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5 } }))
  import(
    @CurrentUser() user: AuthUser,
    @UploadedFile() file: UploadedXlsx | undefined,
    @Query() query: ImportQueryDto,
    @ClientIp() ip: string | null,
  ): Promise<ImportResult> {
    return this.importer.import(user, file, query.canteenId, ip);
  }

  /** One page of the caller's register with the total: by name, last 4 of the ID number, card or community. */
  @Get('register')
  @Roles('OPERATOR', 'FINANCE', 'ADMIN')
  @ApiOkResponse({ type: DinerRegisterPageDto })
  registerPage(
    @CurrentUser() user: AuthUser,
    @Query() query: RegisterQueryDto,
  ): Promise<{ items: RegisterDinerView[]; total: number; page: number; pageSize: number }> {
    const { page, pageSize, ...filter } = query;
    return this.registerList.page(user, filter, page, pageSize);
  }

  /** The caller's register as an .xlsx (masked ID numbers only), streamed; audited DINERS_EXPORTED. */
  @Get('export')
  @Roles('OPERATOR', 'FINANCE', 'ADMIN')
  @ApiProduces(XLSX)
  @ApiOkResponse({ description: '就餐老人花名册 .xlsx', schema: { type: 'string', format: 'binary' } })
  async export(
    @CurrentUser() user: AuthUser,
    @Query() query: RegisterFilterDto,
    @ClientIp() ip: string | null,
  ): Promise<StreamableFile> {
    return new StreamableFile(await this.registerList.export(user, query, ip), {
      type: XLSX,
      disposition: `attachment; filename="diners.xlsx"; filename*=UTF-8''${encodeURIComponent('就餐老人花名册.xlsx')}`,
    });
  }

  @Get(':id')
  @Roles('CASHIER', 'OPERATOR', 'FINANCE', 'ADMIN')
  @ApiOkResponse({ type: DinerViewDto })
  @ApiErrors('INVALID_ID', 'DINER_NOT_FOUND')
  async get(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<DinerView> {
    return toDinerView(await this.diners.getForUser(user, id));
  }

  /** Name, phone, community, meal-card number. */
  @Patch(':id')
  @Roles('OPERATOR', 'ADMIN')
  @ApiOkResponse({ type: DinerViewDto })
  @ApiErrors('INVALID_ID', 'LOOKS_LIKE_ID_NUMBER', 'DINER_NOT_FOUND', 'CARD_NO_TAKEN')
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @Body() body: UpdateDinerDto,
    @ClientIp() ip: string | null,
  ): Promise<DinerView> {
    return this.diners.update(user, id, body, ip);
  }

  /** Active, suspended, moved away, deceased — with the date it takes effect. */
  @Post(':id/status')
  @HttpCode(200)
  @Roles('OPERATOR', 'ADMIN')
  @ApiOkResponse({ type: DinerViewDto })
  @ApiErrors('INVALID_ID', 'DINER_NOT_FOUND')
  setStatus(
    @CurrentUser() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @Body() body: DinerStatusDto,
    @ClientIp() ip: string | null,
  ): Promise<DinerView> {
    return this.diners.setStatus(user, id, body, ip);
  }

  /** The full ID number; audited (DINER_REVEALED). */
  @Post(':id/reveal')
  @HttpCode(200)
  @Roles('OPERATOR', 'FINANCE', 'ADMIN')
  @ApiOkResponse({ type: RevealedDinerDto })
  @ApiErrors('INVALID_ID', 'DINER_NOT_FOUND')
  reveal(
    @CurrentUser() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @ClientIp() ip: string | null,
  ): Promise<{ id: number; name: string; idNumber: string }> {
    return this.diners.reveal(user, id, ip);
  }
}
