import ciInfo from 'ci-info';
import type { Env } from './env-flags.js';
import { isOptOutSet } from './env-flags.js';

/** CI detection: the `CI` variable or any provider ci-info knows (GitHub Actions, GitLab, Jenkins, …). */
export function detectCi(env: Env): string | undefined {
  if (env === process.env) {
    if (ciInfo.isCI) return ciInfo.name ?? 'CI';
    return undefined;
  }
  // ci-info reads process.env once at import; for other environments (tests, `status --env`) check the common markers.
  if (isOptOutSet(env.CI)) return 'CI';
  for (const key of ['GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'TF_BUILD', 'TEAMCITY_VERSION', 'BITBUCKET_BUILD_NUMBER', 'CODEBUILD_BUILD_ID']) {
    if (env[key]) return key;
  }
  return undefined;
}
