import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Backend,
  chat,
  chatBody,
  entriesOf,
  makeBackend,
  newAccount,
  readThenDisconnect,
  requestIdOf,
  settled,
  sleep,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";

/** Review findings on the streamed tool loop (test/fixtures/policies/tool-loop.yaml). */

const GATEWAY_TOOLS = [{ type: "function", function: { name: "get_weather" } }];

let b: Backend;

beforeAll(async () => {
  b = await makeBackend("durable-object");
});

describe("streamed tool loop: a client that goes away", () => {
  it.each([1, 2, 3])(
    "every turn's hold is resolved exactly once (disconnect after %i events)",
    async (events) => {
      const account: Account = await newAccount(b, 50_000_000, "t-tool-loop");
      const body = chatBody("loop-forever", `gone ${nonce("loop-gone")}`, { tools: GATEWAY_TOOLS, stream: true });
      const res = await chat(b, account, body);
      expect(res.status).toBe(200);
      const id = requestIdOf(res);
      await readThenDisconnect(res, events);
      // Every hold the loop opened (turns and tool calls) must be settled or voided, promptly: not left to expire and
      // be billed at the whole hold. Disconnecting while a tool runs used to leave the tool's hold (and the loop) behind.
      await settled(b, account, 5_000);
      await sleep(300);
      for (const rid of [id, `${id}.t2`, `${id}.t3`, `${id}.tool1`, `${id}.tool2`]) {
        const entries = await entriesOf(b, account, rid);
        if (entries.length === 0) continue;
        expect(entries.map((e) => e.type)).toEqual(["reserve", expect.stringMatching(/^(settle|void)$/)]);
      }
    },
    20_000,
  );
});
