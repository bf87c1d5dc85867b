// The answer of GET /api/claims/{id}/print (OpenAPI schema): the claim's sheets as data (issue 18).
import { ApiProperty } from '@nestjs/swagger';
import type { ClaimPrint } from './claims.service';
import type { PrintDailyRow, PrintDetailRow, PrintDetailSheet, PrintRosterRow } from './claim-workbook.builder';
import { ClaimTotalsDto, TierTotalsDto } from './claim-view.dto';

export class PrintDetailRowDto implements PrintDetailRow {
  @ApiProperty({ description: '流水号 (meal id)' }) mealId!: string;
  @ApiProperty({ example: '2025-03-03' }) date!: string;
  @ApiProperty({ example: '午餐' }) period!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'first 6 and last 4 digits only', example: '110101********1234' })
  idNumberMasked!: string;
  @ApiProperty({ type: 'integer' }) age!: number;
  @ApiProperty({ example: '80岁以上' }) tier!: string;
  @ApiProperty({ type: 'integer' }) priceFen!: number;
  @ApiProperty({ type: 'integer' }) subsidyFen!: number;
  @ApiProperty({ type: 'integer' }) payableFen!: number;
  @ApiProperty({ example: '刷身份证' }) verification!: string;
  @ApiProperty() cashier!: string;
}

export class PrintDetailTotalDto {
  @ApiProperty({ type: 'integer' }) meals!: number;
  @ApiProperty({ type: 'integer' }) priceFen!: number;
  @ApiProperty({ type: 'integer' }) subsidyFen!: number;
  @ApiProperty({ type: 'integer' }) payableFen!: number;
}

export class PrintDetailSheetDto implements PrintDetailSheet {
  @ApiProperty({ type: 'integer' }) canteenId!: number;
  @ApiProperty() canteenName!: string;
  @ApiProperty({ type: [PrintDetailRowDto] }) rows!: PrintDetailRowDto[];
  @ApiProperty({ type: PrintDetailTotalDto, description: 'the 合计 row' }) total!: PrintDetailTotalDto;
}

export class PrintDailyRowDto implements PrintDailyRow {
  @ApiProperty({ example: '2025-03-03' }) date!: string;
  @ApiProperty() canteenName!: string;
  @ApiProperty({ type: [TierTotalsDto] }) tiers!: TierTotalsDto[];
  @ApiProperty({ type: 'integer' }) meals!: number;
  @ApiProperty({ type: 'integer' }) subsidyFen!: number;
}

export class PrintRosterRowDto implements PrintRosterRow {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'first 6 and last 4 digits only' }) idNumberMasked!: string;
  @ApiProperty({ description: "the diner's canteens, joined by 、" }) canteens!: string;
  @ApiProperty({ type: 'integer' }) meals!: number;
  @ApiProperty({ type: 'integer' }) subsidyFen!: number;
}

export class PrintPolicyDto {
  @ApiProperty({ example: '2025-01-01' }) from!: string;
  @ApiProperty({ description: 'the tiers in plain words' }) text!: string;
}

export class ClaimPrintDto implements ClaimPrint {
  @ApiProperty({ type: 'integer' }) claimId!: number;
  @ApiProperty({ type: 'integer', nullable: true }) canteenId!: number | null;
  @ApiProperty({ description: '全部食堂, or the canteen' }) scopeName!: string;
  @ApiProperty({ description: 'when the workbook was built, Asia/Shanghai', example: '2025-04-01 02:00:13' })
  generatedAt!: string;
  @ApiProperty() subdistrictName!: string;
  @ApiProperty({ example: '2025-03' }) month!: string;
  @ApiProperty({ example: '2025年3月' }) monthLabel!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty() monthLocked!: boolean;
  @ApiProperty() monthEnded!: boolean;
  @ApiProperty({ example: '第1版 · 本月已锁定' }) statusLine!: string;
  @ApiProperty({ description: "SHA-256 of the claim's data, hex (equals the claim's dataSha256)" })
  dataSha256!: string;
  @ApiProperty({ description: "the summary's title" }) title!: string;
  @ApiProperty({ type: ClaimTotalsDto }) totals!: ClaimTotalsDto;
  @ApiProperty({ description: 'the subsidy total in capital numerals' }) subsidyCapital!: string;
  @ApiProperty({ description: 'the distinct-diners explanation' }) dinersNote!: string;
  @ApiProperty({ type: [PrintPolicyDto] }) policies!: PrintPolicyDto[];
  @ApiProperty() policyInWords!: string;
  @ApiProperty({ type: [PrintDetailSheetDto] }) details!: PrintDetailSheetDto[];
  @ApiProperty({ type: [PrintDailyRowDto] }) daily!: PrintDailyRowDto[];
  @ApiProperty({ type: [PrintRosterRowDto], description: 'by pinyin (zh-x-icu)' }) roster!: PrintRosterRowDto[];
}
