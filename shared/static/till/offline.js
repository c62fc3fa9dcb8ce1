// Offline mode (docs/TILL.md, "Offline mode"; the protocol is docs/OFFLINE.md): whether the server can
// be reached, the device this till is, the outbox of sales made offline and their sync, and the
// indicator in the header that always says which of these holds.
import { ApiError, SessionEnded } from "./api.js";
import { catalogueSummary, dropCatalogue, productById, stockOnRecord, syncCatalogue } from "./catalogue.js";
import { deviceCredential, setDeviceCredential } from "./device.js";
import { explain } from "./messages.js";
import { formatThousandths, priceCart, settle, toUnits } from "./money.js";
import * as Q from "./queries.js";
import { call, onReachable } from "./session.js";
import { all, count, done, getMeta, setMeta, transaction } from "./store.js";
import { $, rawId } from "./ui.js";

const POLL_MS = 30_000; // catalogue delta and outbox while online
const PROBE_MS = 5_000; // while offline: is the server back?
const BATCH = 100; // syncSales takes at most 100 sales
const HELD = new Set(["SYNCED", "SYNCED_WITH_EXCEPTIONS", "ALREADY_SYNCED"]);
const STOP_CODES = new Set(["DEVICE_REVOKED", "DEVICE_UNKNOWN", "DEVICE_REQUIRED"]);

const state = {
  reachable: navigator.onLine,
  device: null, // {id, name, saleLocationId} as currentDevice last said (kept in IndexedDB)
  deviceProblem: "", // why the device cannot sync (revoked, unknown): a manager must act
  loggedIn: false,
  checked: false, // currentDevice answered since login
  running: null, // the sync in progress (one at a time)
  again: false, // something asked for a sync while one was running
  timer: null,
  backoff: 0, // seconds before the next retry after a fault (1, 2, 4 ... 60)
  outbox: 0,
  exceptions: 0,
  lastSync: null,
  products: 0,
};
const modeListeners = [];

/** The till sells from its cache: it is a device, has a catalogue, and the server cannot be reached. */
export function sellingOffline() {
  return !state.reachable && canSellOffline();
}

export function canSellOffline() {
  return Boolean(deviceCredential() && state.device && state.products > 0);
}

/** `listener()` runs when the till goes offline or comes back. */
export function onModeChange(listener) {
  modeListeners.push(listener);
}

function setReachable(ok) {
  if (ok === state.reachable) return;
  state.reachable = ok;
  render();
  modeListeners.forEach((listener) => listener());
  if (ok) schedule(0); // back: hand the outbox over at once
  else schedule(PROBE_MS);
}
onReachable(setReachable);
window.addEventListener("offline", () => setReachable(false));
window.addEventListener("online", () => schedule(0));

// --- start, stop, the sync loop ------------------------------------------------------------------
export async function startOffline() {
  state.loggedIn = true;
  state.checked = false;
  state.device = await getMeta("device");
  await refreshCounts();
  render();
  schedule(0); // the run checks the device first
}

export function stopOffline() {
  state.loggedIn = false;
  clearTimeout(state.timer);
}

function schedule(ms) {
  clearTimeout(state.timer);
  if (!state.loggedIn || !deviceCredential()) return;
  state.timer = setTimeout(() => syncNow(), ms);
}

/** The outbox, then the catalogue delta; one run at a time, and one more if asked for meanwhile. */
export function syncNow() {
  if (state.running) {
    state.again = true;
    return state.running;
  }
  state.running = run().finally(() => {
    state.running = null;
    render();
    if (state.again) {
      state.again = false;
      schedule(0);
    }
  });
  return state.running;
}

