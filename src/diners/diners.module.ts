import { Module } from '@nestjs/common';
import { CanteensModule } from '../canteens/canteens.module';
import { DinerImportService } from './diner-import.service';
import { DinerRegisterService } from './diner-register.service';
import { DinersController } from './diners.controller';
import { DinersService } from './diners.service';

@Module({
  imports: [CanteensModule],
  controllers: [DinersController],
  providers: [DinersService, DinerImportService, DinerRegisterService],
  exports: [DinersService],
})
export class DinersModule {}
