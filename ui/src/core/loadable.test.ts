import { describe, expect, it } from "vitest";

import { failed, ready } from "./loadable";

describe("Loadable", () => {
  it("wraps a value", () => {
    expect(ready(42)).toEqual({ state: "ready", value: 42 });
  });

  it("keeps the code and message of an error", () => {
    const error = Object.assign(new Error("offline"), { code: "http_api_unavailable" });
    expect(failed(error)).toEqual({
      state: "failed",
      code: "http_api_unavailable",
      message: "offline",
    });
  });

  it("describes errors without a code", () => {
    expect(failed("boom")).toEqual({ state: "failed", code: "unknown", message: "boom" });
    expect(failed(new Error("bad"))).toEqual({ state: "failed", code: "unknown", message: "bad" });
  });
});
