// The OpenTelemetry JS 3.x line needs Node 22.15+; on older Node the agent stays out of the way.

export const MIN_NODE = [22, 15] as const;

export function unsupportedRuntimeReason(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return undefined;
  return `Node.js ${version} is older than ${MIN_NODE[0]}.${MIN_NODE[1]} (supported: 22.15+ and 24)`;
}
