import { DynamicModule, Module } from '@nestjs/common';
import { ClaimsWorkerModule } from './claims/claims-worker.module';
import { AppConfig } from './config/app-config';
import { CoreModule, CoreOptions } from './core.module';

/** The BullMQ worker process: the same core, job processors, no HTTP listener. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: Omit<CoreOptions, 'processName'> = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config, { ...options, processName: 'worker' }), ClaimsWorkerModule.forRoot(config)],
    };
  }
}
