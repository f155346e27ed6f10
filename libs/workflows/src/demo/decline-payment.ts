import { defineWorkflow } from '@flint/sdk';

/**
 * Thrown by `decline-payment`. It sets no `name` on purpose: the runner records the class name, so
 * `errorTypes: [PaymentDeclinedError]` matches an error class written the plain way.
 */
export class PaymentDeclinedError extends Error {}

/** Always fails with a typed error: a workflow to try chaining on `FAILED` and `errorTypes` with. */
export const declinePaymentWorkflow = defineWorkflow({
  name: 'decline-payment',
  description: 'Always fails with PaymentDeclinedError, naming input.amount.',
  run(input, ctx) {
    const amount = (input as { amount?: unknown } | null | undefined)?.amount;
    ctx.log(`charging ${JSON.stringify(amount ?? null)}`);
    throw new PaymentDeclinedError(
      `the card was declined for the amount ${JSON.stringify(amount ?? null)}`,
    );
  },
});
