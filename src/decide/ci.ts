import type { Env } from './env-flags.js';
import { isOptOutSet } from './env-flags.js';

type CiInfo = typeof import('ci-info');
let ciInfo: CiInfo | undefined;
// ci-info checks every vendor it knows when it loads (~0.6 ms of CPU): loaded only when a decision
// asks about CI, not on every start (a static import would run it in the preload's top level).
const loadCiInfo = (): CiInfo => (ciInfo ??= require('ci-info') as CiInfo);

/** CI detection: the `CI` variable or any provider ci-info knows (GitHub Actions, GitLab, Jenkins, …). */
export function detectCi(env: Env): string | undefined {
  if (env === process.env) {
    const info = loadCiInfo();
    if (info.isCI) return info.name ?? 'CI';
    return undefined;
  }
  // ci-info reads process.env once at import; for other environments (tests, `status --env`) check the common markers.
  if (isOptOutSet(env.CI)) return 'CI';
  for (const key of ['GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'TF_BUILD', 'TEAMCITY_VERSION', 'BITBUCKET_BUILD_NUMBER', 'CODEBUILD_BUILD_ID']) {
    if (env[key]) return key;
  }
  return undefined;
}
