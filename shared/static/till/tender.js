// The tender (cash, card, on account, change: every figure from priceSale) and the receipt.
// createSale carries an idempotencyKey: a sale whose answer was lost is resent unchanged, never
// charged twice (docs/TILL.md).
import { NetworkError } from "./api.js";
import { formatCents, toUnits } from "./money.js";
import { queueSale, settle } from "./offline.js";
import * as Q from "./queries.js";
import { call } from "./session.js";
import { $, describe, PRICE_DELAY_MS, printable, report, say, show } from "./ui.js";

let state = null; // the sale state of till.js
let saleInput = () => ({});
let afterTender = () => {}; // back to the cart: reprice it
let nextSale = () => {};

export function initTender(hooks) {
  ({ state, saleInput, afterTender, nextSale } = hooks);
}

export function openTender() {
  if (!state.lines.length || !state.quote) return;
  // A cart price still waiting would overtake the tender's quotes; the tender quotes the same cart.
  clearTimeout(state.priceTimer);
  $("tender-total").textContent = state.quote.total;
  $("pay-cash").value = $("pay-card").value = "";
  $("pay-account").checked = false;
  // Offline the till takes cash and card only: an account charge needs the server's balance and limit.
  const account = state.customer && state.customer.status !== "BLOCKED" && !state.quote.offline;
  $("account-row").hidden = !account;
  $("account-credit").textContent = account ? `(available credit ${state.customer.availableCredit})` : "";
  say("tender-message", "");
  state.tenderQuote = null;
  show("sale-screen", "tender-screen");
  quoteTender();
  $("pay-cash").focus();
}

export function closeTender() {
  if (state.pending) return; // a sale whose outcome is unknown must be retried, not abandoned
  show("sale-screen");
  afterTender(); // the cart's own price may have been cancelled when the tender opened
  $("scan").focus();
}

function tenderPayments() {
  const payments = [];
  const cash = $("pay-cash").value.trim();
  const card = $("pay-card").value.trim();
  if (cash) payments.push({ method: "cash", amount: cash });
  if (card) payments.push({ method: "card", amount: card });
  return payments;
}

/** The payments to send: cash and card, plus `credit` for what the server says is still due. */
async function finalPayments() {
  const payments = tenderPayments();
  if ($("pay-account").checked && !$("account-row").hidden) {
    const due = state.tenderQuote?.amountDue ?? (await quoteTender())?.amountDue;
    if (due && Number(due) > 0) payments.push({ method: "credit", amount: due });
  }
  return payments;
}

let tenderTimer = null;
for (const id of ["pay-cash", "pay-card", "pay-account"]) {
  $(id).addEventListener("input", () => {
    clearTimeout(tenderTimer);
    state.tenderQuote = null;
    tenderTimer = setTimeout(quoteTender, PRICE_DELAY_MS);
  });
}

async function quoteTender() {
  const seq = ++state.priceSeq;
  if (state.quote?.offline) return quoteOffline();
  try {
    const result = (await call(Q.PRICE_SALE, { input: saleInput(tenderPayments()) })).priceSale;
    if (seq !== state.priceSeq) return null;
    // A short tender is still quoted (amountDue): while amounts are typed that is not an error.
    const short = result.errors.every((e) => e.code === "PAYMENT_SHORT");
    say("tender-message", result.success || short ? "" : describe(result));
    const quote = result.quote;
    state.tenderQuote = quote;
    if (quote) $("tender-total").textContent = quote.total;
    $("q-paid").textContent = quote?.amountPaid ?? "…";
    $("q-due").textContent = quote?.amountDue ?? "…";
    $("q-change").textContent = quote?.change ?? "…";
    $("q-account").textContent = $("pay-account").checked ? (quote?.amountDue ?? "…") : "0.00";
    return quote;
  } catch (error) {
    if (seq === state.priceSeq) report("tender-message", error);
    return null;
  }
}

/** The tender figures from the till's own arithmetic (money.js), while offline. */
function quoteOffline() {
  let quote;
  try {
    quote = settle(state.quote.totalCents, $("pay-cash").value.trim(), $("pay-card").value.trim());
  } catch {
    say("tender-message", 'Enter amounts such as "10.00".');
    return null;
  }
  say("tender-message", quote.refusal?.startsWith("Card") ? quote.refusal : "");
  state.tenderQuote = quote;
  $("q-paid").textContent = quote.amountPaid;
  $("q-due").textContent = quote.amountDue;
  $("q-change").textContent = quote.change;
  $("q-account").textContent = "0.00";
  return quote;
}

$("cash-exact").addEventListener("click", async () => {
  $("pay-card").value = "";
  $("pay-cash").value = "";
  const quote = await quoteTender();
  if (quote) $("pay-cash").value = quote.amountDue;
  await quoteTender();
  $("complete").focus();
});
$("card-exact").addEventListener("click", async () => {
  $("pay-card").value = "";
  const quote = await quoteTender();
  if (quote) $("pay-card").value = quote.amountDue;
  await quoteTender();
  $("complete").focus();
});
$("tender-cancel").addEventListener("click", closeTender);

