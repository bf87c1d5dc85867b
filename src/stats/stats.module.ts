import { Module } from '@nestjs/common';
import { CanteensModule } from '../canteens/canteens.module';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/** Statistics (SPEC §5, §6 GET /api/stats/daily): SQL aggregates over meals within the caller's reach. */
@Module({
  imports: [CanteensModule],
  controllers: [StatsController],
  providers: [StatsService],
})
export class StatsModule {}
