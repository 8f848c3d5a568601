import type { Index } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalUpstashVector, startUpstashVector } from "../../servers/upstash-vector";
import { atAngle, client } from "./helpers";

const DIM = 4;
let local: LocalUpstashVector;
let index: Index;

/** Metadata shaped like Upstash's filtering docs, with a few variations to tell operators apart. */
const CITIES: Record<string, Record<string, unknown>> = {
  istanbul: {
    city: "Istanbul",
    country: "Turkey",
    is_capital: false,
    population: 15460000,
    geography: { continent: "Asia", coordinates: { latitude: 41.0082 } },
    economy: { currency: "TRY", major_industries: ["Tourism", "Textiles", "Finance"] },
  },
  ankara: {
    city: "Ankara",
    country: "Turkey",
    is_capital: true,
    population: 5663000,
    geography: { continent: "Asia", coordinates: { latitude: 39.9334 } },
    economy: { currency: "TRY", major_industries: ["Defense", "Finance"] },
  },
  paris: {
    city: "Paris",
    country: "France",
    is_capital: true,
    population: 2161000,
    geography: { continent: "Europe" },
    economy: { currency: "EUR", major_industries: ["Tourism", "Fashion"] },
  },
  lyon: { city: "Lyon", country: "France", is_capital: false, population: 516000, note: null },
};

beforeAll(async () => {
  local = await startUpstashVector({ dimensions: DIM });
  index = client(local);
  await index.upsert(
    Object.entries(CITIES).map(([id, metadata], i) => ({ id, vector: atAngle(i * 20, DIM), metadata })),
    { namespace: "cities" },
  );
});

afterAll(async () => {
  await local.close();
});

async function matching(filter: string): Promise<string[]> {
  const hits = await index.namespace("cities").query({ vector: atAngle(0, DIM), topK: 10, filter });
  return hits.map((h) => String(h.id)).sort();
}

describe("filters through the client", () => {
  it.each([
    ["country = 'Turkey'", ["ankara", "istanbul"]],
    ['country = "France"', ["lyon", "paris"]],
    ["is_capital = true", ["ankara", "paris"]],
    ["population = 516000", ["lyon"]],
    ["country != 'Turkey'", ["lyon", "paris"]],
    ["population < 2161000", ["lyon"]],
    ["population <= 2161000", ["lyon", "paris"]],
    ["population > 5663000", ["istanbul"]],
    ["population >= 5663000", ["ankara", "istanbul"]],
    ["geography.coordinates.latitude > 40", ["istanbul"]],
    ["city IN ('Paris', 'Lyon', 'Rome')", ["lyon", "paris"]],
    ["population IN (516000, 1)", ["lyon"]],
    ["city NOT IN ('Paris', 'Lyon')", ["ankara", "istanbul"]],
    ["city GLOB '*an*'", ["istanbul"]],
    ["city GLOB 'an*'", []],
    ["city GLOB '[AP]*'", ["ankara", "paris"]],
    ["city GLOB 'L?on'", ["lyon"]],
    ["city NOT GLOB '*a*'", ["lyon"]],
    ["economy.major_industries CONTAINS 'Tourism'", ["istanbul", "paris"]],
    ["economy.major_industries NOT CONTAINS 'Tourism'", ["ankara"]],
    ["economy.major_industries[0] = 'Defense'", ["ankara"]],
    ["economy.major_industries[#-1] = 'Finance'", ["ankara", "istanbul"]],
    ["HAS FIELD geography.coordinates", ["ankara", "istanbul"]],
    ["HAS NOT FIELD economy", ["lyon"]],
    ["HAS FIELD note", ["lyon"]],
    ["country = 'Turkey' AND is_capital = false", ["istanbul"]],
    ["city = 'Lyon' OR population > 10000000", ["istanbul", "lyon"]],
    ["country = 'France' OR country = 'Turkey' AND is_capital = true", ["ankara", "lyon", "paris"]],
    ["(country = 'France' OR country = 'Turkey') AND is_capital = true", ["ankara", "paris"]],
    ["geography.continent = 'Asia' and economy.currency = 'TRY' and population >= 5663000", ["ankara", "istanbul"]],
    ["population > 'big' OR city = 'Paris'", "error"],
    ["country = 'Nowhere'", []],
  ])("%s", async (filter, expected) => {
    if (expected === "error") {
      await expect(matching(filter)).rejects.toThrow(/Invalid filter/);
      return;
    }
    expect(await matching(filter)).toEqual(expected);
  });

  it("comparisons never match a field of another type or a missing one", async () => {
    expect(await matching("country > 1")).toEqual([]);
    expect(await matching("city CONTAINS 'Paris'")).toEqual([]);
    expect(await matching("population GLOB '*'")).toEqual([]);
    expect(await matching("missing != 'x'")).toEqual([]);
  });

  it("filtered queries keep their score order and topK", async () => {
    const hits = await index
      .namespace("cities")
      .query({ vector: atAngle(0, DIM), topK: 1, filter: "country = 'France'", includeMetadata: true });
    expect(hits).toHaveLength(1);
    expect(hits[0]?.id).toBe("paris");
    expect(hits[0]?.metadata?.city).toBe("Paris");
  });

  it("a quote in a value is data, not SQL", async () => {
    await index.namespace("quotes").upsert({ id: "q", vector: atAngle(0, DIM), metadata: { name: "O'Brien" } });
    const hits = await index
      .namespace("quotes")
      .query({ vector: atAngle(0, DIM), topK: 5, filter: `name = "O'Brien" OR name = 'x\\'; DROP TABLE t; --'` });
    expect(hits.map((h) => h.id)).toEqual(["q"]);
  });
});
