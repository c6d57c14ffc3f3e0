// Seeds nodecredstash's table (credential-store) on DynamoDB Local with every value of values.json, through
// nodecredstash's own putSecret (so its own KMS data keys and AES-CTR records). Usage:
//   AWS_ENDPOINT_URL_KMS=<kms fixture> node --import ./esm-extension-register.mjs credstash-seed.mjs <dynamodb-url> <values.json>
import { readFileSync } from 'node:fs';
import { CredStash } from 'nodecredstash';

const [dynamoDbUrl, valuesFile] = process.argv.slice(2);
const values = JSON.parse(readFileSync(valuesFile, 'utf8'));
const credstash = new CredStash({ dynamoOpts: { endpoint: dynamoDbUrl } });
await credstash.createDdbTable();
for (const [name, secret] of Object.entries(values)) {
  await credstash.putSecret({ name, secret, version: 1 });
}
console.error(`nodecredstash: ${Object.keys(values).length} secrets written`);
