/** Runs `fn` while holding the Web Lock `name`, so that one tab at a time refreshes.
 *
 * A lock that some tab never releases must not freeze the app (supabase-js #2426): when the lock
 * is not granted within `timeoutMs`, it is stolen from its holder. Without Web Locks (a non-secure
 * context, an old browser) `fn` runs at once; the server's grace window covers that race. */
export interface LockOptions {
  locks: LockManager | undefined;
  name: string;
  timeoutMs: number;
  onTimeout?: () => void;
}

export async function withLock<T>({ locks, name, timeoutMs, onTimeout }: LockOptions, fn: () => Promise<T>): Promise<T> {
  if (!locks || typeof locks.request !== "function") return fn();
  // An AbortController on setTimeout rather than AbortSignal.timeout(): the same behaviour, and it
  // can be cleared once the lock is granted (and driven by fake timers in the tests).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("lock wait timed out", "TimeoutError")), timeoutMs);
  let granted = false;
  try {
    return await locks.request(name, { signal: controller.signal }, async () => {
      granted = true;
      clearTimeout(timer);
      return fn();
    });
  } catch (error) {
    if (granted) throw error; // fn's own failure
    if (!controller.signal.aborted) return fn(); // the lock manager itself failed: go on without it
    onTimeout?.();
    return locks.request(name, { steal: true }, fn);
  } finally {
    clearTimeout(timer);
  }
}
