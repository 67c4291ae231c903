// What the editor derives from the node descriptors: ports, categories, defaults.
import type { Category, Descriptor, Field, NodeKind, Port } from "../generated/api";

export type Catalog = ReadonlyMap<NodeKind, Descriptor>;

export function indexCatalog(descriptors: readonly Descriptor[]): Catalog {
  return new Map(descriptors.map((d) => [d.kind, d]));
}

/** The palette's groups, in order, with their labels. */
export const CATEGORIES: readonly { id: Category; label: string }[] = [
  { id: "triggers", label: "Triggers" },
  { id: "flow", label: "Flow" },
  { id: "data", label: "Data" },
  { id: "ai", label: "AI" },
  { id: "actions", label: "Actions" },
  { id: "utilities", label: "Utilities" },
];

export function isTrigger(descriptor: Descriptor | undefined): boolean {
  return descriptor !== undefined && descriptor.inputs.length === 0;
}

export const ERROR_PORT: Port = { name: "error", label: "On error" };

/**
 * The output ports of a node with these settings: the fixed ones, one per item of the dynamic
 * list (the Switch node's routes, before `default`), and `error` when the kind has one.
 */
export function outputPorts(descriptor: Descriptor, params: Record<string, unknown>): Port[] {
  const ports: Port[] = [];
  const dynamic = descriptor.dynamic_outputs;
  if (dynamic) {
    const items = params[dynamic.field];
    if (Array.isArray(items)) {
      const seen = new Set<string>();
      for (const item of items) {
        const name =
          typeof item === "object" && item !== null
            ? (item as Record<string, unknown>)[dynamic.name_key]
            : undefined;
        if (typeof name === "string" && name !== "" && !seen.has(name)) {
          seen.add(name);
          ports.push({ name, label: name });
        }
      }
    }
  }
  ports.push(...descriptor.outputs);
  if (descriptor.error_port) ports.push(ERROR_PORT);
  return ports;
}

/** Settings for a new node: each field's default, and empty values for required ones. */
export function defaultParams(descriptor: Descriptor): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of descriptor.fields) {
    if (field.default !== undefined) params[field.name] = structuredClone(field.default);
    else if (field.required) params[field.name] = emptyValue(field);
  }
  return params;
}

export function emptyValue(field: Field): unknown {
  switch (field.type.kind) {
    case "number":
      return field.type.min ?? 0;
    case "boolean":
      return false;
    case "select":
      return field.type.options[0]?.value ?? "";
    case "key_value":
      return {};
    case "list":
      return [];
    case "json":
      return {};
    default:
      return "";
  }
}

/** The trigger's example event, from its `sample` (or `payload`) JSON setting. */
export function sampleEvent(params: Record<string, unknown>): unknown {
  return params["sample"] ?? params["payload"];
}
