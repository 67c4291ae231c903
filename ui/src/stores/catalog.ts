// The node catalog, loaded once from the backend.
import { create } from "zustand";

import { backend } from "../api/backend";
import { indexCatalog, type Catalog } from "../core/catalog";
import { failed, loading, ready, type Loadable } from "../core/loadable";
import type { Descriptor } from "../generated/api";

interface CatalogState {
  descriptors: Loadable<Descriptor[]>;
  catalog: Catalog;
  load(): Promise<void>;
}

export const useCatalog = create<CatalogState>()((set, get) => ({
  descriptors: loading,
  catalog: new Map(),
  async load() {
    if (get().descriptors.state === "ready") return;
    try {
      const descriptors = await backend.catalog();
      set({ descriptors: ready(descriptors), catalog: indexCatalog(descriptors) });
    } catch (error) {
      set({ descriptors: failed(error) });
    }
  },
}));

/** The catalog map (empty until loaded). */
export const selectCatalog = (s: CatalogState) => s.catalog;
