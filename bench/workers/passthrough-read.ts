/**
 * A second reference: the least a Worker costs that must see every byte of the answer (as a gateway that meters
 * tokens must). Like the bare passthrough it forwards the request unchanged, but it reads the upstream's answer in
 * JavaScript — a JSON body as text, a stream chunk by chunk through a pull-based ReadableStream — instead of handing
 * the upstream's body straight back to the runtime. Nothing is parsed: this is the floor, not a gateway.
 */
import { Hono } from "hono";

interface Bindings {
  UPSTREAM_URL: string;
}

const app = new Hono<{ Bindings: Bindings }>();

app.post("/v1/chat/completions", async (c) => {
  const upstream = await fetch(new URL("/v1/chat/completions", c.env.UPSTREAM_URL), c.req.raw);
  const headers = new Headers(upstream.headers);
  if (!(headers.get("content-type") ?? "").includes("text/event-stream") || upstream.body === null) {
    return new Response(await upstream.text(), { status: upstream.status, headers });
  }
  const reader = upstream.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  headers.delete("content-length");
  return new Response(body, { status: upstream.status, headers });
});

export default app;
