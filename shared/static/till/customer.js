// The sale's customer: find by name or phone, or create one at the till (name + phone) and attach
// it. Balance and available credit are the server's figures.
import { searchCustomers } from "./catalogue.js";
import { sellingOffline } from "./offline.js";
import * as Q from "./queries.js";
import { call } from "./session.js";
import { $, describe, hideResults, pickListKeys, report, say, showResults } from "./ui.js";

let sale = null; // the sale state of till.js: this module sets sale.customer
let changed = () => {};

export function initCustomers({ state, onChange }) {
  sale = state;
  changed = onChange;
}

$("customer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const search = $("customer-search").value.trim();
  if (!search) return;
  try {
    const found = sellingOffline()
      ? await cachedCustomers(search)
      : (await call(Q.CUSTOMERS, { search })).customers.edges.map((e) => e.node);
    if (found.length === 1) return attachCustomer(found[0]);
    if (!found.length) {
      say("sale-message", `No customer matches “${search}”. Press “New customer” to add them.`);
      return;
    }
    showResults("customer-results", found, (c) => `${c.name} · ${c.phone}`, attachCustomer);
  } catch (error) {
    report("sale-message", error);
  }
});
pickListKeys("customer-results", "customer-search");

/** Offline: customers from the cached catalogue; the sale is paid now (no balance or limit known). */
async function cachedCustomers(search) {
  return (await searchCustomers(search)).map((c) => ({
    id: c.id, name: c.name, phone: c.phone, status: c.status.toUpperCase(),
    balance: c.balance, availableCredit: "(offline: pay now only)",
  }));
}

function attachCustomer(customer) {
  sale.customer = customer;
  hideResults("customer-results");
  $("customer-search").value = "";
  $("customer-name").textContent = customer.name;
  $("customer-credit").textContent = customer.status === "BLOCKED"
    ? "Blocked: pay now only, nothing on account."
    : `Available credit ${customer.availableCredit} · balance ${customer.balance}`;
  $("customer-attached").hidden = false;
  $("customer-form").hidden = true;
  $("new-customer-form").hidden = true;
  $("new-customer").hidden = true;
  say("sale-message", "");
  changed();
  $("scan").focus();
}

export function resetCustomer() {
  sale.customer = null;
  $("customer-attached").hidden = true;
  $("customer-form").hidden = false;
  $("new-customer").hidden = false;
  $("new-customer-form").hidden = true;
  $("customer-search").value = "";
  say("new-customer-message", "");
  hideResults("customer-results");
}

$("customer-remove").addEventListener("click", () => {
  resetCustomer();
  changed();
  $("customer-search").focus();
});

// --- a new customer at the till --------------------------------------------------------------------
$("new-customer").addEventListener("click", () => {
  const typed = $("customer-search").value.trim();
  // What was searched for is probably the name or the phone number: start the form with it.
  const isPhone = /^[+\d][\d\s-]*$/.test(typed);
  $("new-customer-name").value = isPhone ? "" : typed;
  $("new-customer-phone").value = isPhone ? typed : "";
  say("new-customer-message", "");
  $("new-customer-form").hidden = false;
  $("new-customer").hidden = true;
  $(isPhone || !typed ? "new-customer-name" : "new-customer-phone").focus();
});

function closeNewCustomer() {
  $("new-customer-form").hidden = true;
  $("new-customer").hidden = false;
  $("customer-search").focus();
}
$("new-customer-cancel").addEventListener("click", closeNewCustomer);
$("new-customer-form").addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  event.stopPropagation();
  closeNewCustomer();
});

$("new-customer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("new-customer-message", "");
  const input = { name: $("new-customer-name").value.trim(), phone: $("new-customer-phone").value.trim() };
  try {
    const result = (await call(Q.CREATE_CUSTOMER, { input })).createCustomer;
    if (!result.success) return say("new-customer-message", describe(result));
    attachCustomer(result.customer);
  } catch (error) {
    report("new-customer-message", error);
  }
});
