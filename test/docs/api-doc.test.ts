// docs/api.md describes every function the API exports and every option they take.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-node.js';

const require = createRequire(import.meta.url);

describe('docs/api.md', () => {
  const page = readFileSync(join(REPO, 'docs', 'api.md'), 'utf8');
  // What consumers get: the built module (npm test builds first) and its rolled-up declarations.
  const api = require(join(REPO, 'dist', 'api.cjs')) as Record<string, unknown>;
  const declarations = readFileSync(join(REPO, 'dist', 'api.d.ts'), 'utf8');

  it('has a section for every exported function', () => {
    const functions = Object.keys(api).filter((k) => typeof api[k] === 'function');
    expect(functions.length).toBeGreaterThan(0);
    const missing = functions.filter((f) => !new RegExp(`^## \`${f}\\(`, 'm').test(page));
    expect(missing, 'add a "## `name(...)`" section to docs/api.md').toEqual([]);
  });

  it('describes every option of every options interface', () => {
    const options = [...declarations.matchAll(/interface (\w*Options)\b[^{]*\{([^}]*)\}/g)]
      .flatMap(([, name, body]) => [...body!.matchAll(/readonly (\w+)\??:/g)].map((m) => `${name}.${m[1]}`));
    expect(options).toContain('StartOptions.serviceName');
    const missing = options.filter((o) => !page.includes(`| \`${o.split('.')[1]}\` |`));
    expect(missing, 'add a row to the options table in docs/api.md').toEqual([]);
  });

  it('names every exported type', () => {
    const types = [...declarations.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]!);
    expect(types.length).toBeGreaterThan(0);
    expect(types.filter((t) => !page.includes(`\`${t}\``))).toEqual([]);
  });
});
