import type { NodeTypes } from "@xyflow/react";

import { NoteNodeView } from "./NoteNodeView";
import { StepNodeView } from "./StepNodeView";

/** Defined once at module level, so React Flow never sees a new object. */
export const nodeTypes: NodeTypes = { step: StepNodeView, note: NoteNodeView };
