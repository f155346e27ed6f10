import type { WorkflowContext } from '@flint/sdk';
import { declinePaymentWorkflow, PaymentDeclinedError } from './decline-payment';
import { sleepWorkflow } from './sleep';
import { sumWorkflow } from './sum';

function context(signal = new AbortController().signal): WorkflowContext & { lines: string[] } {
  const lines: string[] = [];
  return { runId: 'r-1', triggerId: 't', attempt: 1, signal, log: (l) => lines.push(l), lines };
}

describe('demonstration workflows', () => {
  it('sleep waits input.ms and says how long', async () => {
    const ctx = context();
    expect(await sleepWorkflow.run({ ms: 20 }, ctx)).toEqual({ sleptMs: 20 });
    expect(ctx.lines).toEqual(['sleeping 20 ms']);
  });

  it('sleep stops when its signal aborts, and refuses a bad duration', async () => {
    const controller = new AbortController();
    const sleeping = sleepWorkflow.run({ ms: 60_000 }, context(controller.signal));
    controller.abort();
    await expect(sleeping).rejects.toThrow('interrupted before 60000 ms had passed');
    await expect(sleepWorkflow.run({ ms: -1 }, context())).rejects.toThrow(
      'input.ms must be a whole number of milliseconds from 0 to 600000, got -1',
    );
    await expect(sleepWorkflow.run({ ms: '5' }, context())).rejects.toThrow(/got "5"/);
  });

  it('decline-payment fails with a PaymentDeclinedError whose class sets no name', () => {
    let thrown: unknown;
    try {
      declinePaymentWorkflow.run({ amount: 120 }, context());
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PaymentDeclinedError);
    expect((thrown as Error).message).toBe('the card was declined for the amount 120');
    // What makes it a fair test of the runner: the name is inherited, only the class says the type.
    expect((thrown as Error).name).toBe('Error');
  });

  it('sum returns the sum and count, and refuses what is not a list of numbers', () => {
    expect(sumWorkflow.run({ numbers: [40, 2, 0.5] }, context())).toEqual({ sum: 42.5, count: 3 });
    expect(sumWorkflow.run({ numbers: [] }, context())).toEqual({ sum: 0, count: 0 });
    expect(() => sumWorkflow.run({ numbers: [1, 'two'] }, context())).toThrow(
      'input.numbers must be a list of numbers, got [1,"two"]',
    );
    expect(() => sumWorkflow.run(null, context())).toThrow('got null');
  });
});
