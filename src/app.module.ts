import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { CoreModule, CoreOptions } from './core.module';
import { HealthController } from './health/health.controller';
import { BootstrapService } from './users/bootstrap.service';

/** The HTTP process: the API under /api and the pages. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: Omit<CoreOptions, 'processName'> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, { ...options, processName: 'api' }), AuthModule],
      controllers: [HealthController],
      providers: [BootstrapService],
    };
  }
}
