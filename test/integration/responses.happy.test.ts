import { describe, expect, it } from "vitest";
import { nonce, postJson, upstreamRequests } from "../helpers/gateway";
import {
  functionCalls,
  outputText,
  type ResponseJson,
  type ResponsesEvent,
  responsesEvents,
  toolDef,
} from "./responses-helpers";

const PROVIDERS = ["m-openai", "m-anthropic", "m-gemini", "m-origin"];

describe("POST /v1/responses — JSON, through every provider type", () => {
  it.each(PROVIDERS)("answers through %s as a response object", async (model) => {
    const n = nonce("resp");
    const res = await postJson("/v1/responses", {
      model,
      instructions: "Be brief.",
      input: `hello ${n}`,
      max_output_tokens: 64,
      metadata: { ticket: "T-1" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ResponseJson;
    expect(body.object).toBe("response");
    expect(body.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(body.status).toBe("completed");
    expect(body.store).toBe(false);
    expect(body.metadata).toEqual({ ticket: "T-1" });
    expect(body.output).toHaveLength(1);
    expect(body.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(outputText(body)).toContain("echo:");
    expect(body.usage?.output_tokens).toBeGreaterThan(0);
    expect(body.usage?.total_tokens).toBe((body.usage?.input_tokens ?? 0) + (body.usage?.output_tokens ?? 0));
    expect(res.headers.get("x-gateway-model")).toBe(model);
    expect(res.headers.get("x-request-id")?.slice(4)).toBe(body.id.slice(5));
    expect(await upstreamRequests(n)).toHaveLength(1);
  });

  it("sends the upstream the canonical translation (instructions, items, tools, format, limits)", async () => {
    const n = nonce("resp-xlate");
    const res = await postJson("/v1/responses", {
      model: "m-openai",
      instructions: "Answer in JSON.",
      input: [
        { role: "developer", content: "Use the schema." },
        { role: "user", content: [{ type: "input_text", text: `question ${n}` }] },
      ],
      text: { format: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true } },
      max_output_tokens: 50,
      temperature: 0.5,
      top_p: 0.9,
      reasoning: { effort: "low" },
      metadata: { not: "forwarded" },
    });
    expect(res.status).toBe(200);
    const [sent] = await upstreamRequests(n);
    expect(sent?.body).toMatchObject({
      messages: [
        { role: "system", content: "Answer in JSON." },
        { role: "system", content: "Use the schema." },
        { role: "user", content: [{ type: "text", text: `question ${n}` }] },
      ],
      response_format: {
        type: "json_schema",
        json_schema: { name: "answer", schema: { type: "object" }, strict: true },
      },
      max_completion_tokens: 50,
      temperature: 0.5,
      top_p: 0.9,
      reasoning_effort: "low",
    });
    expect(sent?.body).not.toHaveProperty("metadata");
  });

  it.each(PROVIDERS)("returns function calls through %s, and takes their outputs back", async (model) => {
    const n = nonce("resp-tool");
    const res = await postJson("/v1/responses", { model, input: `find ${n}`, tools: [toolDef("lookup")] });
    const body = (await res.json()) as ResponseJson;
    const [call] = functionCalls(body);
    expect(call).toMatchObject({ type: "function_call", name: "lookup", status: "completed" });
    expect(call?.id).toMatch(/^fc_/);
    expect(JSON.parse(call?.arguments ?? "{}")).toHaveProperty("query");

    // The client's own loop: the whole output goes back with the tool's result.
    const next = await postJson("/v1/responses", {
      model,
      input: [
        { role: "user", content: `find ${n}` },
        ...body.output,
        { type: "function_call_output", call_id: call?.call_id, output: `found it ${n}` },
      ],
      tools: [toolDef("lookup")],
    });
    expect(next.status).toBe(200);
    const answer = (await next.json()) as ResponseJson;
    expect(outputText(answer)).toContain("tool result received");
  });

  it("reports a max_output_tokens cut as incomplete", async () => {
    const res = await postJson("/v1/responses", {
      model: "m-openai",
      input: `one two three four five six seven eight ${nonce()}`,
      max_output_tokens: 3,
    });
    const body = (await res.json()) as ResponseJson;
    expect(body.status).toBe("incomplete");
    expect(body.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(body.output[0]?.status).toBe("incomplete");
  });
});

function types(events: ResponsesEvent[]): string[] {
  return events.map((e) => e.type);
}

function deltas(events: ResponsesEvent[], type: string): string {
  return events
    .filter((e) => e.type === type)
    .map((e) => String(e.delta))
    .join("");
}

describe("POST /v1/responses — streaming", () => {
  it.each(PROVIDERS)("streams the documented event sequence through %s", async (model) => {
    const res = await postJson("/v1/responses", { model, input: `stream ${nonce()}`, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await responsesEvents(res);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const t = types(events);
    expect(t.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(t.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const text = deltas(events, "response.output_text.delta");
    expect(text).toContain("echo:");
    expect(events.find((e) => e.type === "response.output_text.done")?.text).toBe(text);
    const done = events.at(-1)?.response as ResponseJson;
    expect(done.status).toBe("completed");
    expect(outputText(done)).toBe(text);
    expect(done.usage?.output_tokens).toBeGreaterThan(0);
    const created = events[0]?.response as ResponseJson;
    expect(created).toMatchObject({ id: done.id, status: "in_progress", output: [] });
  });

  it.each(PROVIDERS)("streams function call arguments through %s", async (model) => {
    const res = await postJson("/v1/responses", {
      model,
      input: `stream a call ${nonce()}`,
      tools: [toolDef("lookup")],
      stream: true,
    });
    const events = await responsesEvents(res);
    const t = types(events);
    expect(t).toContain("response.function_call_arguments.delta");
    const added = events.find((e) => e.type === "response.output_item.added");
    expect(added?.item).toMatchObject({ type: "function_call", name: "lookup", arguments: "", status: "in_progress" });
    const args = deltas(events, "response.function_call_arguments.delta");
    const argsDone = events.find((e) => e.type === "response.function_call_arguments.done");
    expect(argsDone).toMatchObject({ arguments: args, name: "lookup" });
    expect(JSON.parse(args)).toHaveProperty("query");
    const done = events.at(-1)?.response as ResponseJson;
    expect(done.status).toBe("completed");
    expect(functionCalls(done)[0]).toMatchObject({ arguments: args, status: "completed" });
  });

  it("reports a stream that fails after it started as error, then response.failed", async () => {
    const res = await postJson("/v1/responses", { model: "m-drop", input: `drop ${nonce()}`, stream: true });
    expect(res.status).toBe(200);
    const events = await responsesEvents(res);
    const t = types(events);
    expect(t).toContain("response.output_text.delta");
    expect(t.slice(-2)).toEqual(["error", "response.failed"]);
    expect(events.at(-2)).toMatchObject({ code: expect.stringMatching(/^upstream_/), message: expect.any(String) });
    const failed = events.at(-1)?.response as ResponseJson;
    expect(failed.status).toBe("failed");
    expect(failed.error?.code).toMatch(/^upstream_/);
  });
});
