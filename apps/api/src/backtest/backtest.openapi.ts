import { BacktestRequestSchema, BacktestResultSchema } from '@flint/contracts';
import { type ApiRoute, components } from '../openapi/api-route';

const { BacktestResult } = components({ BacktestResult: BacktestResultSchema });

/** Backtesting a trigger over the event archive. */
export const backtestRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/api/triggers/backtest',
    tag: 'History, test-fire and custom events',
    access: 'viewer',
    summary: 'Backtest a trigger over archived events',
    description:
      'Runs a draft trigger (`trigger`, validated as saving it would be; problems under ' +
      '`trigger.`) or a saved one (`triggerId`) over the archived events accepted in `[from, to)` ' +
      '(replays left out), oldest first, with the evaluator’s own code — conditions, match, ' +
      'dedupe, batching, debounce, rate limits, compounds, absence — on a simulated clock that ' +
      'stands at each event’s acceptance time. Nothing is started, produced, cancelled or stored. ' +
      'Answers how many runs it would have started, the first `limit` of them (run id, when, ' +
      'events, input), and how many events each decision outcome took; for a saved trigger also ' +
      'the runs it actually started (claimed) in the range, and the run ids only one side has — ' +
      'run ids are deterministic, so the same run has the same id on both sides. A reversed ' +
      'range, an unknown trigger or an invalid draft is a 400.',
    body: BacktestRequestSchema,
    responses: {
      200: { description: 'What the trigger would have done.', schema: BacktestResult },
    },
  },
];
