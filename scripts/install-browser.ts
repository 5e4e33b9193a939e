// `npm run browser`: find or install (apt-get, as root) the Chromium that `npm run test:browser` drives.
import { findChromium } from './browser';

async function run() {
  const browser = await findChromium({ install: true });
  if (browser.path !== null) {
    console.log(`chromium: ${browser.path}${browser.installed ? ' (installed now with apt-get)' : ''}`);
    return;
  }
  // Not a failure where apt or root is missing: the browser test then skips and says why.
  console.log(`chromium: not available: ${browser.why}`);
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
