import { Module } from '@nestjs/common';
import { SubsidyController } from '../subsidy/subsidy.controller';
import { PolicyController } from './policy.controller';
import { PolicyService } from './policy.service';

/** The subsidy policy (versions, admin API) and the quote; other features inject PolicyService. */
@Module({
  controllers: [PolicyController, SubsidyController],
  providers: [PolicyService],
  exports: [PolicyService],
})
export class PolicyModule {}
