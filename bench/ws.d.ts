// The slice of ws 8 (installed as a wrangler/miniflare dependency) that bench/profile.ts uses; it ships no types.
declare module "ws" {
  import type { EventEmitter } from "node:events";
  export default class WebSocket extends EventEmitter {
    constructor(url: string);
    send(data: string): void;
    close(): void;
    on(event: "message", listener: (data: Buffer) => void): this;
    once(event: "open", listener: () => void): this;
  }
}
