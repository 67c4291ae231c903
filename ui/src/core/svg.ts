// The graph as a standalone SVG picture for documents (no fonts or images to fetch).
import type { Catalog } from "./catalog";
import { isStep, type CanvasEdge, type CanvasNode } from "./canvas";
import { nodeShape } from "./nodeShape";

const COLORS: Record<string, string> = {
  triggers: "#d97706",
  flow: "#6d28d9",
  data: "#0f766e",
  actions: "#2563eb",
  ai: "#c026d3",
  utilities: "#64748b",
};

function esc(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/)) {
      if ((line + " " + word).trim().length > width) {
        if (line) lines.push(line);
        line = word;
      } else line = (line + " " + word).trim();
    }
    lines.push(line);
  }
  return lines;
}

export function graphToSvg(
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
  catalog: Catalog,
  title?: string,
): string {
  const boxes = new Map<
    string,
    { x: number; y: number; w: number; h: number; outs: Map<string, number>; inY: number | null }
  >();
  for (const n of nodes) {
    if (isStep(n)) {
      const shape = nodeShape(catalog.get(n.data.kind), n.data.params);
      boxes.set(n.id, {
        x: n.position.x,
        y: n.position.y,
        w: shape.width,
        h: shape.height,
        outs: new Map(shape.outputs.map((o) => [o.port.name, o.y])),
        inY: shape.inputY,
      });
    } else {
      const w = n.width ?? n.data.size?.width ?? 240;
      const h = n.height ?? n.data.size?.height ?? 120;
      boxes.set(n.id, { x: n.position.x, y: n.position.y, w, h, outs: new Map(), inY: null });
    }
  }
  const pad = 32;
  const head = title ? 40 : 0;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const b of boxes.values()) {
    minX = Math.min(minX, b.x);
    minY = Math.min(minY, b.y);
    maxX = Math.max(maxX, b.x + b.w);
    maxY = Math.max(maxY, b.y + b.h);
  }
  if (!Number.isFinite(minX)) ((minX = 0), (minY = 0), (maxX = 200), (maxY = 100));
  const width = Math.ceil(maxX - minX + 2 * pad);
  const height = Math.ceil(maxY - minY + 2 * pad + head);
  const ox = pad - minX;
  const oy = pad + head - minY;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif">`,
    `<rect width="100%" height="100%" fill="#f6f7fb"/>`,
  );
  if (title)
    out.push(
      `<text x="${pad}" y="${pad + 8}" font-size="18" font-weight="700" fill="#1b1f2e">${esc(title)}</text>`,
    );

  for (const n of nodes) {
    if (isStep(n)) continue;
    const b = boxes.get(n.id)!;
    out.push(`<g transform="translate(${b.x + ox} ${b.y + oy})">`);
    out.push(`<rect width="${b.w}" height="${b.h}" rx="6" fill="#fef9c3" stroke="#eed97a"/>`);
    wrap(n.data.text, Math.floor(b.w / 7))
      .slice(0, Math.floor((b.h - 12) / 16))
      .forEach((line, i) => {
        out.push(
          `<text x="10" y="${20 + i * 16}" font-size="12" fill="#4a3f0b">${esc(line)}</text>`,
        );
      });
    out.push(`</g>`);
  }

  for (const e of edges) {
    const s = boxes.get(e.source);
    const t = boxes.get(e.target);
    if (!s || !t) continue;
    const port = e.sourceHandle ?? "out";
    const x1 = s.x + s.w + ox;
    const y1 = s.y + (s.outs.get(port) ?? s.h / 2) + oy;
    const x2 = t.x + ox;
    const y2 = t.y + (t.inY ?? t.h / 2) + oy;
    const dx = Math.max(40, Math.abs(x2 - x1) / 2);
    const color = port === "error" ? "#b91c1c" : "#8a93ab";
    out.push(
      `<path d="M${x1} ${y1} C${x1 + dx} ${y1} ${x2 - dx} ${y2} ${x2} ${y2}" fill="none" stroke="${color}" stroke-width="1.6"${port === "error" ? ' stroke-dasharray="5 4"' : ""}/>`,
      `<path d="M${x2} ${y2} l-7 -4 v8 z" fill="${color}"/>`,
    );
  }

  for (const n of nodes) {
    if (!isStep(n)) continue;
    const b = boxes.get(n.id)!;
    const d = catalog.get(n.data.kind);
    const color = COLORS[d?.category ?? "utilities"] ?? "#64748b";
    out.push(`<g transform="translate(${b.x + ox} ${b.y + oy})">`);
    out.push(`<rect width="${b.w}" height="${b.h}" rx="10" fill="#ffffff" stroke="#c8cdda"/>`);
    out.push(`<rect width="4" height="${b.h - 16}" y="8" rx="2" fill="${color}"/>`);
    out.push(
      `<text x="16" y="24" font-size="13" font-weight="650" fill="#1b1f2e">${esc(clip(n.data.name || n.id, 28))}</text>`,
    );
    out.push(
      `<text x="16" y="42" font-size="11" fill="#5d6478">${esc(d?.title ?? n.data.kind)}</text>`,
    );
    if (b.inY !== null)
      out.push(
        `<circle cx="0" cy="${b.inY}" r="4" fill="#ffffff" stroke="#8a93ab" stroke-width="1.5"/>`,
      );
    for (const [name, y] of b.outs) {
      const portColor = name === "error" ? "#b91c1c" : "#8a93ab";
      if (b.outs.size > 1 || name !== "out") {
        const label =
          d && name === "error"
            ? "On error"
            : name === "out"
              ? "Output"
              : name === "default"
                ? "Default"
                : name === "true"
                  ? "True"
                  : name === "false"
                    ? "False"
                    : name;
        out.push(
          `<text x="${b.w - 12}" y="${y + 4}" font-size="11" text-anchor="end" fill="${portColor}">${esc(label)}</text>`,
        );
      }
      out.push(
        `<circle cx="${b.w}" cy="${y}" r="4" fill="#ffffff" stroke="${portColor}" stroke-width="1.5"/>`,
      );
    }
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}
