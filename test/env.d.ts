// Types `exports` from "cloudflare:workers" in tests: the Worker under test is test/worker.ts.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./worker");
  }
}
