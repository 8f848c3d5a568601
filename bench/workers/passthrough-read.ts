/**
 * A second reference: the least a Worker costs that must see every byte of the answer (as a gateway that meters
 * tokens must). Like the bare passthrough it forwards the request unchanged, but it reads the upstream's answer in
 * JavaScript — a JSON body as text; a stream is split with `tee()`, one branch handed to the runtime for the client and
 * the other read chunk by chunk after the response (waitUntil) — instead of handing the upstream's body straight back
 * to the runtime. Nothing is parsed: this is the floor, not a gateway. `tee()` is the cheapest way measured here to
 * see every byte of a stream (a pull-based ReadableStream that forwards each chunk costs ~1.6× its CPU), but a
 * gateway cannot use it: it must be able to drop or rewrite events and report a failure in-band.
 */
import { Hono } from "hono";

interface Bindings {
  UPSTREAM_URL: string;
}

const app = new Hono<{ Bindings: Bindings }>();

/** Reads every byte of the metering branch; the count stands in for what a meter would do with them. */
async function drain(body: ReadableStream<Uint8Array>): Promise<number> {
  const reader = body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

app.post("/v1/chat/completions", async (c) => {
  const upstream = await fetch(new URL("/v1/chat/completions", c.env.UPSTREAM_URL), c.req.raw);
  const headers = new Headers(upstream.headers);
  if (!(headers.get("content-type") ?? "").includes("text/event-stream") || upstream.body === null) {
    return new Response(await upstream.text(), { status: upstream.status, headers });
  }
  const [toClient, toMeter] = upstream.body.tee();
  c.executionCtx.waitUntil(drain(toMeter));
  headers.delete("content-length");
  return new Response(toClient, { status: upstream.status, headers });
});

export default app;
