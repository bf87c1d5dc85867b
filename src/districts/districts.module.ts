import { Module } from '@nestjs/common';
import { DistrictsController, SubdistrictsController } from './districts.controller';
import { DistrictsService } from './districts.service';

@Module({
  controllers: [DistrictsController, SubdistrictsController],
  providers: [DistrictsService],
})
export class DistrictsModule {}
