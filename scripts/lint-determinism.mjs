// Determinism lint: the simulated layers must use virtual time and seeded randomness only.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['src/emu', 'src/process', 'src/sim'];
const FORBIDDEN = /Math\.random|Date\.now|new Date\(|performance\.now|process\.hrtime/;

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|js|mjs)$/.test(name)) yield p;
  }
}

const hits = [];
for (const root of ROOTS.filter((r) => existsSync(r))) {
  for (const file of files(root)) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(\/\/|\*)/.test(line)) return;
      if (FORBIDDEN.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
}
if (hits.length) {
  console.error('determinism lint: host time or randomness in a simulated layer (use virtual time / the run seed):');
  for (const h of hits) console.error('  ' + h);
  process.exit(1);
}
console.log(`determinism lint: ok (${ROOTS.join(', ')})`);
