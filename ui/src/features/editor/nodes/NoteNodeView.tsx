import { NodeResizer, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useState } from "react";

import type { NoteNode } from "../../../core/canvas";
import { useEditor } from "../../../stores/editor";

/** A sticky note: plain text, resizable, edited in place (double-click). */
export const NoteNodeView = memo(function NoteNodeView({
  id,
  data,
  selected,
}: NodeProps<NoteNode>) {
  const updateNoteText = useEditor((s) => s.updateNoteText);
  const [editing, setEditing] = useState(data.text === "");
  const [draft, setDraft] = useState(data.text);
  useEffect(() => setDraft(data.text), [data.text]);

  return (
    <div
      className={selected ? "note note--selected" : "note"}
      onDoubleClick={() => setEditing(true)}
    >
      <NodeResizer
        isVisible={selected ?? false}
        minWidth={140}
        minHeight={60}
        lineClassName="note__resize"
        handleClassName="note__handle"
      />
      {editing ? (
        <textarea
          className="note__edit nodrag nowheel"
          autoFocus
          value={draft}
          placeholder="Write a note…"
          onChange={(e) => {
            setDraft(e.target.value);
            updateNoteText(id, e.target.value);
          }}
          onBlur={() => setEditing(false)}
          onKeyDown={(e) => {
            if (e.key === "Escape") (e.target as HTMLTextAreaElement).blur();
            e.stopPropagation();
          }}
        />
      ) : (
        <div className="note__text">
          {data.text || <span className="muted">Double-click to write a note</span>}
        </div>
      )}
    </div>
  );
});
