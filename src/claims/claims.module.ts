import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AppConfig } from '../config/app-config';
import { CanteensModule } from '../canteens/canteens.module';
import { ClaimsController } from './claims.controller';
import { ClaimChecksService } from './claim-checks.service';
import { ClaimReviewService } from './claim-review.service';
import { ClaimsService } from './claims.service';
import { ClaimWorkbookBuilder } from './claim-workbook.builder';

/** The HTTP side of monthly claims: request, follow and download. The worker builds them. */
@Module({
  imports: [
    CanteensModule,
    // The limits of the claim file POST /api/claims/verify reads (its storage is the route's: Sha256Storage).
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ limits: { fileSize: config.VERIFY_MAX_BYTES, files: 1, fields: 5 } }),
    }),
  ],
  controllers: [ClaimsController],
  providers: [ClaimsService, ClaimChecksService, ClaimReviewService, ClaimWorkbookBuilder],
  exports: [ClaimsService],
})
export class ClaimsModule {}
