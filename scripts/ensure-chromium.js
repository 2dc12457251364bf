// The console's browser tests drive Debian's Chromium through playwright-core (Playwright's own browser download is
// not reachable from county networks or CI here). Installs it with apt-get when it is missing.
const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const sudo = process.getuid && process.getuid() !== 0 ? 'sudo ' : '';
  console.log(`${CHROMIUM} is missing: installing Debian's chromium (apt-get install -y chromium)`);
  try {
    execSync(`${sudo}apt-get update && ${sudo}apt-get install -y chromium`, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    console.error('could not install chromium: install it (apt-get install -y chromium) or set CHROMIUM_PATH, then run npm test again');
    process.exit(1);
  }
}
