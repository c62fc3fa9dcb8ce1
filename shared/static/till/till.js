// The reference till: scan, cart (quantities, line discounts), tender, receipt; the customer,
// shift and returns screens live in their own modules. Every number shown comes from the server as
// a string (priceSale quotes, createSale results); the page does no money arithmetic, except the
// offline estimate of money.js while the server cannot be reached (offline.js, docs/TILL.md).
import { ApiError, NetworkError } from "./api.js";
import { findProducts } from "./catalogue.js";
import { initCustomers, resetCustomer } from "./customer.js";
import { closeDevicePanel, initDevicePanel, openDevicePanel } from "./device-panel.js";
import { explain } from "./messages.js";
import * as Q from "./queries.js";
import { closeReturns, initReturns, openReturns } from "./returns.js";
import {
  canSellOffline, offlineQuote, offlineShortageText, onModeChange, sellingOffline, startOffline, stopOffline,
} from "./offline.js";
import { api, call, onSessionEnded } from "./session.js";
import { registerShell } from "./shell.js";
import { closeShiftScreen, forgetTillState, initShifts, loadTillState, openShiftScreen, saleLocationId } from "./shift.js";
import { closeTender, initTender, openTender } from "./tender.js";
import {
  $, describe, erroredIndexes, hideResults, overlay, pickListKeys, PRICE_DELAY_MS, rawId, report, say, show, showResults,
} from "./ui.js";

onSessionEnded((reason) => showEnded(reason));
const state = {
  user: null,
  owner: null, // username whose cart this is
  lines: [], // {productId, name, sku, unitPrice, quantity, discount, decimals}
  customer: null,
  quote: null,
  refusedDiscounts: new Set(), // line indexes whose discount the last priceSale refused
  tenderQuote: null,
  pending: null, // {key, input}: a createSale whose answer never arrived; a retry resends it unchanged
  priceTimer: null,
  priceSeq: 0,
};

const backToScan = () => $("scan").focus();
initCustomers({ state, onChange: () => schedulePrice() });
initShifts({ onClose: backToScan });
initReturns({ onClose: backToScan });
initDevicePanel({ onClose: () => (state.user ? backToScan() : $("login-username").focus()) });
// Offline or back: the cart on screen is priced again the other way (not under an open tender).
onModeChange(() => {
  if (state.lines.length && !overlay()) schedulePrice();
});
initTender({
  state,
  saleInput: (payments) => saleInput(payments),
  afterTender: () => schedulePrice(),
  nextSale: () => {
    resetSale();
    showSale();
  },
});

// --- screens ---------------------------------------------------------------------------------------
function setStaffControls(visible) {
  for (const id of ["who", "logout", "shift-button", "returns-button"]) $(id).hidden = !visible;
}

function showLogin() {
  setStaffControls(false);
  show("login-screen");
  $("login-username").focus();
}

function showEnded(reason) {
  state.user = null;
  setStaffControls(false);
  $("ended-detail").textContent = `The server said: ${reason}`;
  show("ended-screen");
  $("ended-login").focus();
}

function showSale() {
  show("sale-screen");
  $("scan").focus();
}

// --- login -----------------------------------------------------------------------------------------
$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("login-error", "");
  try {
    const user = await api.login($("login-username").value.trim(), $("login-password").value);
    $("login-password").value = "";
    await enterTill(user);
  } catch (error) {
    say("login-error", error instanceof NetworkError ? error.message : explain(error.code, error.message));
  }
});

/** Logged in (or a reload that kept this tab's login, api.restore): the sale screen and the sync. */
async function enterTill(user) {
  state.user = user;
  $("who").textContent = `${[user.firstName, user.lastName].join(" ").trim() || user.username} · ${(user.role ?? "").toLowerCase()}`;
  setStaffControls(true);
  // After "session ended" the same cashier carries on with the cart (and any sale awaiting retry).
  if (user.username !== state.owner) resetSale();
  state.owner = user.username;
  showSale();
  startOffline();
  await loadTillState();
  if (state.pending) show("sale-screen", "tender-screen");
  else if (state.lines.length) schedulePrice();
}
$("ended-login").addEventListener("click", showLogin);
$("logout").addEventListener("click", async () => {
  stopOffline();
  await api.logout();
  state.owner = null;
  resetSale();
  forgetTillState();
  showLogin();
});

// --- scanning and search ---------------------------------------------------------------------------
$("scan-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = $("scan").value.trim();
  if (!code) return;
  say("scan-message", "");
  hideResults("product-results");
  try {
    if (sellingOffline()) return showFound(code, await findProducts(code));
    const data = await call(Q.PRODUCT_BY_CODE, { code });
    if (data.productByCode) {
      $("scan").value = "";
      addProduct(data.productByCode);
      return;
    }
    showFound(code, (await call(Q.PRODUCTS, { search: code })).products.edges.map((e) => e.node));
  } catch (error) {
    if (error instanceof NetworkError && canSellOffline()) return showFound(code, await findProducts(code));
    report("scan-message", error);
  }
});

