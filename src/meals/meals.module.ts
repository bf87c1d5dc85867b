import { Module } from '@nestjs/common';
import { CanteensModule } from '../canteens/canteens.module';
import { PolicyModule } from '../policy/policy.module';
import { MealsController } from './meals.controller';
import { MealsService } from './meals.service';
import { MonthLocksController } from './month-locks.controller';
import { MonthLocksService } from './month-locks.service';

/** The till: quotes, meals exactly once, voids, the day's list, and month locks. */
@Module({
  imports: [PolicyModule, CanteensModule],
  controllers: [MealsController, MonthLocksController],
  providers: [MealsService, MonthLocksService],
  exports: [MealsService],
})
export class MealsModule {}
