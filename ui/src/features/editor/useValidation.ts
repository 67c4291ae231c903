import { useEffect } from "react";

import { backend } from "../../api/backend";
import { fileKey } from "../../core/canvas";
import { useEditor } from "../../stores/editor";

export const VALIDATE_DELAY_MS = 350;

/** Asks the compiler about the workflow as edited, a moment after the edits stop. */
export function useValidation(): void {
  const file = useEditor((s) => s.history?.present);
  useEffect(() => {
    if (!file) return;
    const key = fileKey(file);
    let live = true;
    const timer = setTimeout(() => {
      backend.validateWorkflow(file).then(
        (v) => live && useEditor.getState().setDiagnostics(key, v.diagnostics),
        (error: unknown) => console.warn("validation failed", error),
      );
    }, VALIDATE_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [file]);
}
