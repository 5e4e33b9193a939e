// `npm run tools`: find or install the Temporal binaries the tests and the demo use, print their paths.
import { findTemporalCli, findTestServer } from '../src/testing/binaries';

async function run() {
  const tools = { temporal: await findTemporalCli(), 'temporal-test-server': await findTestServer() };
  for (const [name, found] of Object.entries(tools)) {
    console.log(`${name}: ${found ?? 'not found (the Temporal SDK will try its own download)'}`);
  }
  if (!tools.temporal) process.exitCode = 1;
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
