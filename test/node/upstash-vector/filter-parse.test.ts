import { describe, expect, it } from "vitest";
import { parseFilter } from "../../servers/upstash-vector/filter-parse";
import { filterToSql, globToRegex, SqlParams } from "../../servers/upstash-vector/filter-sql";

describe("parseFilter", () => {
  it("gives AND precedence over OR and honours parentheses", () => {
    const flat = parseFilter("a = 1 OR b = 2 AND c = 3");
    expect(flat).toMatchObject({ ok: true, filter: { kind: "or", operands: [{ kind: "compare" }, { kind: "and" }] } });
    const grouped = parseFilter("(a = 1 OR b = 2) and c = 3");
    expect(grouped).toMatchObject({
      ok: true,
      filter: { kind: "and", operands: [{ kind: "or" }, { kind: "compare" }] },
    });
  });

  it("reads dotted paths, array indexes and every literal kind", () => {
    const parsed = parseFilter(`geo.city[0] = 'x' AND tags[#-1] != "y" AND n >= -1.5e2 AND f = TRUE`);
    expect(parsed).toEqual({
      ok: true,
      filter: {
        kind: "and",
        operands: [
          { kind: "compare", op: "=", path: ["geo", "city", 0], value: "x" },
          { kind: "compare", op: "!=", path: ["tags", -1], value: "y" },
          { kind: "compare", op: ">=", path: ["n"], value: -150 },
          { kind: "compare", op: "=", path: ["f"], value: true },
        ],
      },
    });
  });

  it("reads the word operators, negated or not", () => {
    expect(parseFilter("a NOT IN (1, 'b')")).toMatchObject({ filter: { kind: "in", negated: true, values: [1, "b"] } });
    expect(parseFilter("a glob 'x*'")).toMatchObject({ filter: { kind: "glob", negated: false, pattern: "x*" } });
    expect(parseFilter("a NOT CONTAINS 3")).toMatchObject({ filter: { kind: "contains", negated: true, value: 3 } });
    expect(parseFilter("HAS NOT FIELD a.b")).toMatchObject({
      filter: { kind: "has", negated: true, path: ["a", "b"] },
    });
    expect(parseFilter("name = 'it\\'s'")).toMatchObject({ filter: { value: "it's" } });
  });

  it.each([
    ["a = ", /literal/],
    ["a < 'x'", /numbers only/],
    ["a GLOB 3", /string pattern/],
    ["(a = 1", /'\)'/],
    ["a = 1 b = 2", /trailing/],
    ["a LIKE 'x'", /operator/],
    ["a IN ()", /literal/],
    ["a = 'open", /unterminated/],
    ["a = 1; DROP TABLE x", /unexpected character/],
    ["and = 1", /field name/],
  ])("refuses %j", (src, message) => {
    const parsed = parseFilter(src);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("refuses filters nested deeper than the limit instead of overflowing the stack", () => {
    expect(parseFilter(`${"(".repeat(100)}a = 1${")".repeat(100)}`)).toMatchObject({ ok: false });
  });
});

describe("filterToSql", () => {
  it("puts every user value in a parameter, never in the SQL text", () => {
    const ok = parseFilter(`a.b = "x'); DROP TABLE t; --" OR c GLOB '*' OR d CONTAINS 'q'`);
    if (!ok.ok) throw new Error(ok.error);
    const params = new SqlParams();
    const sql = filterToSql(ok.filter, params);
    expect(sql).not.toContain("DROP");
    expect(params.values).toContain(JSON.stringify("x'); DROP TABLE t; --"));
    expect(params.values).toContainEqual(["a", "b"]);
  });
});

describe("globToRegex", () => {
  it.each([
    ["*imgur.com*", "https://imgur.com/x", true],
    ["a?c", "abc", true],
    ["a?c", "abbc", false],
    ["[abc]x", "bx", true],
    ["[^abc]x", "bx", false],
    ["[!abc]x", "dx", true],
    ["a.c", "abc", false],
    ["A*", "abc", false],
    ["(x)+", "(x)+", true],
  ])("%j against %j is %s", (glob, text, expected) => {
    expect(new RegExp(globToRegex(glob)).test(text)).toBe(expected);
  });
});
