// CSV for batch tests: split text into records (quotes, doubled quotes and line breaks inside
// quotes understood), and write result tables. The backend types the cells and maps columns.

/** The records of CSV text, each as its raw text (so a chunk can be sent on as CSV). */
export function csvRecords(text: string): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) {
      const record = text.slice(start, i);
      if (c === "\r" && text[i + 1] === "\n") i++;
      if (record.trim() !== "") records.push(record);
      start = i + 1;
    }
  }
  const last = text.slice(start);
  if (last.trim() !== "") records.push(last);
  return records;
}

/** The cells of one record. */
export function csvCells(record: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i];
    if (quoted) {
      if (c === '"' && record[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

/** One CSV line: cells quoted when they need it. */
export function csvLine(cells: readonly unknown[]): string {
  return cells
    .map((v) => {
      const text =
        v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(",");
}

/** Splits the data records (header excluded) into chunks of `size`, each with the header. */
export function csvChunks(text: string, size: number): { header: string; chunks: string[][] } {
  const [header = "", ...rows] = csvRecords(text.replace(/^\uFEFF/, ""));
  const chunks: string[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return { header, chunks };
}
