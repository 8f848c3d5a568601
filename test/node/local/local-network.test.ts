import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localOutbound } from "../../../scripts/local-network";

/**
 * The outbound network of `npm start` (scripts/local-network.ts) inside a real workerd: private, link-local and
 * metadata addresses are refused by the peer filter before any connection is attempted (so this test never sends a
 * packet off the machine), loopback stays reachable.
 */

const WORKER = `export default { async fetch(req) {
  const target = new URL(req.url).searchParams.get("t");
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(5000) });
    return Response.json({ ok: true, status: res.status, body: await res.text() });
  } catch (e) {
    return Response.json({ ok: false, name: e.name, message: String(e.message) });
  }
}};`;

let mf: Miniflare;
let server: Server;
let loopback: string;

beforeAll(async () => {
  server = createServer((_req, res) => res.end("loopback ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  loopback = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  mf = new Miniflare({
    modules: true,
    compatibilityDate: "2026-04-26",
    script: WORKER,
    outboundService: localOutbound(false),
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  await new Promise((resolve) => server?.close(resolve));
});

async function fetchFromWorker(target: string) {
  const res = await mf.dispatchFetch(`http://worker.test/?t=${encodeURIComponent(target)}`);
  return (await res.json()) as { ok: boolean; name?: string; message?: string; body?: string };
}

describe("npm start's outbound network", () => {
  it("reaches loopback (the local origin lives there)", async () => {
    expect(await fetchFromWorker(loopback)).toMatchObject({ ok: true, body: "loopback ok" });
  });

  it.each([
    "http://10.0.0.1:81/",
    "http://172.16.0.1:81/",
    "http://192.168.0.1:81/",
    "http://100.64.0.1:81/",
    "http://[fd00::2]:81/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]:81/",
  ])("refuses %s before connecting (the peer filter, not a timeout)", async (target) => {
    const result = await fetchFromWorker(target);
    expect(result.ok).toBe(false);
    expect(result.name).not.toBe("TimeoutError");
    expect(result.message).toMatch(/internal error/);
  });
});
