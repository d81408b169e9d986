import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n";

/** A screen in a chunk of its own, fetched the first time it is shown. */
export function lazy<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  return function LazyScreen(props: P) {
    const { t } = useI18n();
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
    if (failed) {
      return (
        <div role="alert" class="message message--error">
          {t.networkError}{" "}
          <button type="button" class="link-button" onClick={() => location.reload()}>
            {t.tryAgain}
          </button>
        </div>
      );
    }
    return (
      <p role="status" class="loading">
        {t.loading}
      </p>
    );
  };
}
