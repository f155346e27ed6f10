import { startTestKafka } from './kafka';
import { createTestDatabase } from './postgres';

/**
 * One real broker and one fresh PostgreSQL database for the whole run. Values are handed to the test
 * files through the environment, which jest workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  await startTestKafka();
  await createTestDatabase();
}
