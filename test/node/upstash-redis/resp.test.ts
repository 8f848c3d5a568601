import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisProcess, startRedisServer } from "../../servers/upstash-redis";
import {
  createRespClient,
  encodeCommand,
  parseReply,
  RespConnectionError,
  RespError,
  type RespValue,
} from "../../servers/upstash-redis/resp";

const bytes = (text: string) => Buffer.from(text, "latin1");

function parseAll(text: string): RespValue | undefined {
  return parseReply(bytes(text), 0)?.value;
}

describe("parseReply", () => {
  it("reads every RESP2 type raw", () => {
    expect(parseAll("+OK\r\n")).toEqual(bytes("OK"));
    expect(parseAll("-ERR bad thing\r\n")).toEqual(new RespError("ERR bad thing"));
    expect(parseAll(":-42\r\n")).toBe(-42);
    expect(parseAll("$5\r\na\r\nbc\r\n")).toEqual(bytes("a\r\nbc"));
    expect(parseAll("$0\r\n\r\n")).toEqual(Buffer.alloc(0));
    expect(parseAll("$-1\r\n")).toBeNull();
    expect(parseAll("*-1\r\n")).toBeNull();
    expect(parseAll("*0\r\n")).toEqual([]);
    expect(parseAll("*3\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n-NOSCRIPT nope\r\n")).toEqual([
      1,
      [bytes("x"), null],
      new RespError("NOSCRIPT nope"),
    ]);
  });

  it("keeps integers beyond 2^53 exact as bigint", () => {
    expect(parseAll(":9007199254740993\r\n")).toBe(9007199254740993n);
    expect(parseAll(":9007199254740991\r\n")).toBe(9007199254740991);
  });

  it("keeps non-UTF-8 bytes as they are", () => {
    const reply = Buffer.concat([bytes("$3\r\n"), Buffer.from([0xff, 0x00, 0x80]), bytes("\r\n")]);
    expect(parseReply(reply, 0)?.value).toEqual(Buffer.from([0xff, 0x00, 0x80]));
  });

  it("returns undefined for every incomplete prefix, and the next offset when complete", () => {
    const full = "*2\r\n$3\r\nabc\r\n:7\r\n";
    for (let i = 0; i < full.length; i++) expect(parseReply(bytes(full.slice(0, i)), 0)).toBeUndefined();
    expect(parseReply(bytes(`${full}+NEXT\r\n`), 0)?.next).toBe(full.length);
  });

  it("encodes commands as RESP arrays of bulk strings, counting bytes not characters", () => {
    expect(encodeCommand(["SET", "k", "\u00e9"]).toString("latin1")).toBe(
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\u00c3\u00a9\r\n",
    );
  });
});

describe("createRespClient against a real redis", () => {
  let proc: RedisProcess;

  beforeAll(async () => {
    proc = await startRedisServer();
  });

  afterAll(async () => {
    await proc.dispose();
  });

  it("pipelines commands and returns raw replies, HGETALL as a flat array", async () => {
    const resp = createRespClient(proc);
    try {
      const replies = await resp.send([
        ["DEL", "h"],
        ["HSET", "h", "f", "v"],
        ["HGETALL", "h"],
        ["GET", "nope"],
        ["HGET"],
      ]);
      expect(replies.slice(0, 4)).toEqual([0, 1, [bytes("f"), bytes("v")], null]);
      expect(replies[4]).toBeInstanceOf(RespError);
      expect(await resp.send([])).toEqual([]);
    } finally {
      resp.close();
    }
  });

  it("fails in-flight and new commands with a connection error while redis is gone, reconnects after", async () => {
    const resp = createRespClient(proc);
    try {
      await resp.send([["SET", "persist", "1"]]);
      // Caught at once: it rejects while the test is still awaiting the stop.
      const blocked = resp.send([["BLPOP", "never", "0"]]).catch((error: unknown) => error);
      await proc.stop();
      expect(await blocked).toBeInstanceOf(RespConnectionError);
      await expect(resp.send([["PING"]])).rejects.toBeInstanceOf(RespConnectionError);
      await proc.restart();
      expect(await resp.send([["GET", "persist"]])).toEqual([bytes("1")]);
    } finally {
      resp.close();
    }
  });

  it("rejects after close", async () => {
    const resp = createRespClient(proc);
    resp.close();
    await expect(resp.send([["PING"]])).rejects.toBeInstanceOf(RespConnectionError);
  });
});
