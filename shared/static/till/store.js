// The till's IndexedDB: the cached catalogue, the outbox of offline sales and the sync problems a
// manager must see. One database per browser profile; a different device credential wipes it
// (offline.js), since sequences and cursors belong to one device.
const NAME = "pos-till";
const VERSION = 1;
export const CATALOGUE = ["products", "stockLevels", "batches", "customers"];

let opened = null;

export function db() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const base = request.result;
      base.createObjectStore("meta", { keyPath: "key" });
      const products = base.createObjectStore("products", { keyPath: "id" });
      products.createIndex("barcode", "barcode");
      products.createIndex("sku", "sku");
      base.createObjectStore("stockLevels", { keyPath: "id" }).createIndex("productId", "productId");
      base.createObjectStore("batches", { keyPath: "id" }).createIndex("productId", "productId");
      base.createObjectStore("customers", { keyPath: "id" });
      base.createObjectStore("outbox", { keyPath: "clientId" }).createIndex("sequence", "sale.deviceSequence");
      base.createObjectStore("problems", { keyPath: "clientId" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

/** An IDBRequest as a promise. Awaiting it inside `transaction` keeps the transaction alive. */
export function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Run `work(stores)` in one transaction; resolves with its result once the transaction commits. */
export async function transaction(names, mode, work) {
  const tx = (await db()).transaction(names, mode);
  const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
  const committed = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
  let result;
  try {
    result = await work(stores);
  } catch (error) {
    committed.catch(() => {}); // the work's error is the one to report
    try {
      tx.abort();
    } catch {
      // already finished: nothing left to undo
    }
    throw error;
  }
  await committed;
  return result;
}

export const read = (name, work) => transaction([name], "readonly", (stores) => work(stores[name]));

export async function getMeta(key, fallback = null) {
  const row = await read("meta", (meta) => done(meta.get(key)));
  return row ? row.value : fallback;
}

export function setMeta(key, value) {
  return transaction(["meta"], "readwrite", (stores) => done(stores.meta.put({ key, value })));
}

export const all = (name) => read(name, (store) => done(store.getAll()));
export const count = (name) => read(name, (store) => done(store.count()));
