import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

/** A stand-in gateway on 127.0.0.1 that records every request and answers from a per-test script. */

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
}

export interface Recorder {
  url: string;
  requests: Recorded[];
  /** What the next requests get (default: 200 `{}`). */
  reply(fn: (req: Recorded) => Reply): void;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  let responder: (req: Recorded) => Reply = () => ({ status: 200, body: {} });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const recorded: Recorded = {
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: text === "" ? undefined : JSON.parse(text),
      };
      requests.push(recorded);
      const { status, body } = responder(recorded);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(fn) {
      responder = fn;
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

const CLI = fileURLToPath(new URL("../../../scripts/gateway-cli.ts", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in a child process (asynchronously, so the recorder in this process keeps serving). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((ok) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI, ...args],
      { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        ok({ code, stdout, stderr });
      },
    );
  });
}

export const SECRET = "cli-test-admin-secret-0123456789";

/**
 * Recorders for one test file: each test starts its own (tests run concurrently), all closed after the file.
 * `env` points the CLI at one of them with the test admin secret.
 */
export function recorders() {
  const open: Recorder[] = [];
  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
  });
  return {
    async start(reply?: (req: Recorded) => Reply): Promise<Recorder> {
      const recorder = await startRecorder();
      if (reply) recorder.reply(reply);
      open.push(recorder);
      return recorder;
    },
    async stop(recorder: Recorder): Promise<void> {
      open.splice(open.indexOf(recorder), 1);
      await recorder.close();
    },
    env(recorder: Recorder): Record<string, string> {
      return { GATEWAY_URL: recorder.url, GATEWAY_ADMIN_SECRET: SECRET };
    },
  };
}
