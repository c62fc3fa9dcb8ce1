// The tender (cash, card, on account, change: every figure from priceSale) and the receipt.
// createSale carries an idempotencyKey: a sale whose answer was lost is resent unchanged, never
// charged twice (docs/TILL.md).
import { NetworkError } from "./api.js";
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
  const account = state.customer && state.customer.status !== "BLOCKED";
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
