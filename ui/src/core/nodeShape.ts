// The geometry of a step node, shared by the canvas (where handles go) and the SVG export.
import type { Descriptor, Port } from "../generated/api";
import { outputPorts } from "./catalog";

export const NODE_WIDTH = 200;
export const HEADER_HEIGHT = 56;
export const ROW_HEIGHT = 24;
export const ROWS_PADDING = 8;

export interface NodeShape {
  width: number;
  height: number;
  /** Vertical centre of the input handle, or null for triggers. */
  inputY: number | null;
  /** Output ports and the vertical centre of each handle. */
  outputs: { port: Port; y: number }[];
  /** Whether outputs are listed as labelled rows (else one unlabelled handle in the header). */
  rows: boolean;
}

export function nodeShape(
  descriptor: Descriptor | undefined,
  params: Record<string, unknown>,
): NodeShape {
  const ports = descriptor ? outputPorts(descriptor, params) : [];
  const inputY = descriptor && descriptor.inputs.length === 0 ? null : HEADER_HEIGHT / 2;
  const rows = !(ports.length === 1 && ports[0]!.name === "out") && ports.length > 0;
  if (!rows) {
    return {
      width: NODE_WIDTH,
      height: HEADER_HEIGHT,
      inputY,
      outputs: ports.map((port) => ({ port, y: HEADER_HEIGHT / 2 })),
      rows,
    };
  }
  return {
    width: NODE_WIDTH,
    height: HEADER_HEIGHT + ports.length * ROW_HEIGHT + ROWS_PADDING,
    inputY,
    outputs: ports.map((port, i) => ({ port, y: HEADER_HEIGHT + i * ROW_HEIGHT + ROW_HEIGHT / 2 })),
    rows,
  };
}
