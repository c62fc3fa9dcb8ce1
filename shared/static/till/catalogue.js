// The catalogue cached in IndexedDB through catalogueChanges (docs/OFFLINE.md §3): the first sync
// pages to the end, then deltas. Each page is applied with its cursor in one transaction, so a page
// lost half-way is simply asked for again. An INVALID or CURSOR_EXPIRED cursor drops the cache and
// starts a first sync. Offline, scanning and search read from here.
import { ApiError } from "./api.js";
import * as Q from "./queries.js";
import { call } from "./session.js";
import { CATALOGUE, done, getMeta, read, transaction } from "./store.js";

const PAGES_PER_RUN = 5_000; // a first sync of 100,000 products is about 3,000 pages

/** Page until up to date. Returns the number of pages applied; throws the API's errors. */
export async function syncCatalogue() {
  let pages = 0;
  for (; pages < PAGES_PER_RUN; pages++) {
    const since = await getMeta("cursor");
    let page;
    try {
      page = (await call(Q.CATALOGUE_CHANGES, { since })).catalogueChanges;
    } catch (error) {
      if (since && error instanceof ApiError && ["INVALID", "CURSOR_EXPIRED"].includes(error.code)) {
        await dropCatalogue();
        continue;
      }
      throw error;
    }
    await applyPage(page);
    if (!page.hasMore) break;
  }
  return pages;
}

async function applyPage(page) {
  const stores = [...CATALOGUE, "meta"];
  await transaction(stores, "readwrite", async (s) => {
    const puts = [
      ...page.products.map((row) => s.products.put(row)),
      ...page.stockLevels.map((row) => s.stockLevels.put(row)),
      ...page.batches.map((row) => s.batches.put(row)),
      ...page.customers.map((row) => s.customers.put(row)),
      ...page.deletedProductIds.map((id) => s.products.delete(id)),
      ...page.deletedStockLevelIds.map((id) => s.stockLevels.delete(id)),
      ...page.deletedBatchIds.map((id) => s.batches.delete(id)),
      ...page.deletedCustomerIds.map((id) => s.customers.delete(id)),
      s.meta.put({ key: "cursor", value: page.nextCursor }),
      s.meta.put({ key: "pricesIncludeTax", value: page.pricesIncludeTax }),
      // What syncSales checks the sale's prices against: the copy as of this page.
      s.meta.put({ key: "catalogueVersion", value: page.catalogueVersion }),
    ];
    if (!page.hasMore) puts.push(s.meta.put({ key: "catalogueSyncedAt", value: new Date().toISOString() }));
    await Promise.all(puts.map(done));
  });
}

/** Forget the cached catalogue and its cursor: the next sync is a first sync. */
export function dropCatalogue() {
  return transaction([...CATALOGUE, "meta"], "readwrite", async (s) => {
    await Promise.all([
      ...CATALOGUE.map((name) => done(s[name].clear())),
      done(s.meta.delete("cursor")),
      done(s.meta.delete("catalogueVersion")),
    ]);
  });
}

// --- lookups -------------------------------------------------------------------------------------
/** A cached product as the sale screen uses it (the shape productByCode answers). */
function asProduct(row) {
  return row && {
    id: row.id, sku: row.sku, name: row.name, retailPrice: row.retailPrice, taxRate: row.taxRate,
    quantityDecimals: row.quantityDecimals, isActive: row.isActive,
  };
}

export async function productByCode(code) {
  return read("products", async (products) => {
    const hit = (await done(products.index("barcode").get(code))) ?? (await done(products.index("sku").get(code)));
    return asProduct(hit ?? null);
  });
}

/** What the scan box finds offline: the product with this barcode or SKU, else a search by name. */
export async function findProducts(code) {
  const product = await productByCode(code);
  return product ? [product] : searchProducts(code);
}

export const productById = (id) => read("products", (products) => done(products.get(String(id)))).then(asProduct);

/** Active products whose name, SKU or barcode contains `text` (case-insensitive), at most `limit`. */
export function searchProducts(text, limit = 8) {
  const needle = text.toLowerCase();
  return scan("products", limit, (row) => row.isActive && [row.name, row.sku, row.barcode ?? ""].some(
    (value) => value.toLowerCase().includes(needle),
  )).then((rows) => rows.map(asProduct));
}

/** Customers (not archived) whose name or phone contains `text`, at most `limit`. */
export function searchCustomers(text, limit = 8) {
  const needle = text.toLowerCase();
  return scan("customers", limit, (row) => !row.isArchived && (
    row.name.toLowerCase().includes(needle) || row.phone.includes(text)
  ));
}

function scan(name, limit, keep) {
  return read(name, (store) => new Promise((resolve, reject) => {
    const found = [];
    const request = store.openCursor();
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor || found.length >= limit) return resolve(found);
      if (keep(cursor.value)) found.push(cursor.value);
      cursor.continue();
    };
  }));
}

/** Stock on record for a product at a location (raw ids), as the last sync saw it; null if unknown. */
export function stockOnRecord(productId, locationId) {
  return read("stockLevels", async (levels) => {
    const rows = await done(levels.index("productId").getAll(String(productId)));
    const row = rows.find((level) => level.locationId === String(locationId));
    return row ? row.quantity : null;
  });
}

export async function catalogueSummary() {
  const [products, syncedAt] = await Promise.all([
    read("products", (store) => done(store.count())),
    getMeta("catalogueSyncedAt"),
  ]);
  return { products, syncedAt };
}
