import { describe, expect, it } from 'vitest';
import { PARENT_MARKER, detectProcessRole } from '../../src/decide/process-role.js';

const argv = ['node', '/app/train.mjs'];

describe('process role', () => {
  it('the main thread of a plain process is main', () => {
    expect(detectProcessRole({}, argv, true)).toMatchObject({ main: true });
  });
  it('worker threads and cluster workers are not', () => {
    expect(detectProcessRole({}, argv, false)).toMatchObject({ main: false, reason: 'a worker thread' });
    expect(detectProcessRole({ NODE_UNIQUE_ID: '1' }, argv, true)).toMatchObject({ main: false, reason: 'a cluster worker' });
  });
  it('only rank 0 of a distributed launch is main', () => {
    for (const v of ['RANK', 'SLURM_PROCID', 'OMPI_COMM_WORLD_RANK', 'PMI_RANK']) {
      expect(detectProcessRole({ [v]: '3' }, argv, true)).toMatchObject({ main: false });
      expect(detectProcessRole({ [v]: '0' }, argv, true)).toMatchObject({ main: true });
    }
  });
  it('a descendant of an agent process is not main; the marker of this very process does not count', () => {
    expect(detectProcessRole({ [PARENT_MARKER]: '1' }, argv, true)).toMatchObject({ main: false });
    expect(detectProcessRole({ [PARENT_MARKER]: String(process.pid) }, argv, true)).toMatchObject({ main: true });
  });
  it('package managers stay passive so the app they start reports', () => {
    for (const s of ['/usr/lib/node_modules/npm/bin/npm-cli.js', '/x/npx-cli.js', '/x/yarn.js', '/x/pnpm.cjs']) {
      expect(detectProcessRole({}, ['node', s], true)).toMatchObject({ main: false, launcher: true });
    }
  });
});