async function run() {
  if (!deviceCredential() || !state.loggedIn) return;
  try {
    if (!state.device || !state.checked) {
      await checkDevice();
      state.checked = !state.deviceProblem && Boolean(state.device);
    }
    if (!state.device || state.deviceProblem) return;
    await syncOutbox(); // sales first: they are what the shop cannot lose
    await syncCatalogue();
    state.backoff = 0;
    state.lastSync = new Date().toISOString();
    await setMeta("lastSync", state.lastSync);
    await refreshCounts();
    schedule(state.reachable ? POLL_MS : PROBE_MS);
  } catch (error) {
    if (error instanceof SessionEnded) return;
    if (error instanceof ApiError && STOP_CODES.has(error.code)) {
      state.deviceProblem = `${error.message} Ask a manager: sync has stopped.`;
      return;
    }
    // Network faults, timeouts, BUSY_TRY_AGAIN: retry the same requests later (always safe).
    state.backoff = Math.min(60, state.backoff ? state.backoff * 2 : 1);
    schedule(state.reachable ? state.backoff * 1000 : Math.min(PROBE_MS, state.backoff * 1000));
  }
}

async function checkDevice() {
  try {
    const device = (await call(Q.CURRENT_DEVICE)).currentDevice;
    const known = await getMeta("deviceId");
    if (known && known !== device.id) await forgetDeviceData();
    await setMeta("deviceId", device.id);
    state.device = { id: device.id, name: device.name, saleLocationId: device.saleLocationId };
    await setMeta("device", state.device);
    state.deviceProblem = "";
  } catch (error) {
    if (error instanceof ApiError && STOP_CODES.has(error.code)) {
      state.deviceProblem = `${error.message} Ask a manager for a new device credential.`;
      state.device = null;
      await setMeta("device", null);
    } else throw error; // network faults: run() retries with backoff
  } finally {
    render();
  }
}

/** A new device: its sequence, cursor and catalogue start afresh (the outbox is empty, see setup). */
async function forgetDeviceData() {
  await dropCatalogue();
  await transaction(["meta", "problems"], "readwrite", async (s) => {
    await Promise.all(["deviceSequence", "device", "deviceId", "pricesIncludeTax"].map((key) => done(s.meta.delete(key))));
    await done(s.problems.clear());
  });
}

async function refreshCounts() {
  const [outbox, exceptions, summary, lastSync] = await Promise.all([
    count("outbox"), count("problems"), catalogueSummary(), getMeta("lastSync"),
  ]);
  Object.assign(state, { outbox, exceptions, products: summary.products, lastSync });
}

// --- the outbox ----------------------------------------------------------------------------------
/** Receipt numbers carry the device's name, so two tills never print the same one (≤ 40 characters). */
function receiptNumber(sequence) {
  const name = (state.device?.name ?? "TILL").replace(/\s+/g, "").slice(0, 32) || "TILL";
  return `${name}-${String(sequence).padStart(6, "0")}`;
}

/**
 * Ring an offline sale up: the next deviceSequence and the outbox entry are written in one
 * transaction, so a sequence number is never handed out twice or lost. The body is never changed
 * afterwards: a resend is the same sale (docs/OFFLINE.md, rule 1).
 */
export async function queueSale({ items, payments, customerId, locationId }) {
  const catalogueVersion = await getMeta("catalogueVersion");
  const sale = await transaction(["meta", "outbox", "stockLevels"], "readwrite", async (s) => {
    const sequence = ((await done(s.meta.get("deviceSequence")))?.value ?? 0) + 1;
    const body = {
      clientId: crypto.randomUUID(),
      deviceSequence: sequence,
      soldAt: new Date().toISOString(),
      deviceReceiptNumber: receiptNumber(sequence),
      items,
      payments,
    };
    if (catalogueVersion) body.catalogueVersion = catalogueVersion;
    if (customerId) body.customerId = customerId;
    if (locationId) body.locationId = locationId;
    await done(s.meta.put({ key: "deviceSequence", value: sequence }));
    await done(s.outbox.add({ clientId: body.clientId, sale: body, refused: false }));
    await takeFromCachedStock(s.stockLevels, items, stockLocation(locationId));
    return body;
  });
  await refreshCounts();
  render();
  schedule(0); // maybe the network is back already
  return sale;
}

