/**
 * `npm run traffic`: sends a realistic, seeded mix of requests to a running gateway (default: `npm start` on
 * 127.0.0.1:8787 with its local dev key), so the dashboard at /dashboard/ has something to show: three features,
 * agent tasks of a few calls each (some marked failed by the client), streams, long and reasoning prompts that route
 * to the large model, gateway tool calls, repeated questions (cache shadow hits), a model the tenant may not use
 * (refusals) and a runaway loop that the task budget stops. Finally it flushes the analytics buffer.
 *
 * Env: GATEWAY_URL (default http://127.0.0.1:8787), GATEWAY_KEY (default sk-gw-local-dev), GATEWAY_ADMIN_SECRET
 * (default the local one; used only for the final flush), TRAFFIC_REQUESTS (default 120), TRAFFIC_SEED (default 1).
 */
import { seededRandom } from "./eval/random";

const base = process.env.GATEWAY_URL ?? "http://127.0.0.1:8787";
const key = process.env.GATEWAY_KEY ?? "sk-gw-local-dev";
const adminSecret = process.env.GATEWAY_ADMIN_SECRET ?? "local-admin-secret-not-for-production";
const total = Number(process.env.TRAFFIC_REQUESTS ?? 120);
const random = seededRandom(Number(process.env.TRAFFIC_SEED ?? 1));
const run = Date.now().toString(36);

const QUESTIONS = [
  "How do I reset my password?",
  "What are your opening hours?",
  "Summarize the release notes for version 2.",
  "Explain edge caching in one paragraph.",
  "Translate 'good morning' to French.",
];
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

type Send = { body: Record<string, unknown>; headers: Record<string, string>; path?: string };

function plan(): Send[] {
  const out: Send[] = [];
  let task = 0;
  while (out.length < total) {
    const feature = pick(["search", "support-chat", "summarize"]);
    const taskId = `agent-${run}-${task++}`;
    const calls = 1 + Math.floor(random() * 5);
    for (let i = 0; i < calls && out.length < total; i++) {
      const headers: Record<string, string> = { "x-gateway-feature": feature, "x-gateway-task-id": taskId };
      const roll = random();
      const body: Record<string, unknown> = {
        model: "auto",
        messages: [
          { role: "user", content: roll < 0.35 ? pick(QUESTIONS) : `${pick(QUESTIONS)} (${taskId} step ${i})` },
        ],
        max_tokens: 64 + Math.floor(random() * 200),
      };
      if (roll > 0.85) headers["x-gateway-task-type"] = "reasoning";
      else if (roll > 0.75) body.tools = [{ type: "function", function: { name: "local_search" } }];
      else if (roll > 0.7)
        body.messages = [{ role: "user", content: "Review this document: ".concat("lorem ipsum ".repeat(900)) }];
      if (random() < 0.3) body.stream = true;
      out.push({ body, headers });
    }
    if (random() < 0.08)
      out.push({
        body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
        headers: { "x-gateway-feature": feature },
      });
  }
  // A runaway agent: the same call again and again, until the task budget's loop guard stops it.
  const loop = `runaway-${run}`;
  for (let i = 0; i < 12; i++) {
    out.push({
      body: { model: "small", messages: [{ role: "user", content: "Are we there yet?" }], max_tokens: 16 },
      headers: { "x-gateway-feature": "support-chat", "x-gateway-task-id": loop },
    });
  }
  return out;
}

async function send(s: Send): Promise<number> {
  const res = await fetch(`${base}${s.path ?? "/v1/chat/completions"}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...s.headers },
    body: JSON.stringify(s.body),
  });
  await res.text();
  return res.status;
}

async function main() {
  const sends = plan();
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let s = sends[next++]; s !== undefined; s = sends[next++]) {
        const status = await send(s);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  // The client's own verdict on a few tasks: it overrides "last call succeeded" in cost per successful task.
  for (let t = 0; t < 3; t++) {
    await send({ path: `/v1/tasks/agent-${run}-${t}/outcome`, body: { outcome: "failure" }, headers: {} });
  }
  // Settlements and their analytics batches run after each response; give them a moment, then flush.
  await new Promise((r) => setTimeout(r, 1500));
  const flushed = await fetch(`${base}/admin/analytics/flush`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminSecret}` },
  });
  const summary = [...statuses.entries()].map(([s, n]) => `${n} x ${s}`).join(", ");
  console.log(`sent ${sends.length} requests (${summary}); analytics flush: ${flushed.status}`);
  console.log(`open ${base}/dashboard/ and sign in with the admin secret (tenant acme) or the API key`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
