import { crc32, deflateRawSync } from 'node:zlib';

// Hand-made .xlsx files for the import's limits: written directly as zip entries, so a 300,000-row sheet takes a
// second to make (exceljs would take a minute), and an entry can declare a size it does not have.

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** The compressed bytes, when they are not simply deflateRaw(data) (a bomb made from repeated blocks). */
  deflated?: Buffer;
  /** What the headers claim the entry inflates to (a lying bomb claims little). */
  declaredSize?: number;
  declaredCrc?: number;
}

export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.deflated ?? deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const crc = e.declaredCrc ?? crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const xml = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`, 'utf8');

/** The parts every workbook needs around its one sheet. */
function frame(sheet: Omit<ZipEntry, 'name'>, sharedStrings: string[]): ZipEntry[] {
  const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const strings = sharedStrings.map((s) => `<si><t>${s}</t></si>`).join('');
  return [
    {
      name: '[Content_Types].xml',
      data: xml(
        `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
          `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
          `<Default Extension="xml" ContentType="application/xml"/>` +
          `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
          `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
          `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
          `</Types>`,
      ),
    },
    {
      name: '_rels/.rels',
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
          `<Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: xml(
        `<workbook xmlns="${ns}" xmlns:r="${rel}"><sheets><sheet name="就餐老人" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
          `<Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/>` +
          `<Relationship Id="rId2" Type="${rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/sharedStrings.xml',
      data: xml(
        `<sst xmlns="${ns}" count="${sharedStrings.length}" uniqueCount="${sharedStrings.length}">${strings}</sst>`,
      ),
    },
    { name: 'xl/worksheets/sheet1.xml', ...sheet },
  ];
}

const SHEET_OPEN =
  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
  '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>';
const SHEET_CLOSE = '</sheetData></worksheet>';

/** A workbook of the import template's header and `rows` data rows, every row the same name and ID number. */
export function manyRowsXlsx(rows: number, idNumber: string): Buffer {
  const parts: string[] = [SHEET_OPEN];
  for (let r = 2; r <= rows + 1; r++)
    parts.push(`<row r="${r}"><c r="A${r}" t="s"><v>2</v></c><c r="B${r}" t="s"><v>3</v></c></row>`);
  parts.push(SHEET_CLOSE);
  return zip(frame({ data: xml(parts.join('')) }, ['姓名', '身份证号码', '张三', idNumber]));
}

/**
 * A zip bomb: the sheet is the header row and then `megabytes` MB of blank space inside one cell. With `lie`, its
 * headers claim it is 1 KB, so only inflating it tells.
 */
export function bombXlsx(megabytes: number, lie: boolean): Buffer {
  const block = Buffer.alloc(1024 * 1024, 0x20);
  const head = Buffer.from(`${SHEET_OPEN}<row r="2"><c r="A2" t="inlineStr"><is><t>`, 'utf8');
  const tail = Buffer.from(`</t></is></c></row>${SHEET_CLOSE}`, 'utf8');
  const data = Buffer.concat([head, ...Array.from({ length: megabytes }, () => block), tail]);
  const deflated = deflateRawSync(data, { level: 9 });
  return zip(
    frame(
      {
        data,
        deflated,
        ...(lie ? { declaredSize: 1024, declaredCrc: 0 } : {}),
      },
      ['姓名', '身份证号码'],
    ),
  );
}
