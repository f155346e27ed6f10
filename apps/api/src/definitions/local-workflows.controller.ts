import { Controller, Get } from '@nestjs/common';
import type { LocalWorkflowList } from '@flint/contracts';
import { RunnerWorkflowsRepository } from '@flint/store';

/** `GET /api/workflows`: what `local` targets may name, as the runners announced it. */
@Controller('api/workflows')
export class LocalWorkflowsController {
  constructor(private readonly workflows: RunnerWorkflowsRepository) {}

  @Get()
  async list(): Promise<LocalWorkflowList> {
    const known = await this.workflows.known();
    return { items: known ?? [], announced: known !== undefined };
  }
}
