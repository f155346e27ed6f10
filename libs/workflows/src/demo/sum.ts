import { defineWorkflow } from '@flint/sdk';

export class InvalidSumInputError extends Error {}

/**
 * Adds `input.numbers` and returns `{ sum, count }`: a workflow whose result a chained trigger can
 * read (`event.data.result.sum > 100`).
 */
export const sumWorkflow = defineWorkflow({
  name: 'sum',
  description: 'Returns { sum, count } of the numbers in input.numbers.',
  run(input, ctx) {
    const numbers = (input as { numbers?: unknown } | null | undefined)?.numbers;
    if (
      !Array.isArray(numbers) ||
      !numbers.every((n) => typeof n === 'number' && Number.isFinite(n))
    ) {
      throw new InvalidSumInputError(
        `input.numbers must be a list of numbers, got ${JSON.stringify(numbers ?? null)}`,
      );
    }
    const sum = numbers.reduce((total: number, n: number) => total + n, 0);
    ctx.log(`${numbers.length} numbers add up to ${sum}`);
    return { sum, count: numbers.length };
  },
});
