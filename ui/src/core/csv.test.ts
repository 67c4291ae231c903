import { describe, expect, it } from "vitest";

import { csvCells, csvChunks, csvLine, csvRecords } from "./csv";

describe("CSV", () => {
  it("splits records, keeping line breaks and commas inside quotes", () => {
    const text = 'name,message\r\nAda,"Hello, world"\n"Bo","two\nlines"\n\n"Cy ""the"" one",x\n';
    const records = csvRecords(text);
    expect(records).toHaveLength(4);
    expect(csvCells(records[1]!)).toEqual(["Ada", "Hello, world"]);
    expect(csvCells(records[2]!)).toEqual(["Bo", "two\nlines"]);
    expect(csvCells(records[3]!)).toEqual(['Cy "the" one', "x"]);
  });

  it("chunks the data rows, each chunk with the header", () => {
    const text = "\uFEFFa,b\n1,2\n3,4\n5,6\n";
    const { header, chunks } = csvChunks(text, 2);
    expect(header).toBe("a,b");
    expect(chunks).toEqual([["1,2", "3,4"], ["5,6"]]);
  });

  it("writes cells so that they read back the same", () => {
    const cells = ["plain", 'with "quotes"', "a,b", "two\nlines", 42, null];
    const line = csvLine(cells);
    expect(csvCells(csvRecords(`${line}\n`)[0]!)).toEqual([
      "plain",
      'with "quotes"',
      "a,b",
      "two\nlines",
      "42",
      "",
    ]);
  });
});
