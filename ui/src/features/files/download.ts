import { saveExportNatively } from "../../api/backend";
import type { ExportKind } from "../../generated/api";

const MIME: Record<ExportKind, string> = {
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  csv: "text/csv",
};

/**
 * Offers an export to the user: the native save dialog in the desktop app (WebKitGTK ignores
 * `<a download>`), a download in a browser. The path written (desktop), or null.
 */
export async function offerExport(
  name: string,
  kind: ExportKind,
  data: string | Blob,
): Promise<string | null> {
  const contents =
    typeof data === "string" ? data : kind === "png" ? await blobToBase64(data) : await data.text();
  const saved = await saveExportNatively({ suggested_name: name, contents, kind });
  if (saved !== undefined) return saved;
  downloadBlob(name, typeof data === "string" ? new Blob([data], { type: MIME[kind] }) : data);
  return null;
}

async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Asks the user for a file and returns its text (null when they cancel). */
export function pickTextFile(accept: string): Promise<{ name: string; text: string } | null> {
  return new Promise((resolve) => {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = accept;
    input.onchange = () => {
      const file = input.files?.[0];
      if (!file) return resolve(null);
      file.text().then(
        (text) => resolve({ name: file.name, text }),
        () => resolve(null),
      );
    };
    input.addEventListener("cancel", () => resolve(null));
    input.click();
  });
}
