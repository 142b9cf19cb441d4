// docs/cli.md describes every command the CLI lists in its help.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-node.js';

describe('docs/cli.md', () => {
  const page = readFileSync(join(REPO, 'docs', 'cli.md'), 'utf8');
  const help = execFileSync(process.execPath, [join(REPO, 'dist', 'cli.mjs'), '--help'], { encoding: 'utf8' });
  // Commands are the indented lines of the help that start with a lower-case word.
  const commands = [...new Set([...help.matchAll(/^ {2,4}([a-z][a-z-]+)(?= |$)/gm)].map((m) => m[1]!))];

  it('the help lists the commands', () => {
    expect(commands).toEqual(expect.arrayContaining(['status', 'enable', 'collect', 'report']));
  });

  it('has a section for every command', () => {
    const missing = commands.filter((c) => !page.includes(`## \`telemetry-agent ${c}\``));
    expect(missing, 'add a "## `telemetry-agent <command>`" section to docs/cli.md').toEqual([]);
  });
});