/** The next offline sale sees what this one took (the next catalogue delta brings the server's figure). */
async function takeFromCachedStock(levels, items, location) {
  for (const item of items) {
    const rows = await done(levels.index("productId").getAll(String(rawId(item.productId))));
    const level = rows.find((row) => row.locationId === String(location));
    if (!level) continue;
    const left = toUnits(level.quantity, 3) - toUnits(item.quantity, 3);
    await done(levels.put({ ...level, quantity: formatThousandths(left > 0n ? left : 0n) }));
  }
}

async function syncOutbox() {
  for (;;) {
    const waiting = (await all("outbox"))
      .filter((entry) => !entry.refused)
      .sort((a, b) => a.sale.deviceSequence - b.sale.deviceSequence)
      .slice(0, BATCH);
    if (!waiting.length) return;
    const answer = (await call(Q.SYNC_SALES, { input: { sales: waiting.map((entry) => entry.sale) } })).syncSales;
    if (!answer.results) throw new ApiError(answer.message, answer.errors[0]?.code ?? "INVALID");
    const busy = await applyAnswer(waiting, answer);
    await refreshCounts();
    render();
    if (busy) throw new ApiError("The server is busy.", "BUSY_TRY_AGAIN");
  }
}

/** Drop what the server holds; keep what it refused for a manager (docs/OFFLINE.md, rules 3-5). */
async function applyAnswer(sent, answer) {
  let busy = false;
  await transaction(["outbox", "problems"], "readwrite", async (s) => {
    const work = [];
    answer.results.forEach((result, index) => {
      const entry = sent[index];
      const held = HELD.has(result.outcome) || entry.sale.deviceSequence <= answer.highWaterMark;
      if (held) {
        work.push(s.outbox.delete(entry.clientId));
        if (result.exceptions.length && result.outcome !== "ALREADY_SYNCED") {
          work.push(s.problems.put(problem(entry, "Synced with exceptions", result.exceptions.map((e) => e.message), result.sale)));
        }
      } else if (result.errors.every((e) => e.code === "BUSY_TRY_AGAIN")) {
        busy = true;
      } else {
        work.push(s.outbox.put({ ...entry, refused: true }));
        // With the advice a cashier gets for the same refusal of a live sale (e.g. open a shift).
        work.push(s.problems.put(problem(entry, "Refused", result.errors.map((e) => explain(e.code, e.message)), null)));
      }
    });
    await Promise.all(work.map(done));
  });
  return busy;
}

function problem(entry, kind, messages, sale) {
  return {
    clientId: entry.clientId,
    kind,
    messages,
    receiptNumber: entry.sale.deviceReceiptNumber,
    transactionId: sale?.transactionId ?? null,
    at: new Date().toISOString(),
  };
}

/** Refused sales go back in the queue (after a manager fixed the cause, e.g. opened a shift). */
export async function resendRefused() {
  await transaction(["outbox", "problems"], "readwrite", async (s) => {
    const refused = (await done(s.outbox.getAll())).filter((entry) => entry.refused);
    await Promise.all(refused.flatMap((entry) => [
      done(s.outbox.put({ ...entry, refused: false })), done(s.problems.delete(entry.clientId)),
    ]));
  });
  await refreshCounts();
  render();
  return syncNow();
}

/** Clear the exceptions that were synced (a manager settles them in syncExceptions); refusals stay. */
export async function clearSyncedExceptions() {
  await transaction(["outbox", "problems"], "readwrite", async (s) => {
    const refused = new Set((await done(s.outbox.getAll())).filter((e) => e.refused).map((e) => e.clientId));
    const rows = await done(s.problems.getAll());
    await Promise.all(rows.filter((row) => !refused.has(row.clientId)).map((row) => done(s.problems.delete(row.clientId))));
  });
  await refreshCounts();
  render();
}

export const problems = () => all("problems");

// --- pricing offline (money.js) ------------------------------------------------------------------
/** Where stock is checked: the till's register's location, else where the device's sales go. */
function stockLocation(locationId) {
  return locationId ? rawId(locationId) : state.device?.saleLocationId;
}

/**
 * The cart priced from the cache: priceSale's shape, plus `offline: true` and the shortages on record.
 * Throws an Error whose message a cashier can act on.
 */
