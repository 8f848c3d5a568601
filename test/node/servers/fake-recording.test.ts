import { request } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeUpstream, type RecordedRequest, startFakeUpstream } from "../../servers/fake-upstream";
import { openAiClient, postJson, userChat } from "./helpers";

/**
 * POSTs `body` and resolves with the response status as soon as it arrives: the server answers 413 while the upload
 * is still going, and fetch may then report the broken upload instead of the response. An error before any response
 * rejects (the test fails).
 */
function postStatus(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body);
  });
}

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

async function listOverHttp(query = ""): Promise<RecordedRequest[]> {
  const res = await fetch(`${fake.url}/__requests${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as RecordedRequest[];
}

describe("recording", () => {
  it("records method, path, lower-case headers, parsed body and time for every request", async () => {
    const before = Date.now();
    await openAiClient(`${fake.url}/v1`, { "X-Tenant-Trace": "abc" }).chat.completions.create(userChat("record me"));
    const [req] = fake.requests();
    expect(req).toMatchObject({ method: "POST", path: "/v1/chat/completions", search: "" });
    expect(req?.headers.authorization).toBe("Bearer sk-test-key");
    expect(req?.headers["x-tenant-trace"]).toBe("abc");
    expect(req?.body).toEqual(userChat("record me"));
    expect(req?.receivedAt).toBeGreaterThanOrEqual(before);
  });

  it("keeps the Gemini query string and key header", async () => {
    await postJson(
      `${fake.url}/gemini/v1beta/models/g:streamGenerateContent?alt=sse`,
      { contents: [{ parts: [{ text: "x" }] }] },
      { "x-goog-api-key": "gk" },
    );
    const [req] = fake.requests();
    expect(req?.path).toBe("/gemini/v1beta/models/g:streamGenerateContent");
    expect(req?.search).toBe("?alt=sse");
    expect(req?.headers["x-goog-api-key"]).toBe("gk");
  });

  it("serves the record over HTTP, filtered by body substring or path, and clears it with DELETE", async () => {
    await postJson(`${fake.url}/v1/chat/completions`, userChat("alpha needle"));
    await postJson(`${fake.url}/v1/chat/completions`, userChat("beta"));
    await postJson(`${fake.url}/v1/embeddings`, { model: "fake-embed", input: "needle too" });

    expect(await listOverHttp()).toHaveLength(3);
    const needles = await listOverHttp("?contains=needle");
    expect(needles.map((r) => r.path)).toEqual(["/v1/chat/completions", "/v1/embeddings"]);
    expect(await listOverHttp(`?contains=needle&path=${encodeURIComponent("/v1/embeddings")}`)).toHaveLength(1);
    // Control calls are not recorded themselves.
    expect(fake.requests()).toHaveLength(3);

    const del = await fetch(`${fake.url}/__requests`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(await listOverHttp()).toEqual([]);
  });
});

describe("robustness", () => {
  it("answers unknown paths with a 404 JSON body and records them", async () => {
    const res = await fetch(`${fake.url}/v2/unknown?x=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { type: "not_found" } });
    expect(fake.requests()[0]).toMatchObject({ method: "GET", path: "/v2/unknown", body: null });
  });

  it("answers non-JSON and ill-typed bodies with the provider's 400 and keeps the raw text", async () => {
    const bad = await fetch(`${fake.url}/v1/chat/completions`, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(fake.requests()[0]?.body).toBe("{not json");

    const empty = await fetch(`${fake.url}/anthropic/v1/messages`, { method: "POST" });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });

    const typed = await postJson(`${fake.url}/v1/chat/completions`, { model: 42, messages: "no" });
    expect(typed.status).toBe(400);
    const arr = await postJson(`${fake.url}/gemini/v1beta/models/g:generateContent`, [1, 2, 3]);
    expect(arr.status).toBe(400);
  });

  it("refuses an oversized body with 413 and keeps serving", async () => {
    const huge = "x".repeat(9 * 1024 * 1024);
    expect(await postStatus(`${fake.url}/v1/chat/completions`, huge)).toBe(413);
    const ok = await postJson(`${fake.url}/v1/chat/completions`, userChat("still alive"));
    expect(ok.status).toBe(200);
  });

  it("closes promptly even with a slow stream in flight", async () => {
    const other = await startFakeUpstream();
    const res = await postJson(`${other.url}/v1/chat/completions`, {
      ...userChat("x", "fake-small;chunk_delay_ms=5000;tokens=50"),
      stream: true,
    });
    const reader = res.body?.getReader();
    await reader?.read();
    await other.close();
    await expect(reader?.read()).rejects.toThrow();
  });
});
