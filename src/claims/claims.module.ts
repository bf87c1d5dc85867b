import { Module } from '@nestjs/common';
import { CanteensModule } from '../canteens/canteens.module';
import { ClaimsController } from './claims.controller';
import { ClaimChecksService } from './claim-checks.service';
import { ClaimReviewService } from './claim-review.service';
import { ClaimsService } from './claims.service';
import { ClaimWorkbookBuilder } from './claim-workbook.builder';

/** The HTTP side of monthly claims: request, follow and download. The worker builds them. */
@Module({
  imports: [CanteensModule],
  controllers: [ClaimsController],
  providers: [ClaimsService, ClaimChecksService, ClaimReviewService, ClaimWorkbookBuilder],
  exports: [ClaimsService],
})
export class ClaimsModule {}
