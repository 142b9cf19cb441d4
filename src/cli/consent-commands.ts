// `telemetry-agent enable | disable | reset | id [--product NAME]`: one product at a time.
import { denyForProject, productConsent } from '../decide/consent-control.js';
import { AGENT_PRODUCT } from '../decide/paths.js';

export type Print = (line: string) => void;

/** A project can only opt out: `enable --project` explains that and changes nothing (exit 2). */
export const PROJECT_ENABLE_REFUSED =
  'a project cannot turn telemetry on for the people who work on it: a committed file may only opt out (`telemetry-agent disable --project`). ' +
  'Each person enables it for themselves with `telemetry-agent enable`, or for one run with TELEMETRY_AGENT_ENABLED=1.';

export function enable(product: string, print: Print): void {
  print(productConsent(product).enable().message);
}

export function disable(product: string, project: boolean, productGiven: boolean, print: Print): void {
  if (project) {
    const file = denyForProject(productGiven ? product : undefined);
    print(`telemetry disabled for everyone in this project${productGiven ? ` (product ${product})` : ''}; saved in ${file} (commit it to share the choice)`);
    return;
  }
  print(productConsent(product).disable().message);
}

export function reset(product: string, print: Print): void {
  print(productConsent(product).reset().message);
}

/** Prints the install ID, or says there is none; never creates one. Returns the exit code. */
export function showId(product: string, print: Print): number {
  const id = productConsent(product).id();
  if (id === undefined) {
    print(`no install ID for ${product} on this machine yet: it is made the first time telemetry is sent, so there is nothing to delete`);
    return 0;
  }
  print(id);
  print(`(the install ID of ${product === AGENT_PRODUCT ? 'telemetry-agent' : product}; quote it in a deletion request)`);
  return 0;
}
