import { InvalidDefinitionError, type Workflow } from '@flint/sdk';

/** The local workflows the runner can start, by name. */
export class WorkflowRegistry {
  private readonly workflows = new Map<string, Workflow>();

  constructor(workflows: Iterable<Workflow> = []) {
    for (const workflow of workflows) this.register(workflow);
  }

  /** A second workflow with a taken name is a mistake, not an override. */
  register(workflow: Workflow): this {
    if (this.workflows.has(workflow.name)) {
      throw new InvalidDefinitionError(`a workflow named "${workflow.name}" is already registered`);
    }
    this.workflows.set(workflow.name, workflow);
    return this;
  }

  get(name: string): Workflow | undefined {
    return this.workflows.get(name);
  }

  names(): string[] {
    return [...this.workflows.keys()].sort();
  }
}
