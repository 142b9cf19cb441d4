// The redactor's output caps, apart from the engine so the gate can name them without loading the
// rules (the short-run exit path loads the engine only when it needs it: process-gate.ts).

/** Cap for messages and attribute values. */
export const MAX_STRING_LENGTH = 4096;
/** Cap for stack traces (`exception.stacktrace`). */
export const MAX_STACK_LENGTH = 16384;
