import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ROLES, Role } from '../common/enums';

const lowerTrim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class CreateUserDto {
  @ApiProperty({ example: 'cashier_donguan' })
  @Transform(lowerTrim)
  @IsString({ message: '请填写用户名' })
  @Matches(/^[a-z0-9_.-]{3,32}$/, { message: '用户名应为 3–32 位小写字母、数字或 _ . -' })
  username!: string;

  @ApiProperty()
  @IsString({ message: '请填写密码' })
  @MinLength(8, { message: '密码至少 8 位' })
  @MaxLength(128, { message: '密码过长' })
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: '角色必须是 CASHIER、OPERATOR、FINANCE 或 ADMIN' })
  role!: Role;

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsArray({ message: '食堂列表格式不正确' })
  @ArrayMaxSize(100, { message: '食堂过多' })
  @IsInt({ each: true, message: '食堂编号必须是整数' })
  @Min(1, { each: true, message: '食堂编号必须是整数' })
  canteenIds?: number[];

  @ApiPropertyOptional({ example: '张收银' })
  @IsOptional()
  @IsString({ message: '姓名必须是文字' })
  @MaxLength(50, { message: '姓名过长' })
  displayName?: string;

  @ApiPropertyOptional({ description: '财务或管理员所属街道（管理员指定；默认与创建者相同）' })
  @IsOptional()
  @IsInt({ message: '街道编号必须是整数' })
  @Min(1, { message: '街道编号必须是整数' })
  subdistrictId?: number;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'active 必须是 true 或 false' })
  active?: boolean;

  @ApiPropertyOptional({ description: '重置密码' })
  @IsOptional()
  @IsString({ message: '请填写密码' })
  @MinLength(8, { message: '密码至少 8 位' })
  @MaxLength(128, { message: '密码过长' })
  password?: string;

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsArray({ message: '食堂列表格式不正确' })
  @ArrayMaxSize(100, { message: '食堂过多' })
  @IsInt({ each: true, message: '食堂编号必须是整数' })
  @Min(1, { each: true, message: '食堂编号必须是整数' })
  canteenIds?: number[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '姓名必须是文字' })
  @MaxLength(50, { message: '姓名过长' })
  displayName?: string;
}
