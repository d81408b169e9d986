/** The service worker's registration (sw-src/sw.js) and its "new version — reload" offer: a new worker waits
 * until the person chooses Reload; then it takes over and every tab of the app reloads once. */
let waiting: ServiceWorker | null = null;
const listeners = new Set<(ready: boolean) => void>();

export const updateReady = () => waiting !== null;
export function onUpdate(listener: (ready: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function offer(worker: ServiceWorker | null): void {
  waiting = worker;
  for (const listener of listeners) listener(worker !== null);
}

export function registerServiceWorker(): void {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator) || !window.isSecureContext) return;
  const container = navigator.serviceWorker;
  // A page that had a worker reloads when a new one takes over (after Reload here or in another tab).
  const hadController = container.controller !== null;
  let reloading = false;
  container.addEventListener("controllerchange", () => {
    if (!hadController || reloading) return;
    reloading = true;
    window.location.reload();
  });
  container
    .register("/sw.js", { scope: "/" })
    .then((registration) => {
      if (registration.waiting && container.controller) offer(registration.waiting);
      registration.addEventListener("updatefound", () => {
        const installing = registration.installing;
        installing?.addEventListener("statechange", () => {
          if (installing.state === "installed" && container.controller) offer(installing);
        });
      });
      // A long-open app (an installed one) looks for a new version when it comes back to the front.
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") void registration.update().catch(() => undefined);
      });
    })
    .catch(() => undefined); // no worker: the app works online as before
}

/** Reload into the waiting version. */
export function applyUpdate(): void {
  waiting?.postMessage("skip-waiting");
}
