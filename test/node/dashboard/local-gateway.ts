import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ADMIN = "local-admin-secret-not-for-production";
export const DEV_KEY = "sk-gw-local-dev";

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface LocalGateway {
  url: string;
  /** PORT, ORIGIN_PORT and HOSTED_STANDIN_PORT as this run was given them. */
  env: Record<"PORT" | "ORIGIN_PORT" | "HOSTED_STANDIN_PORT", string>;
  /** What it printed so far, stdout and stderr. */
  log(): string;
  close(): Promise<void>;
}

/** `npm start` exactly as a newcomer runs it (its script, its local origin), on free ports with a fresh state dir. */
export async function startLocalGateway(): Promise<LocalGateway> {
  const [port, originPort, hostedPort] = [await freePort(), await freePort(), await freePort()];
  const ports = { PORT: String(port), ORIGIN_PORT: String(originPort), HOSTED_STANDIN_PORT: String(hostedPort) };
  const state = mkdtempSync(join(tmpdir(), "gw-dashboard-"));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: {
      ...process.env,
      ...ports,
      GATEWAY_STATE_DIR: state,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => {
    log += String(d);
  });
  child.stderr?.on("data", (d) => {
    log += String(d);
  });
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes("dashboard:")) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`npm start exited ${child.exitCode}:\n${log}`));
      }
    }, 200);
  });
  return {
    url,
    env: ports,
    log: () => log,
    async close() {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** `npm run traffic` against it. */
export async function sendTraffic(url: string, requests: number): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/traffic.ts"], {
    env: { ...process.env, GATEWAY_URL: url, TRAFFIC_REQUESTS: String(requests), TRAFFIC_SEED: "7" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`npm run traffic exited ${code}: ${out}`);
  return out;
}
