/** The class name of what was thrown: useful to a maintainer, never personal. */
export function errorType(error: unknown): string {
  try {
    if (error instanceof Error) return /^[A-Za-z_$][\w$.]{0,99}$/.test(error.name) ? error.name : error.constructor?.name || 'Error';
    if (error === null) return 'null';
    return typeof error;
  } catch {
    return 'unknown';
  }
}

/** `exception.*` attributes with the message and stack passed through the redactor. */
export function errorAttributes(error: unknown, redact: ((s: string) => string) & { stack?: (s: string) => string }): { 'exception.type': string; 'exception.message': string; 'exception.stacktrace'?: string } {
  const type = errorType(error);
  let message = '';
  let stack: string | undefined;
  try {
    if (error instanceof Error) {
      message = String(error.message);
      stack = typeof error.stack === 'string' ? error.stack : undefined;
    } else if (typeof error === 'string') message = error;
    else message = `non-error value of type ${typeof error}`;
  } catch {
    message = 'unreadable error';
  }
  const out: { 'exception.type': string; 'exception.message': string; 'exception.stacktrace'?: string } = { 'exception.type': type, 'exception.message': redact(message) };
  if (stack) out['exception.stacktrace'] = (redact.stack ?? redact)(stack);
  return out;
}
