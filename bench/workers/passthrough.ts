/**
 * The baseline: the least a Hono Worker can do between a client and the upstream. It forwards the request as-is
 * and returns the upstream's response untouched (streams pass through without being read), so whatever the
 * gateway costs above this row is the gateway's own work.
 */
import { Hono } from "hono";

interface Bindings {
  UPSTREAM_URL: string;
}

const app = new Hono<{ Bindings: Bindings }>();

app.post("/v1/chat/completions", (c) => fetch(new URL("/v1/chat/completions", c.env.UPSTREAM_URL), c.req.raw));

export default app;
