import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageDto, PageQueryDto } from '../common/paging';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsId, IsNonBlank, IsOptionalNonNull } from '../common/validation';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const CODE = /^[0-9]{6}$/;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

export class CreateDistrictDto {
  @ApiProperty({ example: '东昌府区' })
  @Transform(trim)
  @IsString({ message: '请填写区名称' })
  @IsNonBlank('请填写区名称')
  @MaxLength(50, { message: '区名称过长' })
  name!: string;

  @ApiProperty({ example: '371502', description: '6 位行政区划代码' })
  @IsString({ message: '请填写 6 位行政区划代码' })
  @Matches(CODE, { message: '行政区划代码应为 6 位数字' })
  code!: string;
}

export class UpdateDistrictDto {
  @ApiPropertyOptional()
  @IsOptionalNonNull()
  @Transform(trim)
  @IsString({ message: '请填写区名称' })
  @IsNonBlank('请填写区名称')
  @MaxLength(50, { message: '区名称过长' })
  name?: string;

  @ApiPropertyOptional({ description: '6 位行政区划代码' })
  @IsOptionalNonNull()
  @IsString({ message: '请填写 6 位行政区划代码' })
  @Matches(CODE, { message: '行政区划代码应为 6 位数字' })
  code?: string;
}

export class CreateSubdistrictDto {
  @ApiProperty({ example: '古楼街道' })
  @Transform(trim)
  @IsString({ message: '请填写街道名称' })
  @IsNonBlank('请填写街道名称')
  @MaxLength(50, { message: '街道名称过长' })
  name!: string;

  @ApiProperty({ description: '所属区' })
  @IsId('请选择所属区')
  districtId!: number;

  @ApiPropertyOptional({ description: '6 位代码（可不填）' })
  @IsOptional()
  @IsString({ message: '代码应为 6 位数字' })
  @Matches(CODE, { message: '代码应为 6 位数字' })
  adminCode?: string;
}

export class UpdateSubdistrictDto {
  @ApiPropertyOptional()
  @IsOptionalNonNull()
  @Transform(trim)
  @IsString({ message: '请填写街道名称' })
  @IsNonBlank('请填写街道名称')
  @MaxLength(50, { message: '街道名称过长' })
  name?: string;

  @ApiPropertyOptional({ description: '6 位代码' })
  @IsOptionalNonNull()
  @IsString({ message: '代码应为 6 位数字' })
  @Matches(CODE, { message: '代码应为 6 位数字' })
  adminCode?: string;
}

export class SubdistrictQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '只列出该区的街道' })
  @IsOptional()
  @Transform(toInt)
  @IsId('区编号必须是正整数')
  districtId?: number;
}

export class DistrictDto {
  @ApiProperty() id!: number;
  @ApiProperty({ example: '东昌府区' }) name!: string;
  @ApiProperty({ example: '371502', description: '6 位行政区划代码（请求中为 code）' }) adminCode!: string;
  @ApiProperty({ description: '下辖街道数' }) subdistrictCount!: number;
}

export class SubdistrictDto {
  @ApiProperty() id!: number;
  @ApiProperty({ example: '柳园街道' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) adminCode!: string | null;
  @ApiProperty() districtId!: number;
  @ApiProperty({ example: '东昌府区' }) districtName!: string;
  @ApiProperty({ description: '食堂数' }) canteenCount!: number;
}

export class DistrictPageDto extends PageDto(DistrictDto, 'DistrictPageDto') {}

export class SubdistrictPageDto extends PageDto(SubdistrictDto, 'SubdistrictPageDto') {}
