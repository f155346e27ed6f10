import { stopTestKafka } from './kafka';
import { dropTestDatabase } from './postgres';

export default async function globalTeardown(): Promise<void> {
  await dropTestDatabase();
  await stopTestKafka();
}
