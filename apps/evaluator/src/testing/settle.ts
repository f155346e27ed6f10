/** Lets every promise chain that is ready to run, run (several rounds of the event loop). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
