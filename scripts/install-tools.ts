// `npm run tools`: find or install the binaries the tests and the demo use (Temporal, SeaweedFS), print their paths.
import { findSeaweed, findTemporalCli, findTestServer } from '../src/testing/binaries';

async function run() {
  const tools = { temporal: await findTemporalCli(), 'temporal-test-server': await findTestServer() };
  for (const [name, found] of Object.entries(tools)) {
    console.log(`${name}: ${found ?? 'not found (the Temporal SDK will try its own download)'}`);
  }
  const weed = await findSeaweed();
  console.log(`weed (SeaweedFS): ${weed ?? 'not found (the S3 storage tests need it: set SEAWEEDFS_PATH)'}`);
  if (!tools.temporal || !weed) process.exitCode = 1;
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
