// Whether an optional dev dependency is installed in the repo's node_modules. node-llama-cpp
// (~700 MB of prebuilt binaries) arrives with `npm ci`; a checkout whose node_modules predates it
// skips its tests, saying so in the test name, instead of failing on the import.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './run-node.js';

export function isInstalled(pkg: string): boolean {
  return existsSync(join(REPO, 'node_modules', ...pkg.split('/'), 'package.json'));
}

/** The package name as a value: `import(NODE_LLAMA_CPP)` typechecks without the package installed. */
export const NODE_LLAMA_CPP: string = 'node-llama-cpp';
export const HAS_NODE_LLAMA_CPP = isInstalled(NODE_LLAMA_CPP);
/** Appended to the names of tests that need node-llama-cpp, so a skip is visible. */
export const NEEDS_NODE_LLAMA_CPP = HAS_NODE_LLAMA_CPP ? '' : ' (SKIPPED: node-llama-cpp is not installed; run npm ci)';
