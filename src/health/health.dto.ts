import { ApiProperty } from '@nestjs/swagger';

export class LiveDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

export class ReadyChecksDto {
  @ApiProperty({ enum: ['up', 'down'] })
  postgres!: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down'] })
  redis!: 'up' | 'down';
}

export class ReadyDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status!: 'ok' | 'unavailable';
  @ApiProperty({ type: ReadyChecksDto })
  checks!: ReadyChecksDto;
}
