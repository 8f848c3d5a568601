import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { warmUpUseLite } from "../../local/embeddings-use";
import { startLocalOrigin } from "../../local/origin";

export interface RunningGateway {
  url: string;
  key: string;
  originUrl: string;
  close(): Promise<void>;
}

export const E2E_KEY = "sk-gw-e2e-7d1c0b";
export const E2E_ADMIN_SECRET = "e2e-admin-secret-0123456789";

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, logs: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${logs.join("")}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not become healthy in ${timeoutMs} ms:\n${logs.join("")}`);
}

/** Credits an account through the admin API, as an operator would. */
export async function fund(url: string, account: string, tenant: string, amount: number): Promise<void> {
  const res = await fetch(`${url}/admin/accounts/${encodeURIComponent(account)}/credits`, {
    method: "POST",
    headers: { authorization: `Bearer ${E2E_ADMIN_SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ tenant, amount, reference: `e2e-seed-${account}`, type: "topup" }),
  });
  if (!res.ok) throw new Error(`funding ${account} failed: ${res.status} ${await res.text()}`);
}

/**
 * The production Worker (src/index.ts, policies/) under `wrangler dev`, routed to the local origin, as a user runs
 * it. Only loopback addresses are involved.
 */
export async function startGateway(): Promise<RunningGateway> {
  // As `npm start` does: load the local embedder before serving, so the first request's routing embedding does not
  // time out while the model loads (the learned router would then decide without it).
  await warmUpUseLite();
  const origin = await startLocalOrigin({ port: 0, host: "127.0.0.1" });
  const port = await freePort();
  const inspectorPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gw-e2e-"));
  const envFile = join(dir, ".env");
  const keys = [{ key_id: "e2e", tenant: "acme", sha256: createHash("sha256").update(E2E_KEY).digest("hex") }];
  writeFileSync(
    envFile,
    `LOCAL_ORIGIN_URL=${origin.url}/v1\nLOCAL_ORIGIN_HOST=${new URL(origin.url).host}\nGATEWAY_STATIC_KEYS='${JSON.stringify(keys)}'\nADMIN_SECRET=${E2E_ADMIN_SECRET}\n`,
  );
  const logs: string[] = [];
  const child = spawn(
    process.execPath,
    [
      resolve("node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--env-file",
      envFile,
      "--persist-to",
      join(dir, "state"),
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
    ],
    {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (d: Buffer) => logs.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => logs.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await origin.close();
  };
  try {
    await waitForHealth(url, child, logs, 90_000);
    await fund(url, "e2e", "acme", 1_000_000_000);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, key: E2E_KEY, originUrl: origin.url, close };
}
