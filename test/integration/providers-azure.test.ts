import { describe, expect, it } from "vitest";
import { nonce, postJson, readSse, upstreamRequests, userMessage } from "../helpers/gateway";

/** Azure OpenAI through the gateway: both URL surfaces, both credentials, content-filter refusals and throttling. */

interface ChatBody {
  choices: { message: { content: string | null }; finish_reason: string }[];
}

interface Recorded {
  path: string;
  search?: string;
  headers: Record<string, string>;
  body: unknown;
}

describe("Azure OpenAI", () => {
  it("calls the deployment surface with api-version and the api-key header, mapping model -> deployment", async () => {
    const n = nonce("azure");
    const res = await postJson("/v1/chat/completions", { model: "m-azure", messages: userMessage(`hi ${n}`) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ChatBody).choices[0]?.message.content).toContain(`echo: hi ${n}`);
    const [seen] = (await upstreamRequests(n)) as Recorded[];
    expect(seen?.path).toBe("/azure/openai/deployments/prod-4o-mini/chat/completions");
    expect(seen?.search).toBe("?api-version=2024-10-21");
    expect(seen?.headers["api-key"]).toBe("fake-azure-api-key-3c9d");
    expect(seen?.headers.authorization).toBeUndefined();
  });

  it("calls the v1 surface with an Entra ID bearer token, deployment in `model`, and streams", async () => {
    const n = nonce("azure-v1");
    const res = await postJson("/v1/chat/completions", {
      model: "m-azure-v1",
      stream: true,
      messages: userMessage(`hi ${n}`),
    });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const [seen] = (await upstreamRequests(n)) as Recorded[];
    expect(seen?.path).toBe("/azure/openai/v1/chat/completions");
    expect(seen?.search).toBe("");
    expect(seen?.headers.authorization).toBe("Bearer fake-entra-bearer-token-71aa");
    expect((seen?.body as { model?: string } | undefined)?.model).toBe("gpt-4o-mini-v1");
  });

  it("maps Azure's prompt content-filter refusal (400 content_filter) to content_filtered", async () => {
    const n = nonce("azure-cf");
    const res = await postJson("/v1/chat/completions", { model: "m-azure-prompt-filtered", messages: userMessage(n) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; type: string; param: string; message: string } };
    expect(body.error).toMatchObject({ code: "content_filtered", type: "invalid_request_error", param: "prompt" });
    // Our own message, not Azure's text.
    expect(body.error.message).not.toContain("Please modify your prompt");
  });

  it("passes a filtered answer through with finish_reason content_filter", async () => {
    const res = await postJson("/v1/chat/completions", {
      model: "m-azure-output-filtered",
      messages: userMessage(nonce()),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ChatBody).choices[0]?.finish_reason).toBe("content_filter");
  });

  it("falls back to the next target when Azure throttles (429)", async () => {
    const n = nonce("azure-429");
    const res = await postJson("/v1/chat/completions", { model: "m-azure-throttled", messages: userMessage(n) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("fake-bedrock");
    const seen = (await upstreamRequests(n)) as Recorded[];
    expect(seen.map((r) => r.path)).toEqual([
      "/azure/openai/deployments/gpt-4o;status=429/chat/completions",
      "/bedrock/model/amazon.nova-lite-v1:0/converse",
    ]);
  });

  it("embeds through the deployment surface", async () => {
    const n = nonce("azure-embed");
    const res = await postJson("/v1/embeddings", { model: "m-azure-embed", input: [`a ${n}`, "b"] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { embedding: number[] }[]; usage: { prompt_tokens: number } };
    expect(body.data).toHaveLength(2);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    const [seen] = (await upstreamRequests(n)) as Recorded[];
    expect(seen?.path).toBe("/azure/openai/deployments/text-embedding-3-small/embeddings");
    expect(seen?.search).toBe("?api-version=2024-10-21");
  });
});
