// Reads .env files with Node's dotenv (the package Node services load them with) and prints, per file, the keys and
// values it parses, as JSON: the second, independent reader of the .env format tests.
// Usage: node dotenv_dump.js <node_modules folder holding dotenv> FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const dotenv = require(path.join(process.argv[2], 'dotenv'));
const out = process.argv.slice(3).map(file => dotenv.parse(fs.readFileSync(file)));
process.stdout.write(JSON.stringify(out));
