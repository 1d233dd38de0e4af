import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (update: T | ((old: T | undefined) => T)) => void;
}

/**
 * Loads data with `load` on mount and whenever `deps` change; `reload()` loads again. A late
 * answer for old deps is dropped.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (live) {
          setData(value);
          setError(undefined);
          setLoading(false);
        }
      },
      (err: unknown) => {
        if (live) {
          setError(err);
          setLoading(false);
        }
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData: setData as AsyncState<T>['setData'] };
}

/**
 * Calls `tick` now and every `intervalMs` while `enabled`, skipping while the tab is hidden and
 * never overlapping two calls.
 */
export function useInterval(tick: () => Promise<void> | void, intervalMs: number, enabled = true) {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!enabled) {
      return undefined;
    }
    let running = false;
    let stopped = false;
    const run = async () => {
      if (running || stopped || (typeof document !== 'undefined' && document.hidden)) {
        return;
      }
      running = true;
      try {
        await tickRef.current();
      } finally {
        running = false;
      }
    };
    void run();
    const id = setInterval(() => void run(), intervalMs);
    return () => {
      stopped = true;
      clearInterval(id);
    };
  }, [intervalMs, enabled]);
}

/** A value kept in localStorage. */
export function useStoredState<T extends string>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      return (localStorage.getItem(key) as T | null) ?? initial;
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        localStorage.setItem(key, v);
      } catch {
        // Storage may be off; the value still holds for this page.
      }
    },
    [key],
  );
  return [value, set];
}
