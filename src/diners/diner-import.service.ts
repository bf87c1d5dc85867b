import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ownSubdistrict } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { CanteensService } from '../canteens/canteens.service';
import { AppError, badRequest } from '../common/app-error';
import { IMPORT_ROW_CODES, ImportRowCode } from '../common/error-codes';
import { PiiCipher } from '../common/pii-cipher';
import { tryParseIdNumber } from '../subsidy/id-number';
import { insertDiners, knownIdNumberHmacs, lockRegisterForImport, takenCardNos } from './diner.queries';
import { idShapedField } from './id-shaped-fields';
import { checkXlsxZip } from './xlsx-guard';
import { isPhoneNumber, PHONE_MESSAGE } from './phone';

const IMPORT_COLUMNS = ['姓名', '身份证号码', '联系电话', '就餐卡号', '所属社区'] as const;
const REQUIRED_COLUMNS = ['姓名', '身份证号码'] as const;
const IMPORT_MAX_ROWS = 5_000;
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
// 5,000 rows of the template's five columns unpack to about 2 MB (10 MB with every field at its longest).
const IMPORT_MAX_UNPACKED_BYTES = 32 * 1024 * 1024;
const IMPORT_MAX_ZIP_ENTRIES = 1_000;

export interface ImportRejection {
  row: number;
  reason: string;
  code: ImportRowCode;
}

export interface ImportResult {
  imported: number;
  skipped: number;
  rejected: ImportRejection[];
}

interface ValidRow {
  row: number;
  name: string;
  idNumber: string;
  birthDate: string;
  sex: 'M' | 'F';
  phone: string | null;
  cardNo: string | null;
  community: string | null;
  hmac: Buffer;
}

const invalidFile = (message: string) => badRequest('IMPORT_FILE_INVALID', message);
const NOT_XLSX = '文件不是有效的 .xlsx 表格，请使用下载的模板';
const tooManyRows = () =>
  badRequest('IMPORT_FILE_INVALID', `一次最多导入 ${IMPORT_MAX_ROWS} 行，请分批导入`, { maxRows: IMPORT_MAX_ROWS });

type ImportRow = { row: number; cells: { text: string; numeric: boolean }[] };

/** A cell as text; numbers typed into an ID column lose digits in Excel, so they are reported, not guessed. */
function cellText(cell: ExcelJS.Cell): { text: string; numeric: boolean } {
  const v = cell.value;
  if (v === null || v === undefined) return { text: '', numeric: false };
  if (typeof v === 'number') return { text: String(v), numeric: true };
  return { text: cell.text.trim(), numeric: false };
}

