// The peer side of the fetch comparison: nodecredstash's getAllSecrets (Scan, then one GetItem and one KMS
// Decrypt per secret), written as JSON to the output file so bench/compare.sh can check the values. Usage:
//   AWS_ENDPOINT_URL_KMS=<kms fixture> node --import ./esm-extension-register.mjs credstash-getall.mjs <dynamodb-url> <out.json>
import { writeFileSync } from 'node:fs';
import { CredStash } from 'nodecredstash';

const [dynamoDbUrl, outFile] = process.argv.slice(2);
const credstash = new CredStash({ dynamoOpts: { endpoint: dynamoDbUrl } });
const secrets = await credstash.getAllSecrets();
writeFileSync(outFile, JSON.stringify(secrets));
