import { DynamicModule, Module } from '@nestjs/common';
import { AuditLogModule } from './audit/audit-log.module';
import { AuditChainModule } from './audit/audit-chain.module';
import { AuthModule } from './auth/auth.module';
import { CanteensModule } from './canteens/canteens.module';
import { ClaimsModule } from './claims/claims.module';
import { AppConfig } from './config/app-config';
import { CoreModule, CoreOptions } from './core.module';
import { DinersModule } from './diners/diners.module';
import { DistrictsModule } from './districts/districts.module';
import { HealthController } from './health/health.controller';
import { MealsModule } from './meals/meals.module';
import { PolicyModule } from './policy/policy.module';
import { StatsModule } from './stats/stats.module';
import { BootstrapService } from './users/bootstrap.service';
import { UsersModule } from './users/users.module';

/** The HTTP process: the API under /api and the pages. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: Omit<CoreOptions, 'processName'> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, { ...options, processName: 'api' }),
        AuthModule,
        PolicyModule,
        DistrictsModule,
        CanteensModule,
        UsersModule,
        DinersModule,
        MealsModule,
        ClaimsModule,
        StatsModule,
        AuditLogModule,
        AuditChainModule,
      ],
      controllers: [HealthController],
      providers: [BootstrapService],
    };
  }
}
