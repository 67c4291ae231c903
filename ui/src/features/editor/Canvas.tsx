import {
  Background,
  BackgroundVariant,
  ConnectionLineType,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type IsValidConnection,
} from "@xyflow/react";
import { useCallback, useMemo, type DragEvent } from "react";

import { isStep, type CanvasNode } from "../../core/canvas";
import { connectionProblem } from "../../core/graph";
import { edgeTaken } from "../../core/runView";
import type { NodeKind } from "../../generated/api";
import { useApp } from "../../stores/app";
import { useCatalog } from "../../stores/catalog";
import { selectEdges, selectNodes, useEditor } from "../../stores/editor";
import { useRun } from "../../stores/run";
import { nodeTypes } from "./nodes/nodeTypes";

export const DRAG_MIME = "application/x-switchyard-kind";

const defaultEdgeOptions = { type: "smoothstep" as const, pathOptions: { borderRadius: 12 } };
const proOptions = { hideAttribution: true };
const snapGrid: [number, number] = [10, 10];
const minimapStyle = { width: 168, height: 110 };

export function Canvas() {
  const nodes = useEditor(selectNodes);
  const plainEdges = useEditor(selectEdges);
  const runView = useRun((s) => s.view);
  const running = useRun((s) => s.running);
  // While a run is shown, the connections the data went along stand out.
  const edges = useMemo(
    () =>
      runView
        ? plainEdges.map((e) => {
            const taken = edgeTaken(runView, e);
            return {
              ...e,
              className: taken ? "edge--taken" : "edge--idle",
              animated: taken && running,
            };
          })
        : plainEdges,
    [plainEdges, runView, running],
  );
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const connect = useEditor((s) => s.connect);
  const addStep = useEditor((s) => s.addStep);
  const { screenToFlowPosition } = useReactFlow();

  const isValidConnection: IsValidConnection = useCallback((c: Connection | Edge) => {
    const { model } = useEditor.getState();
    if (!model) return false;
    return connectionProblem(c, model.nodes, model.edges, useCatalog.getState().catalog) === null;
  }, []);

  const onConnectEnd = useCallback((_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    // Dropped on a port that refused the connection: say why.
    if (state.isValid !== false || !state.fromNode || !state.toNode || !state.toHandle) return;
    const { model } = useEditor.getState();
    if (!model) return;
    const from = state.fromHandle?.type === "source" ? state.fromHandle : state.toHandle;
    const to = state.fromHandle?.type === "source" ? state.toHandle : state.fromHandle;
    if (!from || !to) return;
    const problem = connectionProblem(
      {
        source: from.nodeId,
        sourceHandle: from.id ?? null,
        target: to.nodeId,
        targetHandle: to.id ?? null,
      },
      model.nodes,
      model.edges,
      useCatalog.getState().catalog,
    );
    if (problem) useApp.getState().notify("error", problem);
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(DRAG_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(DRAG_MIME) as NodeKind;
      if (!kind) return;
      e.preventDefault();
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addStep(kind, { x: Math.round(p.x - 110), y: Math.round(p.y - 28) });
    },
    [addStep, screenToFlowPosition],
  );

  return (
    <div className="canvas" data-testid="canvas">
      <ReactFlow<CanvasNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onDragOver={onDragOver}
        onDrop={onDrop}
        defaultEdgeOptions={defaultEdgeOptions}
        connectionLineType={ConnectionLineType.SmoothStep}
        deleteKeyCode={null}
        multiSelectionKeyCode={["Meta", "Control", "Shift"]}
        selectionKeyCode="Shift"
        snapToGrid
        snapGrid={snapGrid}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements={nodes.length > 200}
        proOptions={proOptions}
      >
        <Background
          variant={BackgroundVariant.Dots}
          gap={20}
          size={1.2}
          color="var(--canvas-dot)"
        />
        <MiniMap
          style={minimapStyle}
          pannable
          zoomable
          nodeColor={(n) =>
            isStep(n as CanvasNode) ? "var(--minimap-node)" : "var(--note-border)"
          }
          nodeBorderRadius={4}
          ariaLabel="Overview of the workflow"
        />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
