export { Catalog, CatalogInvalid, MATTER_AREAS, MATTER_CATEGORIES } from './catalog';
export type { CatalogOptions, Matter, MatterArea, MatterCategory } from './catalog';
