import { Module } from '@nestjs/common';
import { CanteensModule } from '../canteens/canteens.module';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [CanteensModule],
  controllers: [UsersController],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