/** One match is added, several are listed, none is said. */
function showFound(code, found) {
  if (found.length === 1) {
    $("scan").value = "";
    addProduct(found[0]);
  } else if (found.length === 0) {
    say("scan-message", `Nothing matches “${code}”.`);
    $("scan").select();
  } else {
    showResults("product-results", found, (p) => `${p.name} · ${p.sku} · ${p.retailPrice}`, (p) => {
      $("scan").value = "";
      addProduct(p);
    });
  }
}

function addProduct(product) {
  if (!product.isActive) {
    say("scan-message", `${product.name} is archived and cannot be sold.`);
    return;
  }
  const line = state.lines.find((l) => l.productId === product.id);
  if (line) {
    // Quantities are decimal strings; adding one to a whole number is not money arithmetic.
    line.quantity = String(Number(line.quantity) + 1);
  } else {
    state.lines.push({
      productId: product.id,
      name: product.name,
      sku: product.sku,
      unitPrice: product.retailPrice,
      quantity: "1",
      discount: "",
      decimals: product.quantityDecimals,
    });
  }
  renderCart();
  schedulePrice();
  $("scan").focus();
}

pickListKeys("product-results", "scan");

// --- the cart --------------------------------------------------------------------------------------
function renderCart() {
  const body = $("cart-lines");
  body.replaceChildren();
  const quoted = state.quote?.lines ?? [];
  const short = new Set((state.quote?.shortages ?? []).map((s) => s.productId));
  state.lines.forEach((line, index) => {
    const row = document.createElement("tr");
    if (short.has(line.productId) || short.has(rawId(line.productId))) row.classList.add("short");
    row.innerHTML = `<td><div class="name"></div><div class="muted sku"></div></td>
      <td class="num"></td>
      <td class="qty"><input type="number" min="0" inputmode="decimal"></td>
      <td class="qty"><input class="discount" inputmode="decimal" placeholder="0.00"></td>
      <td class="num total"></td>
      <td><button type="button" class="remove">×</button></td>`;
    row.querySelector(".name").textContent = line.name;
    row.querySelector(".sku").textContent = line.sku;
    row.children[1].textContent = quoted[index]?.unitPrice ?? line.unitPrice;
    row.querySelector(".total").textContent = quoted[index]?.total ?? "…";
    const qty = row.querySelector("input");
    const discount = row.querySelector(".discount");
    discount.value = line.discount;
    discount.setAttribute("aria-label", `Discount on ${line.name}`);
    if (state.refusedDiscounts.has(index)) discount.setAttribute("aria-invalid", "true");
    discount.addEventListener("change", () => setDiscount(index, discount.value));
    discount.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        setDiscount(index, discount.value);
        $("scan").focus();
      }
    });
    qty.value = line.quantity;
    qty.step = line.decimals > 0 ? String(10 ** -line.decimals) : "1";
    qty.setAttribute("aria-label", `Quantity of ${line.name}`);
    qty.addEventListener("change", () => setQuantity(index, qty.value));
    qty.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        setQuantity(index, qty.value);
        $("scan").focus();
      }
    });
    const remove = row.querySelector(".remove");
    remove.setAttribute("aria-label", `Remove ${line.name}`);
    remove.addEventListener("click", () => removeLine(index));
    body.append(row);
  });
  $("cart-empty").hidden = state.lines.length > 0;
  $("pay").disabled = !state.quote || state.lines.length === 0; // no price, no payment
}

function setQuantity(index, value) {
  const line = state.lines[index];
  if (!line || value === line.quantity) return;
  if (value === "" || Number(value) <= 0) return removeLine(index);
  line.quantity = value;
  schedulePrice();
}

/** An amount off the line as the cashier typed it; the server prices it and enforces the cap. */
function setDiscount(index, value) {
  const line = state.lines[index];
  const typed = value.trim();
  if (!line || typed === line.discount) return;
  line.discount = typed;
  schedulePrice();
}

function removeLine(index) {
  state.lines.splice(index, 1);
  renderCart();
  schedulePrice();
  $("scan").focus();
}

function saleInput(payments = []) {
  const input = {
    items: state.lines.map((l) => {
      const item = { productId: l.productId, quantity: l.quantity };
      if (l.discount) item.discount = l.discount;
      return item;
    }),
    payments,
  };
  if (state.customer) input.customerId = state.customer.id;
  const locationId = saleLocationId(); // the till's register decides where it sells
  if (locationId) input.locationId = locationId;
  return input;
}

// --- live totals (priceSale, debounced; late answers are dropped) -----------------------------------
function schedulePrice() {
  clearTimeout(state.priceTimer);
  say("sale-message", "");
  if (!state.lines.length) {
    state.quote = null;
    showTotals(null);
    return;
  }
  state.priceTimer = setTimeout(price, PRICE_DELAY_MS);
}

