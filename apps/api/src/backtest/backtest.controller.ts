import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { type BacktestResult, BacktestRequestSchema } from '@flint/contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { DefinitionErrorsFilter } from '../definitions/definition-errors.filter';
import { TriggerBacktest } from './trigger-backtest';

/** Backtest: what a trigger (draft or saved) would have done over the archived events of a range. */
@Controller('api/triggers')
@UseFilters(DefinitionErrorsFilter)
export class BacktestController {
  constructor(private readonly backtest: TriggerBacktest) {}

  @Post('backtest')
  @HttpCode(200)
  run(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<BacktestResult> {
    return this.backtest.run(principal, parseRequest(BacktestRequestSchema, body, 'request'));
  }
}
