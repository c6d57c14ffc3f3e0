import { register } from 'node:module';

register('./esm-extension-hook.mjs', import.meta.url);
