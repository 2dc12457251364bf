import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { IsInt, Max, Min } from 'class-validator';
import { Public } from '../auth/auth.guard';
import { SimulatedClock, type Clock } from '@chuishao/runtime';
import { Problem } from '../http/problem';
import { CLOCK } from '../tokens';

export class AdvanceClockDto {
  @IsInt() @Min(1) @Max(366 * 24 * 60) minutes!: number;
}

/** Development with CLOCK=simulated only: moves server time forward for demos and acceptance runs. */
@Controller('v1/dev/clock')
export class DevClockRoute {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  @Public()
  @Post('advance')
  @HttpCode(200)
  advance(@Body() body: AdvanceClockDto) {
    if (!(this.clock instanceof SimulatedClock)) throw Problem.notFound('no route POST /v1/dev/clock/advance', 'ROUTE.NOT_FOUND');
    return { now: this.clock.advance(body.minutes).toISOString() };
  }
}
