import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { LoadError, Loading } from "./Message";

/** A screen in a chunk of its own, fetched the first time it is shown. */
export function lazy<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  return function LazyScreen(props: P) {
    const [, setReady] = useState(loaded !== null);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      pending ??= load().then((module) => {
        loaded = module.default;
      });
      let live = true;
      pending.then(
        () => live && setReady(true),
        () => {
          pending = null;
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (loaded) {
      const Screen = loaded;
      return <Screen {...props} />;
    }
    // The chunk may be gone after a deploy: Retry loads the page (and the new build) again.
    if (failed) return <LoadError failure={{ kind: "network" }} retry={() => location.reload()} />;
    return <Loading />;
  };
}
