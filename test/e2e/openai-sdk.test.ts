import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "./harness";

let gw: RunningGateway;
let client: OpenAI;

beforeAll(async () => {
  gw = await startGateway();
  client = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
});

describe("official openai SDK against wrangler dev", () => {
  it("completes a chat and reports how it was routed", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "auto", messages: [{ role: "user", content: "Say hello to the gateway" }] })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]?.message.content).toContain("local origin");
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    expect(response.headers.get("x-gateway-model")).toBe("small");
    expect(response.headers.get("x-gateway-provider")).toBe("local-origin");
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(response.headers.get("x-gateway-policy-version")).toMatch(/^sha256:/);
  });

  it("streams chunks and a final usage chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "small",
      messages: [{ role: "user", content: "Stream a short answer" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toContain("local origin");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("returns tool calls the model makes (escalated to the large tier by the tools rule)", async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: "auto",
        messages: [{ role: "user", content: "What is the weather in Paris?" }],
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "Weather for a city",
              parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          },
        ],
      })
      .withResponse();
    const call = data.choices[0]?.message.tool_calls?.[0];
    expect(data.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    expect(response.headers.get("x-gateway-model")).toBe("large");
  });

  it("runs a gateway tool (named in `tools`) in the loop and returns the model's final answer", async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: "auto",
        messages: [{ role: "user", content: "Search for edge inference gateways" }],
        tools: [{ type: "function", function: { name: "local_search" } }],
      })
      .withResponse();
    expect(data.choices[0]?.finish_reason).toBe("stop");
    // The origin's second turn acknowledges the tool message, which starts with the untrusted-data envelope.
    expect(data.choices[0]?.message.content).toContain('tool result received: {"tool":"local_search"');
    expect(response.headers.get("x-gateway-tool-turns")).toBe("2");
    expect(response.headers.get("x-gateway-tool-calls")).toBe("1");
  });

  it("streams the final answer of a gateway tool loop", async () => {
    const stream = await client.chat.completions.create({
      model: "auto",
      messages: [{ role: "user", content: "Search for streaming gateways" }],
      tools: [{ type: "function", function: { name: "local_search" } }],
      stream: true,
    });
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toContain("tool result received:");
    expect(finish).toBe("stop");
  });

  it("embeds text", async () => {
    const res = await client.embeddings.create({ model: "embed", input: ["hello world", "goodbye"] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  it("lists the caller's models", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["auto", "small", "large"]));
  });

  it("surfaces gateway error codes through the SDK's error classes", async () => {
    const unknown = await client.chat.completions
      .create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");

    const bad = await client.chat.completions
      .create({ model: "small", messages: [{ role: "user", content: "hi" }], temperature: 5 })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("temperature");

    const anon = new OpenAI({ apiKey: "sk-gw-wrong", baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const denied = await anon.models.list().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((denied as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("unauthorized");
  });

  it("answers a body over the 4 MiB limit with a 413 the SDK receives (not a failed upload it retries)", async () => {
    // Default retries: a connection reset would be retried (and end as "fetch failed"); a 413 is not retried.
    const retrying = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1` });
    const big = "x".repeat(5 * 1024 * 1024);
    const err = await retrying.chat.completions
      .create({ model: "small", messages: [{ role: "user", content: big }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const apiErr = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiErr.status).toBe(413);
    expect(apiErr.code).toBe("payload_too_large");
    expect(apiErr.requestID).toMatch(/^req_/);
  });
});

describe("official openai SDK on the auto route with the learned router (policies/routers/auto.json)", () => {
  /** The caller's own usage event for a request id, once settlement has recorded it. */
  async function usageEvent(requestId: string) {
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${gw.url}/v1/usage?limit=50`, { headers: { authorization: `Bearer ${gw.key}` } });
      const page = (await res.json()) as { data: { request_id: string; cost: number; routing: unknown }[] };
      const event = page.data.find((e) => e.request_id === requestId);
      if (event !== undefined) return event;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no usage event for ${requestId}`);
  }

  it.each([
    ["a greeting", "Say hello to my friend over there"],
    ["a proof", "Prove that the square root of 2 is irrational, then show every step of the algebra rigorously."],
  ])("%s: the router decides, says so in headers, and the call is billed", async (_, prompt) => {
    const { data, response } = await client.chat.completions
      .create({ model: "auto", messages: [{ role: "user", content: prompt }] })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    const h = (name: string) => response.headers.get(name);
    const tier = h("x-gateway-router-tier");
    expect(tier === "cheap" || tier === "premium").toBe(true);
    expect(h("x-gateway-decided-by")).toBe("router");
    expect(h("x-gateway-router-decided-by")).toBe("router");
    expect(h("x-gateway-tier")).toBe(tier);
    expect(h("x-gateway-model")).toBe(tier === "premium" ? "large" : "small");
    const score = Number(h("x-gateway-router-score"));
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    const cost = Number(h("x-gateway-cost"));
    expect(cost).toBeGreaterThan(0);
    const event = await usageEvent(h("x-request-id") ?? "");
    expect(event.cost).toBe(cost);
    expect(event.routing).toMatchObject({ decidedBy: "router", tier, score, router: { tier, decidedBy: "router" } });
  });
});

describe("official openai SDK: the Batch API (Queues + R2 under wrangler dev)", () => {
  it("uploads a JSONL file, runs a batch to completion and downloads its output", async () => {
    const lines = ["Summarise edge caching", "Classify: refund request", "Say hi"].map((text, i) =>
      JSON.stringify({
        custom_id: `job-${i}`,
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: "small", messages: [{ role: "user", content: text }], max_tokens: 32 },
      }),
    );
    const file = await client.files.create({
      file: await toFile(Buffer.from(lines.join("\n")), "requests.jsonl"),
      purpose: "batch",
    });
    expect(file).toMatchObject({ object: "file", purpose: "batch" });
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    expect(batch.status).toBe("in_progress");

    let done = batch;
    const deadline = Date.now() + 60_000;
    while (!["completed", "failed", "cancelled", "expired"].includes(done.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      done = await client.batches.retrieve(batch.id);
    }
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    const output = await (await client.files.content(done.output_file_id ?? "")).text();
    const results = output
      .trim()
      .split("\n")
      .map(
        (l) => JSON.parse(l) as { custom_id: string; response: { status_code: number; body: OpenAI.ChatCompletion } },
      );
    expect(results.map((r) => r.custom_id)).toEqual(["job-0", "job-1", "job-2"]);
    for (const r of results) {
      expect(r.response.status_code).toBe(200);
      expect(r.response.body.choices[0]?.message.content).toContain("local origin");
    }
    const listed = [];
    for await (const b of client.batches.list({ limit: 10 })) listed.push(b.id);
    expect(listed).toContain(batch.id);
  }, 90_000);

  it("lists (paging), retrieves and deletes files with files.list/retrieve/delete", async () => {
    const line = JSON.stringify({
      custom_id: "f-0",
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "small", messages: [{ role: "user", content: "hi" }] },
    });
    const uploaded = [];
    for (let i = 0; i < 3; i++) {
      uploaded.push(
        await client.files.create({ file: await toFile(Buffer.from(line), `f-${i}.jsonl`), purpose: "batch" }),
      );
    }
    // limit 1: the SDK follows the cursor (`after` = the last id) page by page.
    const seen: string[] = [];
    for await (const f of client.files.list({ limit: 1, purpose: "batch" })) seen.push(f.id);
    expect(seen).toEqual(expect.arrayContaining(uploaded.map((f) => f.id)));
    expect(new Set(seen).size).toBe(seen.length);
    const target = uploaded[1]?.id ?? "";
    expect(await client.files.retrieve(target)).toMatchObject({ id: target, object: "file", filename: "f-1.jsonl" });
    expect(await client.files.delete(target)).toEqual({ id: target, object: "file", deleted: true });
    await expect(client.files.retrieve(target)).rejects.toMatchObject({ status: 404 });
    const after: string[] = [];
    for await (const f of client.files.list()) after.push(f.id);
    expect(after).not.toContain(target);
  }, 60_000);
});