$("tender-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const complete = $("complete");
  if (complete.disabled) return;
  complete.disabled = true;
  say("tender-message", "");
  if (state.quote?.offline && !state.pending) {
    await completeOffline();
    complete.disabled = false;
    return;
  }
  try {
    if (!state.pending) {
      // A fresh key per attempt whose answer arrived; the same key and input on every retry.
      const input = saleInput(await finalPayments());
      input.idempotencyKey = crypto.randomUUID();
      state.pending = { input };
    }
    const result = (await call(Q.CREATE_SALE, { input: state.pending.input })).createSale;
    state.pending = null;
    if (!result.success) {
      say("tender-message", describe(result));
      return;
    }
    await showReceipt(result.sale);
  } catch (error) {
    if (error instanceof NetworkError) {
      say("tender-message",
        "The connection was lost before the server answered, so this sale may or may not be recorded. " +
        "Press “Retry” to send it again: it can never be charged twice.");
      complete.textContent = "Retry";
      setTenderLocked(true);
    } else {
      state.pending = null;
      report("tender-message", error);
    }
  } finally {
    complete.disabled = false;
    if (!state.pending) {
      complete.textContent = "Complete sale";
      setTenderLocked(false);
    }
  }
});

function setTenderLocked(locked) {
  for (const id of ["pay-cash", "pay-card", "pay-account", "cash-exact", "card-exact", "tender-cancel"]) {
    $(id).disabled = locked;
  }
}

// --- offline: the sale goes to the outbox, the receipt carries the device's number -------------------
async function completeOffline() {
  const quote = quoteOffline();
  if (!quote) return;
  if (quote.refusal) return say("tender-message", quote.refusal);
  const payments = [["cash", $("pay-cash").value.trim()], ["card", $("pay-card").value.trim()]]
    .filter(([, amount]) => amount && toUnits(amount, 2) > 0n)
    .map(([method, amount]) => ({ method, amount: formatCents(toUnits(amount, 2)) }));
  const input = saleInput(payments);
  // The price charged on every line, so the server records the sale as the till priced it.
  input.items.forEach((item, index) => {
    item.unitPrice = state.quote.lines[index].unitPrice;
  });
  let sale;
  try {
    sale = await queueSale(input);
  } catch (error) {
    return say("tender-message", `The sale could not be stored on this till (${error.message}); nothing was recorded.`);
  }
  showOfflineReceipt(sale, quote);
}

function showOfflineReceipt(sale, tender) {
  const { quote } = state;
  $("receipt-summary").textContent = [
    `Offline receipt ${sale.deviceReceiptNumber}`, `total ${quote.total}`, `paid ${tender.amountPaid}`,
    `change ${tender.change}`, "offline estimate",
  ].join(" · ");
  $("receipt-frame").srcdoc = printable(offlineReceiptHtml(sale, quote, tender));
  show("sale-screen", "receipt-screen");
  $("receipt-next").focus();
}

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A receipt printed before the server knows the sale: the device's number, the till's figures. */
function offlineReceiptHtml(sale, quote, tender) {
  const shop = document.title.replace(/^Till · /, "");
  const rows = state.lines.map((line, index) => `<tr><td>${escape(line.name)}<br>${escape(line.quantity)} × ${quote.lines[index].unitPrice}</td>
    <td class="n">${quote.lines[index].total}</td></tr>`).join("");
  const paid = sale.payments.map((p) => `<tr><td>${p.method === "cash" ? "Cash" : "Card"}</td><td class="n">${p.amount}</td></tr>`).join("");
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escape(sale.deviceReceiptNumber)}</title>
<style>body{font:13px/1.35 ui-monospace,monospace;max-width:74mm;margin:0 auto}table{width:100%;border-collapse:collapse}
.n{text-align:right;white-space:nowrap;vertical-align:bottom}h1{font-size:15px;text-align:center;margin:4px 0}p{margin:2px 0}</style></head>
<body><h1>${escape(shop)}</h1><p>Receipt ${escape(sale.deviceReceiptNumber)}</p><p>${escape(new Date(sale.soldAt).toLocaleString())}</p>
<p><strong>Offline sale</strong>: totals are this till's estimate; the server records the sale when the till is back online.</p>
<table>${rows}<tr><td>${quote.pricesIncludeTax ? "Tax included" : "Tax"}</td><td class="n">${quote.taxTotal}</td></tr>
<tr><td><strong>Total</strong></td><td class="n"><strong>${quote.total}</strong></td></tr>${paid}
<tr><td>Change</td><td class="n">${tender.change}</td></tr></table></body></html>`;
}

// --- receipt ---------------------------------------------------------------------------------------
async function showReceipt(sale) {
  const summary = [`Receipt ${sale.transactionId}`, `total ${sale.total}`, `paid ${sale.amountPaid}`];
  if (sale.amountOnAccount !== "0.00") summary.push(`on account ${sale.amountOnAccount}`);
  summary.push(`change ${sale.change}`);
  $("receipt-summary").textContent = summary.join(" · ");
  $("receipt-frame").srcdoc = "";
  show("sale-screen", "receipt-screen");
  $("receipt-next").focus();
  try {
    const html = (await call(Q.RECEIPT, { transactionId: sale.transactionId })).receipt ?? "";
    $("receipt-frame").srcdoc = printable(html);
  } catch (error) {
    $("receipt-summary").textContent += ` (the receipt could not be loaded: ${error.message})`;
  }
}
$("receipt-print").addEventListener("click", () => $("receipt-frame").contentWindow.print());
$("receipt-next").addEventListener("click", () => nextSale());
