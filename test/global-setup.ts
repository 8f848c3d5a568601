import { createServer } from "node:http";
import type { TestProject } from "vitest/node";

export default async function setup(project: TestProject) {
  const server = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("no port");
  project.provide("fakeUpstreamUrl", `http://127.0.0.1:${addr.port}`);
  return async () => {
    await new Promise<void>((r) => server.close(() => r()));
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeUpstreamUrl: string;
  }
}
