// The declaration roll-up of scripts/build.mjs on small projects of its own: what consumers of
// the package see is the public surface only, and what cannot be rolled up fails the build.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs build script without declarations
import { rollupDeclarations } from '../../scripts/rollup-declarations.mjs';

const roll = rollupDeclarations as (entry: string, tsconfig: string) => string;
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A project with src/<files> and a tsconfig like the repository's; returns the rolled-up text. */
function project(files: Record<string, string>, types: string[] = []): () => string {
  const dir = mkdtempSync(join(tmpdir(), 'ta-rollup-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'src', name, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', name), text);
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types, typeRoots: [join(process.cwd(), 'node_modules', '@types')], outDir: 'out', rootDir: 'src', skipLibCheck: true },
    files: ['src/api/index.ts'],
  }));
  return () => roll(join(dir, 'src', 'api', 'index.ts'), join(dir, 'tsconfig.json'));
}

describe('rollupDeclarations', () => {
  it('inlines the internal types the API uses, exports only what the API exports, and nothing else', () => {
    const text = project({
      'api/index.ts': `import { helper, type Inner } from '../internal/inner.js';
export type { Options } from '../internal/options.js';
import type { Options } from '../internal/options.js';
/** Documented. */
export function start(options: Options = {}): Inner { return helper(options); }
`,
      'internal/options.ts': `import type { Base } from './base.js';\nexport interface Options extends Base { readonly name?: string }\nexport interface Unused { x: number }\n`,
      'internal/base.ts': `export interface Base { readonly mode?: Mode }\nexport type Mode = 'a' | 'b';\n`,
      'internal/inner.ts': `export interface Inner { readonly ok: boolean }\nexport function helper(_o: unknown): Inner { return { ok: true }; }\n`,
    })();
    expect(text).toMatch(/\/\*\* Documented\. \*\/\nexport declare function start\(options\?: Options\): Inner;/);
    expect(text).toMatch(/^export interface Options extends Base/m);
    // Used but not exported by the API: declared, not exported (the file ends with `export {}`).
    expect(text).toMatch(/^interface Base/m);
    expect(text).toMatch(/^type Mode = 'a' \| 'b';/m);
    expect(text).toMatch(/^interface Inner/m);
    expect(text).toMatch(/export \{\};\n$/);
    expect(text).not.toMatch(/Unused|helper|import|from '/);
  });

  it("refuses a public type that needs Node's types (consumers may not have @types/node)", () => {
    const run = project({ 'api/index.ts': `export function read(): NodeJS.ProcessEnv { return {}; }\n` }, ['node']);
    expect(run).toThrow(/uses NodeJS .*@types[\\/]node/);
  });

  it('refuses two different types of the same name from different modules', () => {
    const run = project({
      'api/index.ts': `import type { Item as A } from '../a.js';\nimport type { Item as B } from '../b.js';\nexport function f(a: A, b: B): void { void a; void b; }\n`,
      'a.ts': `export interface Item { a: number }\n`,
      'b.ts': `export interface Item { b: number }\n`,
    });
    expect(run).toThrow(/two declarations named Item/);
  });
});
