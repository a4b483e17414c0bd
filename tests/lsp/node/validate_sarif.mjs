// Validates a SARIF file against the official SARIF 2.1.0 JSON schema (the copy shipped in the
// pinned npm package @microsoft/jest-sarif) with ajv. Usage: node validate_sarif.mjs FILE
// Exit 0 when valid; otherwise prints the schema errors and exits 1.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

const log = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ajv = new Ajv({ allErrors: true, schemaId: 'auto', validateSchema: false });
const validate = ajv.compile(schema);
if (!validate(log)) {
  console.error(JSON.stringify(validate.errors, null, 2));
  process.exit(1);
}
console.log(`valid SARIF 2.1.0: ${log.runs[0].results.length} results`);
