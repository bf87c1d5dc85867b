import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { CLAIMS_QUEUE } from './queue.constants';

/**
 * A BullMQ queue with no 'error' listener prints every connection error to stderr as a multi-line stack trace
 * (BullMQ falls back to console.error). Listening here makes each one a single JSON log line instead.
 */
@Injectable()
export class QueueErrorLog implements OnModuleInit {
  private readonly logger = new Logger('Queue');

  constructor(@InjectQueue(CLAIMS_QUEUE) private readonly queue: Queue) {}

  onModuleInit(): void {
    this.queue.on('error', (err: Error) => this.logger.warn({ msg: `queue ${this.queue.name}: ${err.message}`, err }));
  }
}
