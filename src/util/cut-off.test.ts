import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCutOff, spanSeconds } from "./cut-off.ts";

describe("cut-offs for --exclude-newer", () => {
  it("read spans as uv reads them: words, units alone or together, and ISO 8601 durations", () => {
    assert.equal(spanSeconds("7 days"), 7 * 86400);
    assert.equal(spanSeconds("24 hours"), 86400);
    assert.equal(spanSeconds("1 week"), 604800);
    assert.equal(spanSeconds("1 week 2 days"), 9 * 86400);
    assert.equal(spanSeconds("1 week, 2 days"), 9 * 86400);
    assert.equal(spanSeconds("30d"), 30 * 86400);
    assert.equal(spanSeconds("90 MINUTES"), 5400);
    assert.equal(spanSeconds("P7D"), 7 * 86400);
    assert.equal(spanSeconds("PT24H"), 86400);
    assert.equal(spanSeconds("P1W2DT3H4M5S"), 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    // Months and years vary in length: no spans, as in uv; nor is anything else.
    for (const text of [
      "1 month",
      "2 years",
      "P1M",
      "P1Y",
      "P",
      "PT",
      "7",
      "days",
      "7 fortnights",
      "",
      "1 week tomorrow",
    ])
      assert.equal(spanSeconds(text), null, text);
  });

  it("take dates, times, spans back from now, and false for none", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    assert.equal(parseCutOff("7 days", now), "2026-11-23T12:00:00.000Z");
    assert.equal(parseCutOff("P1D", now), "2026-11-29T12:00:00.000Z");
    assert.equal(parseCutOff("2024-01-31", now), "2024-01-31T00:00:00.000Z");
    assert.equal(parseCutOff("2024-01-31T10:00:00+02:00", now), "2024-01-31T08:00:00.000Z");
    assert.equal(parseCutOff("false", now), null);
    for (const text of ["not-a-date", "2024", "1 month", ""])
      assert.equal(parseCutOff(text, now), undefined, text);
  });
});
