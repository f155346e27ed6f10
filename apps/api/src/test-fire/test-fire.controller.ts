import { Body, Controller, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import {
  DefinitionIdParamsSchema,
  DraftTestFireRequestSchema,
  TestFireRequestSchema,
  type TestFireResult,
  type TriggerValidation,
} from '@flint/contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { DefinitionErrorsFilter } from '../definitions/definition-errors.filter';
import { PublishErrorsFilter } from '../events/publish-errors.filter';
import { TestFire } from './test-fire';

/** Test-fire: what a trigger (stored or draft) makes of a sample event; nothing starts without `start`. */
@Controller('api/triggers')
@UseFilters(DefinitionErrorsFilter, PublishErrorsFilter)
export class TestFireController {
  constructor(private readonly testFire: TestFire) {}

  @Post('test')
  @HttpCode(200)
  draft(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<TestFireResult> {
    return this.testFire.draft(
      principal,
      parseRequest(DraftTestFireRequestSchema, body, 'request'),
    );
  }

  /** 200 with the verdict, valid or not: a draft's problems are the answer, not an error. */
  @Post('validate')
  @HttpCode(200)
  validate(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
  ): Promise<TriggerValidation> {
    return this.testFire.validate(principal, body);
  }

  @Post(':id/test')
  @HttpCode(200)
  saved(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
    @Body() body: unknown,
  ): Promise<TestFireResult> {
    const { id } = parseRequest(DefinitionIdParamsSchema, params, 'trigger id');
    return this.testFire.saved(principal, id, parseRequest(TestFireRequestSchema, body, 'request'));
  }
}
