import { openCatalog, type Catalog, type CatalogLimits } from '../query/catalog.js';
import type { JobTable } from '../query/job-tables.js';

/**
 * One catalog for the console, opened again when the job folder's tables change. Work runs one at
 * a time: a DuckDB connection runs one statement at a time, and views are remade before each one.
 */
export class CatalogKeeper {
  private open: { key: string; catalog: Catalog } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly limits: CatalogLimits) {}

  /** Runs `work` on a catalog over exactly `tables`, after the work queued before it. */
  use<T>(tables: JobTable[], work: (catalog: Catalog) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => work(await this.catalogFor(tables)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    this.open?.catalog.close();
    this.open = undefined;
  }

  private async catalogFor(tables: JobTable[]): Promise<Catalog> {
    const key = JSON.stringify(tables);
    if (this.open?.key !== key) {
      this.open?.catalog.close();
      this.open = undefined;
      this.open = { key, catalog: await openCatalog(tables, this.limits) };
    }
    return this.open.catalog;
  }
}
