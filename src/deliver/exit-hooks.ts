export interface ExitActions {
  /** Async flush bounded by the flush timeout, for a process that is about to end; resolves, never rejects. */
  flush(): Promise<void>;
  /** Async flush bounded by the flush timeout that leaves the agent running normally (the app may go on). */
  flushWhileRunning(): Promise<void>;
  /** Synchronous: everything not delivered goes to the disk queue. */
  queueRemainingSync(): void;
  debug(m: string): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Flushes at exit without changing how the process ends: the exit code is never touched,
 * a signal with no app listener still kills the process by that signal (after a bounded flush),
 * and a signal the app listens to is left to the app.
 */
export function installExitHooks(a: ExitActions): () => void {
  let flushedAtBeforeExit = false;
  const guard = (fn: () => void) => () => { try { fn(); } catch (e) { a.debug(`exit hook failed: ${e}`); } };

  const onBeforeExit = () => {
    if (flushedAtBeforeExit) return;
    flushedAtBeforeExit = true;
    void a.flush();
  };
  const onExit = guard(() => a.queueRemainingSync());
  const onSignal = (signal: NodeJS.Signals) => {
    const appListens = process.listenerCount(signal) > 1;
    if (appListens) {
      // The app decides whether and when to exit (it may well go on: "press Ctrl-C again to quit"),
      // so open spans stay open and later payloads are still sent; the 'exit' hook queues the rest.
      void a.flushWhileRunning().catch(() => {});
      return;
    }
    process.removeListener(signal, onSignal);
    void a.flush().finally(guard(() => {
      a.queueRemainingSync();
      process.kill(process.pid, signal); // no listener now: the default action ends the process by this signal
    }));
  };

  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
}
