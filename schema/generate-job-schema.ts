// Regenerates schema/job.schema.json from src/dsl/key-table.ts: `npx tsx schema/generate-job-schema.ts`.
// test/dsl/json-schema.test.ts fails when the committed file and the generated text differ.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jobJsonSchemaText } from '../src/dsl/json-schema.js';

const target = fileURLToPath(new URL('./job.schema.json', import.meta.url));
writeFileSync(target, jobJsonSchemaText());
console.log(`wrote ${target}`);