export async function offlineQuote(lines, locationId) {
  if (lines.some((line) => line.discount)) {
    throw new Error("Line discounts need the server: remove the discount, or wait for the connection.");
  }
  const products = await Promise.all(lines.map((line) => productById(rawId(line.productId))));
  const missing = lines.filter((line, index) => !products[index]?.isActive);
  if (missing.length) {
    throw new Error(`${missing.map((l) => l.name).join(", ")} cannot be sold offline (not in this till's catalogue): remove it.`);
  }
  const pricesIncludeTax = await getMeta("pricesIncludeTax", true);
  const quote = priceCart(
    lines.map((line, index) => ({ unitPrice: products[index].retailPrice, quantity: line.quantity, taxRate: products[index].taxRate })),
    pricesIncludeTax,
  );
  const location = stockLocation(locationId);
  const shortages = [];
  for (const line of lines) {
    const available = await stockOnRecord(rawId(line.productId), location);
    if (available !== null && Number(line.quantity) > Number(available)) {
      shortages.push({ productId: line.productId, requested: line.quantity, available });
    }
  }
  return { ...quote, shortages, offline: true, pricesIncludeTax };
}

/** Offline a shortage does not stop the sale (the goods leave); the cashier is told what happens. */
export function offlineShortageText(shortages, lines) {
  const short = shortages.map((s) => {
    const line = lines.find((l) => l.productId === s.productId);
    return `${line?.name ?? "an item"} (${s.requested} in the cart, ${s.available} on record at the last sync)`;
  });
  return `More than the stock on record: ${short.join("; ")}. Offline the sale still goes ahead; ` +
    "the server records the difference as a stock discrepancy.";
}

export { settle };

// --- the indicator -------------------------------------------------------------------------------
export function render() {
  const indicator = $("net-status");
  const online = state.reachable;
  let mode;
  if (!deviceCredential()) mode = online ? "Online only (no device set up)" : "Offline: no device set up, cannot sell";
  else if (state.deviceProblem) mode = online ? "Online · device refused" : "Offline · device refused";
  else mode = online ? "Online" : "Offline";
  indicator.dataset.state = !online ? "offline" : state.deviceProblem || state.exceptions ? "warn" : "online";
  $("net-mode").textContent = mode;
  $("net-outbox").textContent = `Outbox ${state.outbox}`;
  const last = state.lastSync && new Date(state.lastSync).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  $("net-last").textContent = `Last sync ${last || "never"}`;
  $("net-exceptions").textContent = `Exceptions ${state.exceptions}`;
  renderPanel();
}

export async function renderPanel() {
  if ($("device-screen").hidden) return;
  const credential = deviceCredential();
  $("device-state").textContent = !credential
    ? "No device credential: this till sells online only. A manager registers a device (back office or registerDevice) and pastes its credential here."
    : state.deviceProblem || (state.device
      ? `This till is device “${state.device.name}”. Catalogue: ${state.products} products cached.`
      : "Credential saved; it is checked with the server at the next sync (log in while online).");
  $("device-forget").hidden = !credential;
  const rows = await problems();
  $("sync-problems").replaceChildren(...rows.map((row) => {
    const li = document.createElement("li");
    const server = row.transactionId ? ` (${row.transactionId})` : "";
    li.textContent = `${row.kind}: ${row.receiptNumber}${server}: ${row.messages.join(" ")}`;
    return li;
  }));
  $("sync-problems-empty").hidden = rows.length > 0;
  const refused = rows.some((row) => row.kind === "Refused");
  $("resend-refused").hidden = !refused;
  $("refused-hint").hidden = !refused;
}

/** Save a pasted credential. Refused while sales of the previous device are waiting to be sent. */
export async function saveCredential(credential) {
  if (credential === deviceCredential()) return "";
  if (await count("outbox")) return "Sales made offline are still waiting: sync them before changing the device.";
  setDeviceCredential(credential);
  state.device = null;
  await setMeta("device", null);
  state.deviceProblem = "";
  state.checked = false;
  if (!credential) await forgetDeviceData();
  await refreshCounts();
  render();
  schedule(0);
  return "";
}
render(); // the indicator is right from the login screen on
