// The answers of /api/users and of login (OpenAPI schemas).
import { PageDto } from '../common/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Role, ROLES } from '../common/enums';
import type { AuthUser } from '../auth/auth-user';
import type { UserView } from './users.service';

export class UserViewDto implements UserView {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty({ example: 'cashier01' })
  username!: string;
  @ApiProperty({ type: String, nullable: true })
  displayName!: string | null;
  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role!: Role;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null for a reviewer (its scope is a district)' })
  subdistrictId!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: "a reviewer's district, else null" })
  districtId!: number | null;
  @ApiProperty({ type: 'integer', isArray: true })
  canteenIds!: number[];
  @ApiProperty()
  active!: boolean;
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;
}

/** The caller, as a login answers it. */
export class AuthUserDto implements AuthUser {
  @ApiProperty({ type: 'integer' })
  id!: number;
  @ApiProperty()
  username!: string;
  @ApiPropertyOptional({ description: 'the name shown on pages (the username when none is set)' })
  displayName?: string;
  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role!: Role;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null for a reviewer (its scope is a district)' })
  subdistrictId!: number | null;
  @ApiProperty({ type: 'integer', description: "a reviewer's district, or the district of the user's sub-district" })
  districtId!: number;
  @ApiProperty({ type: 'integer', isArray: true, description: 'the canteens a cashier or operator works for' })
  canteenIds!: number[];
}

export class LoginAnswerDto {
  @ApiProperty({ description: 'send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;
  @ApiProperty({ type: AuthUserDto })
  user!: AuthUserDto;
}

export class UserPageDto extends PageDto(UserViewDto, 'UserPageDto') {}
