// `npm run lti:config`: writes lti-config/*.json from the code that serves /lti/canvas.json
// (backend/src/lti/domain/tool-configuration.ts), for https://lectern.example.edu. lti-config.spec.ts
// fails while the files and the code disagree.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { ltiConfigFiles } = createRequire(import.meta.url)(
  path.join(root, 'dist/backend/src/lti/domain/tool-configuration.js'),
);
for (const [name, text] of Object.entries(ltiConfigFiles())) {
  fs.writeFileSync(path.join(root, 'lti-config', name), text);
  console.log(`wrote lti-config/${name}`);
}
// The repository's formatter owns the layout; the spec compares the parsed JSON.
spawnSync('npx', ['prettier', '--write', 'lti-config/*.json'], { cwd: root, stdio: 'inherit' });
