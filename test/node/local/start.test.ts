import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type LocalGateway, startLocalGateway } from "../dashboard/local-gateway";

/**
 * `npm start` as a newcomer meets it: the embedder is loaded (and says so) before the gateway serves, so the first
 * chat does not pay for it; and a second `npm start` while one runs refuses in one plain sentence — no stack trace,
 * no flag that `npm start` does not take.
 */

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runStart(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function expectPlainRefusal(run: Run, name: string, port: string): void {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.stderr).toContain(`127.0.0.1:${port} is already in use`);
  expect(run.stderr).toContain(`${name}=<port> npm start`);
  expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(run.stderr + run.stdout).not.toMatch(/--port|--inspector/); // no flag npm start does not take
  expect(run.stdout).not.toContain("gateway:");
}

describe("npm start refuses ports that are taken, plainly", () => {
  let squatter: Server;
  let taken: number;

  beforeAll(async () => {
    taken = await freePort();
    squatter = createServer();
    await new Promise<void>((ok) => squatter.listen(taken, "127.0.0.1", ok));
  });
  afterAll(() => new Promise<void>((ok) => squatter.close(() => ok())));

  it.each(["PORT", "ORIGIN_PORT", "HOSTED_STANDIN_PORT"])(
    "%s taken -> exit 1, one sentence naming it",
    async (name) => {
      const env: Record<string, string> = {
        PORT: String(await freePort()),
        ORIGIN_PORT: String(await freePort()),
        HOSTED_STANDIN_PORT: String(await freePort()),
      };
      env[name] = String(taken);
      expectPlainRefusal(await runStart(env), name, String(taken));
    },
  );
});

describe("npm start, running", () => {
  let gateway: LocalGateway;

  beforeAll(async () => {
    gateway = await startLocalGateway();
  }, 240_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it("loads the embedder before it serves, and says so", () => {
    const log = gateway.log();
    const loaded = log.search(/loading the local embedder \(USE-lite, for the semantic cache\)… ready in \d+\.\d s/);
    expect(loaded, log).toBeGreaterThanOrEqual(0);
    expect(loaded).toBeLessThan(log.indexOf("gateway: http://"));
  });

  it("a second npm start with the same ports refuses without a stack trace", async () => {
    const second = await runStart({ ...gateway.env, GATEWAY_STATE_DIR: "/nonexistent-never-used" });
    expectPlainRefusal(second, "PORT", gateway.env.PORT);
    // The first one still serves.
    expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(401);
  }, 60_000);
});
