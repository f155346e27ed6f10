import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import {
  type DeadLetterDetail,
  DeadLetterIdParamsSchema,
  DeadLetterListQuerySchema,
  type DeadLetterPage,
  type DeadLetterPurgeResult,
  DeadLetterResendRequestSchema,
  type DeadLetterResendResult,
  DeadLetterSelectionSchema,
} from '@flint/contracts';
import { parseRequest } from '../auth/request-validation';
import { RequireRole } from '../auth/route-access';
import { PublishErrorsFilter } from '../events/publish-errors.filter';
import { DeadLetters } from './dead-letters';

/** The dead-letter topic: list, inspect, re-send, purge. Admin keys only: the messages are anyone's. */
@Controller('api/dead-letters')
@RequireRole('admin')
@UseFilters(PublishErrorsFilter)
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLetters) {}

  @Get()
  list(@Query() query: Record<string, unknown>): Promise<DeadLetterPage> {
    return this.deadLetters.list(parseRequest(DeadLetterListQuerySchema, query, 'query'));
  }

  @Post('resend')
  @HttpCode(200)
  resendMatching(@Body() body: unknown): Promise<DeadLetterResendResult> {
    return this.deadLetters.resendMatching(
      parseRequest(DeadLetterResendRequestSchema, body ?? {}, 'request'),
    );
  }

  @Post('purge')
  @HttpCode(200)
  purgeMatching(@Body() body: unknown): Promise<DeadLetterPurgeResult> {
    return this.deadLetters.purgeMatching(
      parseRequest(DeadLetterSelectionSchema, body ?? {}, 'request'),
    );
  }

  @Get(':id')
  get(@Param() params: Record<string, string>): Promise<DeadLetterDetail> {
    return this.deadLetters.get(
      parseRequest(DeadLetterIdParamsSchema, params, 'dead letter id').id,
    );
  }

  @Post(':id/resend')
  @HttpCode(200)
  resendOne(@Param() params: Record<string, string>): Promise<DeadLetterResendResult> {
    const { id } = parseRequest(DeadLetterIdParamsSchema, params, 'dead letter id');
    return this.deadLetters.resendOne(id);
  }

  @Delete(':id')
  purgeOne(@Param() params: Record<string, string>): Promise<DeadLetterPurgeResult> {
    const { id } = parseRequest(DeadLetterIdParamsSchema, params, 'dead letter id');
    return this.deadLetters.purgeOne(id);
  }
}
