// Writes JSON Schemas generated from the zod schemas (the single source of truth) to schemas/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { packManifestSchema, workspaceConfigSchema } from '../dist/core/common/schemas.js';
import { classResultSchema } from '../dist/core/class/results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'schemas');
mkdirSync(out, { recursive: true });
const write = (name, schema, title) => {
  const json = { ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), title };
  writeFileSync(path.join(out, name), `${JSON.stringify(json, null, 2)}\n`);
};
write('pack.schema.json', packManifestSchema, 'llm-tutor pack manifest (pack.json)');
write('workspace.schema.json', workspaceConfigSchema, 'llm-tutor workspace configuration (llm-tutor.json)');
write('results.schema.json', classResultSchema, 'llm-tutor grade results (grade --reporter json), schemaVersion 1');
