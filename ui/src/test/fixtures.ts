// Real backend output, checked in: `switchyard catalog` and the seed workflows.
import { indexCatalog } from "../core/catalog";
import type { Descriptor, WorkflowFile } from "../generated/api";
import catalogJson from "./catalog.json";
import contentPipeline from "./content-pipeline.json";
import leadProcessing from "./lead-processing.json";
import orderFollowup from "./order-followup.json";

export const descriptors = catalogJson as Descriptor[];
export const catalog = indexCatalog(descriptors);
export const workflows: Record<string, WorkflowFile> = {
  "lead-processing": leadProcessing as WorkflowFile,
  "content-pipeline": contentPipeline as WorkflowFile,
  "order-followup": orderFollowup as WorkflowFile,
};
export const lead = (): WorkflowFile => structuredClone(workflows["lead-processing"]!);
