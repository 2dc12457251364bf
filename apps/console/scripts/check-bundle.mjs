// The initial route's JavaScript budget: the entry chunk and every chunk it imports statically (what the browser
// loads before the first page renders), gzipped, must stay ≤ 500 KB. Lazily imported chunks (charts, role pages)
// do not count. Reads Vite's manifest; exits 1 over the budget.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 500 * 1024;
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../dist/console');
const manifest = JSON.parse(readFileSync(join(out, '.vite/manifest.json'), 'utf8'));
const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
if (!entry) throw new Error('no entry chunk in the manifest');
const closure = (key, into = new Set()) => {
  if (into.has(key)) return into;
  into.add(key);
  for (const next of manifest[key].imports ?? []) closure(next, into);
  return into;
};
const gz = new Map();
const sizeOf = (key) => {
  if (!gz.has(key)) gz.set(key, gzipSync(readFileSync(join(out, manifest[key].file)), { level: 9 }).length);
  return gz.get(key);
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
// The shell, then the first page a role lands on: each of the entry's lazy pages with what it imports statically
// (charts are imported lazily by the pages, so they stay out).
const shell = closure(entry[0]);
const routes = [
  ['shell (sign-in)', shell],
  ...(manifest[entry[0]].dynamicImports ?? []).map((page) => [manifest[page].name ?? page, closure(page, new Set(shell))]),
];
let worst = 0;
for (const [name, keys] of routes) {
  const total = [...keys].reduce((sum, k) => sum + sizeOf(k), 0);
  worst = Math.max(worst, total);
  console.log(`initial route ${name}: ${kb(total)} gzipped JavaScript in ${keys.size} chunk(s)`);
}
console.log(
  `largest initial route: ${kb(worst)} of ${kb(BUDGET)} (ECharts, lazily loaded: ${kb(
    Object.keys(manifest)
      .filter((k) => manifest[k].name === 'EChart')
      .reduce((s, k) => s + sizeOf(k), 0),
  )})`,
);
if (worst > BUDGET) {
  console.error(`over the budget by ${kb(worst - BUDGET)}`);
  process.exit(1);
}
