import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { forgetUserConsent, saveConsent } from '../decide/consent-store.js';
import { agentPaths } from '../decide/paths.js';
import { installId, installIdFile } from '../collect/install-id.js';

export type Print = (line: string) => void;

function dropQueue(print: Print): void {
  const dir = join(agentPaths().cacheDir, 'queue');
  rmSync(dir, { recursive: true, force: true });
  print(`deleted queued, unsent data in ${dir}`);
}

export function enable(project: boolean, print: Print): void {
  const file = saveConsent(true, project ? 'project' : 'user');
  print(`telemetry enabled; saved in ${file}`);
}

export function disable(project: boolean, print: Print): void {
  const file = saveConsent(false, project ? 'project' : 'user');
  print(`telemetry disabled; saved in ${file}`);
  dropQueue(print);
}

export function reset(print: Print): void {
  const configDir = agentPaths().configDir;
  const idFile = installIdFile(configDir);
  rmSync(idFile, { force: true });
  const id = installId(configDir);
  print(`new install id ${id.value}; saved in ${id.file ?? '(could not be saved)'}`);
  print(`forgot saved consent; removed ${forgetUserConsent()}`);
  dropQueue(print);
}

export function showId(print: Print): void {
  const configDir = agentPaths().configDir;
  const id = installId(configDir);
  print(id.value);
  print(`(saved in ${id.file ?? 'nowhere: the config dir is not writable'}; quote it in a deletion request)`);
}
