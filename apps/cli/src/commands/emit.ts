import type { Command } from 'commander';
import { EmitEventResponseSchema } from '@flint/contracts';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { CliInputError, failuresReported, typed } from '../command-failures';
import { parseJsonText, readJsonFile } from '../json-input';

interface EmitOptions extends ApiOptions {
  data?: string;
  dataFile?: string;
  id?: string;
  source?: string;
  subject?: string;
  owner?: string;
}

/** `flint emit <type> --data '<json>'`: a custom event, published once Kafka has it. */
export function registerEmitCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  withApiOptions(
    program
      .command('emit <type>')
      .description('publish a custom event; triggers listening to its type fire')
      .option('--data <json>', 'the event data, as JSON')
      .option('--data-file <path>', 'read the event data (JSON) from this file')
      .option('--id <id>', 'a stable event id: emitting the same id again is deduplicated')
      .option('--source <source>', 'the CloudEvent source (default flint/api)')
      .option('--subject <subject>', 'the CloudEvent subject')
      .option('--owner <owner>', 'whose event it is (admin keys only; default: the key’s owner)'),
  ).action((type: string, options: EmitOptions) =>
    attempt(`emit ${type}`, async () => {
      const data = await eventData(options, io.cwd);
      const { eventId } = await typed(
        EmitEventResponseSchema,
        context.client(options).request('POST', '/api/events', {
          type,
          ...(options.id === undefined ? {} : { id: options.id }),
          ...(options.source === undefined ? {} : { source: options.source }),
          ...(options.subject === undefined ? {} : { subject: options.subject }),
          ...(options.owner === undefined ? {} : { owner: options.owner }),
          ...(data === undefined ? {} : { data }),
        }),
      );
      io.out(eventId);
      io.err(`event ${eventId} of type ${type} published`);
    }),
  );
}

async function eventData(options: EmitOptions, cwd: string): Promise<unknown> {
  if (options.data !== undefined && options.dataFile !== undefined) {
    throw new CliInputError('give the data with --data or --data-file, not both');
  }
  if (options.data !== undefined) return parseJsonText(options.data, '--data');
  if (options.dataFile === undefined) return undefined;
  return readJsonFile(options.dataFile, cwd);
}