@Injectable()
export class DinerImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cipher: PiiCipher,
    private readonly audit: AuditService,
    private readonly canteens: CanteensService,
  ) {}

  /** The template operators fill in: the five columns, ID number column formatted as text. */
  async template(): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    wb.creator = '幸福食堂补贴结算系统';
    const ws = wb.addWorksheet('就餐老人');
    ws.columns = IMPORT_COLUMNS.map((header) => ({
      header,
      key: header,
      width: header === '身份证号码' ? 24 : 16,
      style: { numFmt: '@' },
    }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    const help = wb.addWorksheet('填写说明');
    for (const line of [
      '1. 每行一位老人，从第 2 行开始填写；请勿修改第 1 行表头。',
      '2. “姓名”和“身份证号码”必填；身份证号码请按文本填写（18 位，末位可为 X）。',
      '3. 联系电话、就餐卡号、所属社区可不填。',
      '4. 已登记的老人会被跳过，不会重复登记；有误的行会列出行号和原因，其余行照常导入。',
    ]) {
      help.addRow([line]);
    }
    help.getColumn(1).width = 90;
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async import(
    user: AuthUser,
    file: { buffer: Buffer; originalname?: string } | undefined,
    canteenIdRequested: number | undefined,
    ip: string | null,
  ): Promise<ImportResult> {
    if (!file || file.buffer.length === 0) throw invalidFile('请上传 .xlsx 文件（表单字段 file）');
    let subdistrictId: number;
    let canteenId: number | null = user.canteenIds.length === 1 ? user.canteenIds[0] : null;
    if (canteenIdRequested !== undefined) {
      const canteen = await this.canteens.getReachable(user, canteenIdRequested);
      subdistrictId = canteen.subdistrictId;
      canteenId = canteen.id;
    } else {
      subdistrictId = ownSubdistrict(user);
    }

    const rows = await this.readRows(file.buffer);
    const rejected: ImportRejection[] = [];
    const reject = (row: number, code: ImportRowCode, reason: string = IMPORT_ROW_CODES[code]) =>
      rejected.push({ row, code, reason });
    const valid: ValidRow[] = [];
    const seenIds = new Map<string, number>();
    const seenCards = new Map<string, number>();
    for (const { row, cells } of rows) {
      const [name, id, phone, cardNo, community] = cells;
      if (!name.text) {
        reject(row, 'NAME_REQUIRED');
        continue;
      }
      if (name.text.length > 50) {
        reject(row, 'NAME_TOO_LONG');
        continue;
      }
      if (!id.text) {
        reject(row, 'ID_REQUIRED');
        continue;
      }
      if (id.numeric) {
        reject(row, 'ID_FORMAT', '身份证号码被当作数字保存，末几位已丢失；请把该列设为文本后重新填写');
        continue;
      }
      const parsed = tryParseIdNumber(id.text);
      if (!parsed.ok) {
        reject(row, parsed.code, parsed.message);
        continue;
      }
      const idNumber = parsed.value.idNumber;
      const firstRow = seenIds.get(idNumber);
      if (firstRow !== undefined) {
        reject(row, 'DUPLICATE_IN_FILE', `与第 ${firstRow} 行的身份证号码重复`);
        continue;
      }
      if (cardNo.text && !/^[0-9A-Za-z-]{1,64}$/.test(cardNo.text)) {
        reject(row, 'CARD_NO_INVALID');
        continue;
      }
      const idShaped = idShapedField({ phone: phone.text, cardNo: cardNo.text });
      if (idShaped) {
        reject(row, 'LOOKS_LIKE_ID_NUMBER', idShaped.message);
        continue;
      }
      if (phone.text && !isPhoneNumber(phone.text)) {
        reject(row, 'PHONE_INVALID', PHONE_MESSAGE);
        continue;
      }
      if (cardNo.text && seenCards.has(cardNo.text)) {
        reject(row, 'CARD_NO_DUPLICATE_IN_FILE', `与第 ${seenCards.get(cardNo.text)} 行的就餐卡号重复`);
        continue;
      }
      if (community.text.length > 100) {
        reject(row, 'COMMUNITY_TOO_LONG');
        continue;
      }
      seenIds.set(idNumber, row);
      if (cardNo.text) seenCards.set(cardNo.text, row);
      valid.push({
        row,
        name: name.text,
        idNumber,
        birthDate: parsed.value.birthDate,
        sex: parsed.value.sex,
        phone: phone.text || null,
        cardNo: cardNo.text || null,
        community: community.text || null,
        hmac: this.cipher.hmac(idNumber),
      });
    }

    const result = await this.db.transaction(async (m) => {
      // Serialise imports into the city's one register, so two uploads of the same file cannot both insert a row.
      await lockRegisterForImport(m);
      const known = new Set(
        (
          await knownIdNumberHmacs(
            m,
            valid.map((v) => v.hmac),
          )
        ).map((h) => h.toString('hex')),
      );
      const fresh = valid.filter((v) => !known.has(v.hmac.toString('hex')));
      const skipped = valid.length - fresh.length;
      const cards = fresh.filter((v) => v.cardNo !== null).map((v) => v.cardNo as string);
      const taken = new Set(await takenCardNos(m, cards));
      const toInsert = fresh.filter((v) => {
        if (v.cardNo !== null && taken.has(v.cardNo)) {
          reject(v.row, 'CARD_NO_TAKEN');
          return false;
        }
        return true;
      });
      // One statement for the whole file (at most 5,000 rows): a column of values per parameter.
      const inserted = await insertDiners(
        m,
        this.cipher,
        toInsert.map((v) => ({
          subdistrictId,
          name: v.name,
          idNumber: v.idNumber,
          birthDate: v.birthDate,
          sex: v.sex,
          phone: v.phone,
          community: v.community,
          cardNo: v.cardNo,
          registeredCanteenId: canteenId,
          registeredBy: user.id,
        })),
      );
      const imported = inserted.length;
      rejected.sort((a, b) => a.row - b.row);
      await this.audit.record(
        {
          actor: user,
          action: 'DINERS_IMPORTED',
          entityType: 'diner',
          subdistrictId,
          canteenId,
          ip,
          details: { rows: rows.length, imported, skipped, rejected: rejected.length },
        },
        m,
      );
      return { imported, skipped, rejected };
    });
    return result;
  }

  /**
   * The data rows of the first sheet, by header name. A file that is not a workbook of ours writes nothing.
   * The zip is measured first (xlsx-guard: a bomb is refused before any parsing), then the sheet is read as a stream
   * and reading stops at the first row past the limit: a file of 300,000 rows costs what 5,001 rows cost.
   */
  private async readRows(buffer: Buffer): Promise<ImportRow[]> {
    const check = await checkXlsxZip(buffer, {
      maxEntries: IMPORT_MAX_ZIP_ENTRIES,
      maxUnpackedBytes: IMPORT_MAX_UNPACKED_BYTES,
    });
    if (!check.ok && check.reason === 'TOO_LARGE') {
      throw new AppError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        'IMPORT_UNPACKED_TOO_LARGE',
        `表格解压后超过 ${IMPORT_MAX_UNPACKED_BYTES / 1024 / 1024} MB，请只保留“就餐老人”一张表并分批导入（每次最多 ${IMPORT_MAX_ROWS} 行）`,
      );
    }
    if (!check.ok) throw invalidFile(NOT_XLSX);
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buffer]), {
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'ignore',
      worksheets: 'emit',
      entries: 'ignore',
    });
    const out: ImportRow[] = [];
    let header: Map<string, number> | null = null;
    let sheets = 0;
    try {
      // The first worksheet only; leaving the loops early stops the reader.
      for await (const ws of reader) {
        sheets++;
        for await (const r of ws) {
          if (r.number === 1) {
            header = headerColumns(r);
            continue;
          }
          // No header row: refused below, without reading on.
          if (header === null) break;
          const cells = IMPORT_COLUMNS.map((c) => {
            const col = header!.get(c);
            return col === undefined ? { text: '', numeric: false } : cellText(r.getCell(col));
          });
          if (cells.every((c) => c.text === '')) continue;
          if (out.length === IMPORT_MAX_ROWS) throw tooManyRows();
          out.push({ row: r.number, cells });
        }
        break;
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw invalidFile(NOT_XLSX);
    }
    if (sheets === 0) throw invalidFile('表格中没有工作表');
    header ??= new Map<string, number>();
    const missing = REQUIRED_COLUMNS.filter((c) => !header.has(c));
    if (missing.length > 0) throw invalidFile(`表头缺少列：${missing.join('、')}（请使用下载的模板）`);
    if (out.length === 0) throw invalidFile('表格中没有数据行');
    return out;
  }
}

function headerColumns(row: ExcelJS.Row): Map<string, number> {
  const header = new Map<string, number>();
  row.eachCell((cell, col) => {
    const text = cell.text.trim();
    if (text && !header.has(text)) header.set(text, col);
  });
  return header;
}
