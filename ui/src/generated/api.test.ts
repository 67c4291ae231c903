import { describe, expect, it } from "vitest";

import { generateFromDisk, readCommitted } from "../../scripts/gen-types.mjs";

describe("generated API types", () => {
  it("are up to date with schema/api.schema.json (run `npm run gen:types` when this fails)", async () => {
    expect(await readCommitted()).toBe(await generateFromDisk());
  }, 30_000);
});
