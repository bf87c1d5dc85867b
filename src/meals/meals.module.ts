import { Module } from '@nestjs/common';
import { CanteensModule } from '../canteens/canteens.module';
import { PolicyModule } from '../policy/policy.module';
import { MealsController } from './meals.controller';
import { MealsService } from './meals.service';
import { MonthLocksController } from './month-locks.controller';
import { MonthLocksService } from './month-locks.service';
import { OfflineConflictsController } from './offline-conflicts.controller';
import { OfflineConflictsService } from './offline-conflicts.service';

/** The till: quotes, meals exactly once (offline ones too), voids, the day's list, month locks, offline conflicts. */
@Module({
  imports: [PolicyModule, CanteensModule],
  controllers: [MealsController, MonthLocksController, OfflineConflictsController],
  providers: [MealsService, MonthLocksService, OfflineConflictsService],
  exports: [MealsService],
})
export class MealsModule {}
