import { PageQueryDto } from '../common/paging';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ROLES, Role } from '../common/enums';
import { IsId, IsOptionalNonNull, queryIdToInt } from '../common/validation';

const lowerTrim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

// The fields creating and changing a user share, declared once (strength is checked by the service: PASSWORD_WEAK).
const PasswordField = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: '请填写密码' }),
    MinLength(8, { message: '密码至少 8 位' }),
    MaxLength(128, { message: '密码过长' }),
  );
const CanteenIdsField = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ type: [Number] }),
    IsOptionalNonNull(),
    IsArray({ message: '食堂列表格式不正确' }),
    ArrayMaxSize(100, { message: '食堂过多' }),
    IsId('食堂编号必须是正整数', { each: true }),
  );
const DisplayNameField = (): PropertyDecorator =>
  applyDecorators(IsOptionalNonNull(), IsString({ message: '姓名必须是文字' }), MaxLength(50, { message: '姓名过长' }));

export class CreateUserDto {
  @ApiProperty({ example: 'cashier_donguan' })
  @Transform(lowerTrim)
  @IsString({ message: '请填写用户名' })
  @Matches(/^[a-z0-9_.-]{3,32}$/, { message: '用户名应为 3–32 位小写字母、数字或 _ . -' })
  username!: string;

  @ApiProperty()
  @PasswordField()
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: '角色必须是 CASHIER、OPERATOR、FINANCE、REVIEWER 或 ADMIN' })
  role!: Role;

  @CanteenIdsField()
  canteenIds?: number[];

  @ApiPropertyOptional({ example: '张收银' })
  @DisplayNameField()
  displayName?: string;

  @ApiPropertyOptional({ description: '财务或管理员所属街道（管理员指定；默认与创建者相同）' })
  @IsOptionalNonNull()
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;

  @ApiPropertyOptional({ description: '区民政审核（REVIEWER）所属的区（管理员指定；默认与创建者相同）' })
  @IsOptionalNonNull()
  @IsId('区编号必须是正整数')
  districtId?: number;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptionalNonNull()
  @IsBoolean({ message: 'active 必须是 true 或 false' })
  active?: boolean;

  @ApiPropertyOptional({ description: '重置密码' })
  @IsOptionalNonNull()
  @PasswordField()
  password?: string;

  @CanteenIdsField()
  canteenIds?: number[];

  @ApiPropertyOptional()
  @DisplayNameField()
  displayName?: string;
}

export class GeneratedPasswordDto {
  @ApiProperty()
  id!: number;

  @ApiProperty()
  username!: string;

  @ApiProperty({ description: '新密码：只在这次回答中出现一次，服务器只保存其散列值' })
  password!: string;
}

/** GET /api/users: narrow the list (within reach) to a district (its reviewers and staff) or a sub-district. */
export class UserListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', description: '只列出该区的用户（区审核员及其各街道的用户）' })
  @IsOptional()
  @Transform(queryIdToInt)
  @IsId('区编号必须是正整数')
  districtId?: number;

  @ApiPropertyOptional({ type: 'integer', description: '只列出该街道的用户' })
  @IsOptional()
  @Transform(queryIdToInt)
  @IsId('街道编号必须是正整数')
  subdistrictId?: number;
}