async function price() {
  const seq = ++state.priceSeq;
  if (sellingOffline()) return priceOffline(seq);
  try {
    const result = (await call(Q.PRICE_SALE, { input: saleInput() })).priceSale;
    if (seq !== state.priceSeq) return;
    state.quote = result.quote;
    state.refusedDiscounts = erroredIndexes(result, "items", "discount");
    if (!result.success) say("sale-message", describe(result));
    else if (result.quote?.shortages?.length) say("sale-message", shortageText(result.quote.shortages));
    showTotals(result.quote);
    renderCart();
  } catch (error) {
    if (seq !== state.priceSeq) return;
    if (error instanceof NetworkError && canSellOffline()) return priceOffline(seq);
    report("sale-message", error);
    if (error instanceof ApiError) {
      // The server refused the input itself (e.g. "abc" as a discount): the last price is void.
      state.quote = null;
      showTotals(null);
      renderCart();
    }
  }
}

/** The cart priced by the till itself from its cache (money.js): an offline estimate, said so. */
async function priceOffline(seq) {
  let quote = null;
  let problem = "";
  try {
    quote = await offlineQuote(state.lines, saleLocationId());
  } catch (error) {
    problem = error.message;
  }
  if (seq !== state.priceSeq) return;
  state.quote = quote;
  state.refusedDiscounts = new Set();
  if (problem) say("sale-message", problem);
  else if (quote.shortages.length) say("sale-message", offlineShortageText(quote.shortages, state.lines));
  showTotals(quote);
  renderCart();
}

function showTotals(quote) {
  // A refused cart has no price: show none rather than a misleading 0.00.
  const none = state.lines.length ? "…" : "0.00";
  $("t-subtotal").textContent = quote?.subtotal ?? none;
  $("t-discount").textContent = quote?.discountTotal ?? none;
  $("t-tax").textContent = quote?.taxTotal ?? none;
  $("t-total").textContent = quote?.total ?? none;
  $("offline-estimate").hidden = !quote?.offline;
  $("pay").disabled = !quote || !state.lines.length;
}

function shortageText(shortages) {
  const names = shortages.map((s) => {
    const line = state.lines.find((l) => l.productId === s.productId || rawId(l.productId) === s.productId);
    return `${line?.name ?? "an item"} (${s.available} in stock, ${s.requested} in the cart)`;
  });
  return `Not enough stock: ${names.join("; ")}.`;
}

// --- tender ----------------------------------------------------------------------------------------
$("pay").addEventListener("click", openTender);
$("clear").addEventListener("click", () => {
  resetSale();
  $("scan").focus();
});

function resetSale() {
  clearTimeout(state.priceTimer);
  state.priceSeq++;
  state.lines = [];
  state.refusedDiscounts = new Set();
  state.quote = state.tenderQuote = state.pending = null;
  resetCustomer();
  $("scan").value = "";
  hideResults("product-results");
  say("scan-message", "");
  say("sale-message", "");
  showTotals(null);
  renderCart();
}

// --- keyboard shortcuts ----------------------------------------------------------------------------
$("shift-button").addEventListener("click", () => openOverlay(openShiftScreen));
$("returns-button").addEventListener("click", () => openOverlay(openReturns));

/** Shift and returns open over the sale screen; a tender steps aside (the cart stays), unless a
 * sale awaits its retry; a receipt is finished first. */
function openOverlay(open) {
  if (!state.user || state.pending || overlay() === "receipt-screen") return;
  open();
}

document.addEventListener("keydown", (event) => {
  if (event.key === "F9") {
    event.preventDefault();
    openDevicePanel();
  } else if (overlay() === "device-screen") {
    if (event.key === "Escape") closeDevicePanel();
  } else if (event.key === "F4" || event.key === "F8") {
    event.preventDefault();
    if (!$("sale-screen").hidden || overlay()) openOverlay(event.key === "F4" ? openShiftScreen : openReturns);
  } else if (overlay() === "shift-screen") {
    if (event.key === "Escape") closeShiftScreen();
  } else if (overlay() === "returns-screen") {
    if (event.key === "Escape") closeReturns();
  } else if (!$("tender-screen").hidden) {
    if (event.key === "Escape") closeTender();
  } else if (!$("receipt-screen").hidden) {
    // Enter or Escape starts the next sale wherever the focus went (e.g. into the receipt frame).
    const onButton = document.activeElement?.tagName === "BUTTON";
    if (event.key === "Escape" || (event.key === "Enter" && !onButton)) {
      event.preventDefault();
      $("receipt-next").click();
    }
  } else if (!$("sale-screen").hidden) {
    if (event.key === "F2") {
      event.preventDefault();
      openTender();
    } else if (event.key === "Escape" && document.activeElement === $("scan")) {
      $("scan").value = "";
    }
  }
});

registerShell();
const kept = api.restore();
if (kept) enterTill(kept);
else showLogin();
