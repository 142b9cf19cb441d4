// What an error becomes on a span: its type, message and stack, as given. They are redacted by
// the protect gate at export with every other string (gate.ts), never here.

const IDENTIFIER = /^[A-Za-z_$][\w$.]{0,99}$/;

function constructorName(error: object): string | undefined {
  try {
    const name = (Object.getPrototypeOf(error) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && IDENTIFIER.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error's own name, as Node prints it: `error.name`, unless that is only the inherited
 * generic name of a more specific class (tfjs `ValueError` never sets `name`, so it reads
 * `Error`; Node prints `ValueError: …` from the constructor, and so do we).
 */
export function errorType(error: unknown): string {
  try {
    if (error instanceof Error || (typeof error === 'object' && error !== null && 'stack' in error && 'message' in error)) {
      const e = error as Error;
      const name = typeof e.name === 'string' && IDENTIFIER.test(e.name) ? e.name : undefined;
      const ctor = constructorName(e);
      if (name && ctor && ctor !== name && ctor.includes(name)) return ctor;
      return name ?? ctor ?? 'Error';
    }
    if (error === null) return 'null';
    return typeof error;
  } catch {
    return 'unknown';
  }
}

export interface ErrorAttributes {
  'exception.type': string;
  'exception.message': string;
  'exception.stacktrace'?: string;
}

/** `exception.*` attributes (not yet redacted: the gate does that at export). */
export function errorAttributes(error: unknown): ErrorAttributes {
  const type = errorType(error);
  let message = '';
  let stack: string | undefined;
  try {
    if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
      const e = error as Error;
      message = String(e.message);
      stack = typeof e.stack === 'string' ? e.stack : undefined;
      // The stack's first line was written with the inherited name (`Error: …`): print the type
      // there as Node does.
      const name = typeof e.name === 'string' ? e.name : '';
      if (stack && name && type !== name && stack.startsWith(`${name}:`)) stack = type + stack.slice(name.length);
    } else if (typeof error === 'string') message = error;
    else message = `non-error value of type ${typeof error}`;
  } catch {
    message = 'unreadable error';
  }
  const out: ErrorAttributes = { 'exception.type': type, 'exception.message': message };
  if (stack) out['exception.stacktrace'] = stack;
  return out;
}
