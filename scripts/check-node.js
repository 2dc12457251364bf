// The project runs on Node 24 LTS, brought in by `npm install` (the `node` package).
// Fail loudly if something else is on PATH, instead of testing on an end-of-life runtime.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(`Chuishao needs Node 24 (found ${process.version}). Run it through npm scripts after npm install.`);
  process.exit(1);
}
