// The slice of autocannon 9's programmatic API the bench uses (the package ships no types).
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  export interface Options {
    url: string;
    method?: "GET" | "POST";
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    /** Request templates, cycled per connection; `setupRequest` may rewrite each one before it is sent. */
    requests?: {
      method?: "GET" | "POST";
      path?: string;
      setupRequest?: (req: { method?: string; path?: string }) => { method?: string; path?: string };
    }[];
  }

  export interface Result {
    /** Seconds the run took. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    requests: { total: number; sent: number };
  }

  export interface Instance extends EventEmitter {
    /** responseTime is in milliseconds with sub-millisecond precision (from process.hrtime). */
    on(
      event: "response",
      listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
    ): this;
    stop(): void;
  }

  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
