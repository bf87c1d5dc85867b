import { Module } from '@nestjs/common';
import { CanteensModule } from '../canteens/canteens.module';
import { DinerImportService } from './diner-import.service';
import { DinersController } from './diners.controller';
import { DinersService } from './diners.service';

@Module({
  imports: [CanteensModule],
  controllers: [DinersController],
  providers: [DinersService, DinerImportService],
  exports: [DinersService],
})
export class DinersModule {}
