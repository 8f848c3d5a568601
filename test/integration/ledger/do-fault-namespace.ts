/**
 * Fault injection for the Durable Object ledger at the binding: a namespace whose stubs, while the switch is down,
 * reject every method call the way the runtime does when the connection to an object is lost (an Error with
 * `retryable: true`). The object itself is untouched, so "nothing was written" can be checked once the switch is up.
 * Failures raised inside a real object (SQLite errors, rollback) are exercised in do-faults.test.ts.
 */

type AnyFn = (...args: unknown[]) => unknown;

export function connectionLost(): Error {
  return Object.assign(new Error("Network connection lost."), { retryable: true });
}

export interface FaultSwitch {
  down: boolean;
  /** When set, decides per method name whether the call fails (default: every call fails while down). */
  failing?: (method: string) => boolean;
  /** Calls that reached the wrapper, by method name (faulty or not). */
  calls: string[];
  /** The next this many calls run in the object, then their reply is lost (rejected as a lost connection). */
  loseReplies?: number;
  /** While set, calls are never answered (and never reach the object): a store that accepts and hangs. */
  hang?: boolean;
}

export function faultSwitch(): FaultSwitch {
  return { down: false, calls: [] };
}

function wrapStub<S extends object>(stub: S, sw: FaultSwitch): S {
  return new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof prop !== "string" || prop === "id" || prop === "name" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        sw.calls.push(prop);
        if (sw.hang === true) return new Promise(() => undefined);
        if (sw.down && (sw.failing?.(prop) ?? true)) return Promise.reject(connectionLost());
        // Called on the stub itself: RPC methods are looked up by name, never detached.
        const result = (target as unknown as Record<string, AnyFn>)[prop]?.(...args);
        if ((sw.loseReplies ?? 0) <= 0) return result;
        sw.loseReplies = (sw.loseReplies ?? 0) - 1;
        return Promise.resolve(result).then(() => Promise.reject(connectionLost()));
      };
    },
  });
}

export function faultyNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  real: DurableObjectNamespace<T>,
  sw: FaultSwitch,
): DurableObjectNamespace<T> {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "get") {
        return (id: DurableObjectId, opts?: DurableObjectNamespaceGetDurableObjectOptions) =>
          wrapStub(target.get(id, opts), sw);
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as AnyFn).bind(target) : value;
    },
  });
}
