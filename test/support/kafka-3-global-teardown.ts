import { stopTestKafka3 } from './kafka';

export default async function globalTeardown(): Promise<void> {
  await stopTestKafka3();
}
