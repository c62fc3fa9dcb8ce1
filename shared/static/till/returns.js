// Returns: find a sale by its receipt number (returnableSale), choose what comes back, request the
// return (createReturn). A manager approves it elsewhere; the refund is the server's figure.
import * as Q from "./queries.js";
import { call } from "./session.js";
import { $, clock, describe, erroredIndexes, report, say, show } from "./ui.js";

const returns = { found: null, sent: [] }; // sent: the line index of each item of the last request
let backToSale = () => {};

export function initReturns({ onClose }) {
  backToSale = onClose;
}

export function openReturns() {
  returns.found = null;
  say("return-message", "");
  say("return-info", "");
  $("return-sale").hidden = true;
  $("return-receipt").value = "";
  show("sale-screen", "returns-screen");
  $("return-receipt").focus();
}

export function closeReturns() {
  show("sale-screen");
  backToSale();
}

$("return-find").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("return-message", "");
  say("return-info", "");
  const transactionId = $("return-receipt").value.trim();
  if (!transactionId) return;
  await find(transactionId);
  if (returns.found) $("return-lines").querySelector("input:not(:disabled)")?.focus();
});

async function find(transactionId) {
  try {
    const found = (await call(Q.RETURNABLE_SALE, { transactionId })).returnableSale;
    returns.found = found;
    if (!found) {
      $("return-sale").hidden = true;
      say("return-message", `No sale has the receipt number “${transactionId}”. Check the number on the receipt.`);
      $("return-receipt").select();
      return;
    }
    render(found);
  } catch (error) {
    report("return-message", error);
  }
}

function render({ sale, lines }) {
  const who = sale.customer?.name ?? "walk-in customer";
  $("return-sale-summary").textContent = `${sale.transactionId} · ${clock(sale.createdAt)} · ${who} · total ${sale.total}`;
  if (sale.status === "VOIDED") say("return-message", "This sale was voided: nothing on it can be returned.");
  const body = $("return-lines");
  body.replaceChildren();
  lines.forEach((line) => {
    const product = line.saleItem.product;
    const row = document.createElement("tr");
    row.innerHTML = `<td><div class="name"></div><div class="muted sku"></div></td>
      <td class="num"></td><td class="num"></td><td class="num"></td><td class="num returnable"></td><td class="num"></td>
      <td class="qty"><input type="number" min="0" inputmode="decimal"></td>`;
    row.querySelector(".name").textContent = product.name;
    row.querySelector(".sku").textContent = product.sku;
    const cells = row.querySelectorAll("td.num");
    [line.sold, line.returned, line.pending, line.returnable, line.saleItem.total].forEach((value, i) => {
      cells[i].textContent = value;
    });
    const qty = row.querySelector("input");
    qty.setAttribute("aria-label", `Return quantity of ${product.name}`);
    qty.step = product.quantityDecimals > 0 ? String(10 ** -product.quantityDecimals) : "1";
    qty.max = line.returnable;
    qty.disabled = line.returnable === "0";
    body.append(row);
  });
  $("return-sale").hidden = false;
}

$("return-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("return-message", "");
  say("return-info", "");
  if (!returns.found) return;
  const reason = $("return-reason").value.trim();
  const inputs = [...$("return-lines").querySelectorAll("input")];
  inputs.forEach((input) => input.removeAttribute("aria-invalid"));
  returns.sent = [];
  const items = [];
  returns.found.lines.forEach((line, index) => {
    const quantity = inputs[index].value.trim();
    if (!quantity || Number(quantity) === 0) return;
    returns.sent.push(index);
    items.push({ saleItemId: line.saleItem.id, quantity, reason, restock: !$("return-damaged").checked });
  });
  if (!items.length) {
    say("return-message", "Type how many of an item come back.");
    inputs.find((input) => !input.disabled)?.focus();
    return;
  }
  const input = {
    transactionId: returns.found.sale.transactionId,
    items,
    refundMethod: document.querySelector("input[name=refund-method]:checked").value,
    note: reason,
  };
  try {
    const result = (await call(Q.CREATE_RETURN, { input })).createReturn;
    if (!result.success) {
      for (const sentIndex of erroredIndexes(result, "items", "quantity")) {
        inputs[returns.sent[sentIndex]]?.setAttribute("aria-invalid", "true");
      }
      return say("return-message", describe(result));
    }
    const ret = result.return;
    await find(input.transactionId); // the lines now count this request as pending
    $("return-reason").value = "";
    $("return-damaged").checked = false;
    say("return-info", `Return ${ret.returnNumber} requested: refund ${ret.refundTotal}, waiting for a manager's approval.`);
    $("return-done").focus();
  } catch (error) {
    report("return-message", error);
  }
});

$("return-done").addEventListener("click", closeReturns);
