// Shift screens: open with a float, pay in / pay out, blind close, print the Z (docs/tills.md).
// After login the till asks `currentShift`; the register this device stands for is remembered in
// localStorage, so the till knows where it sells (the register's location) and whether it can take
// money. The cashier's X is blind: no expected figure is asked for before the count, and the
// variance shown after the close is the server's. The last answer is kept in this tab's
// sessionStorage too, so a till reloaded while the server is down still knows its register.
import { NetworkError } from "./api.js";
import * as Q from "./queries.js";
import { call } from "./session.js";
import { $, clock, describe, printable, report, say, show } from "./ui.js";

const REGISTER_KEY = "till.registerId";
const KEPT_KEY = "till.tillState";
const till = { registers: [], shift: null };
let backToSale = () => {};

export function initShifts({ onClose }) {
  backToSale = onClose;
}

export async function loadTillState() {
  try {
    const data = await call(Q.TILL_STATE);
    till.registers = data.registers.edges.map((e) => e.node);
    till.shift = data.currentShift;
    if (till.shift) localStorage.setItem(REGISTER_KEY, till.shift.register.id);
  } catch (error) {
    const kept = error instanceof NetworkError && readKept();
    if (!kept) {
      report("shift-status", error);
      return;
    }
    Object.assign(till, kept);
  }
  renderStatus();
}

function readKept() {
  try {
    return JSON.parse(sessionStorage.getItem(KEPT_KEY));
  } catch {
    return null;
  }
}

function keep() {
  try {
    sessionStorage.setItem(KEPT_KEY, JSON.stringify(till));
  } catch {
    // storage refused: a reload offline just does not know the register
  }
}

export function forgetTillState() {
  till.registers = [];
  till.shift = null;
  renderStatus();
}

function chosenRegister() {
  const id = localStorage.getItem(REGISTER_KEY);
  return till.registers.find((r) => r.id === id) ?? null;
}

/** The register this till stands for: the open shift's, else the one chosen on this device. */
function currentRegister() {
  return till.shift?.register ?? chosenRegister();
}

/** Where this till sells: its register's location (null: the shop's default location). */
export function saleLocationId() {
  return currentRegister()?.location.id ?? null;
}

function renderStatus() {
  keep();
  const status = $("shift-status");
  const register = currentRegister();
  status.classList.toggle("open", Boolean(till.shift));
  if (till.shift) {
    const { name, location } = till.shift.register;
    status.textContent = `Shift open at ${name} (${location.name}) since ${clock(till.shift.openedAt)}.`;
  } else if (register) {
    status.textContent = `No shift open at ${register.name}: open one (F4) before taking money.`;
  } else if (till.registers.length) {
    status.textContent = "No shift open on this till: choose its register and open a shift (F4).";
  } else {
    status.textContent = ""; // a shop without registers sells without shifts
  }
  status.hidden = !status.textContent;
}

// --- the screen ------------------------------------------------------------------------------------
export function openShiftScreen() {
  say("shift-message", "");
  say("shift-info", "");
  $("shift-closed").hidden = true;
  show("sale-screen", "shift-screen");
  if (till.shift) showCurrent();
  else showOpenForm();
}

export function closeShiftScreen() {
  show("sale-screen");
  backToSale();
}

function showOpenForm() {
  $("shift-title").textContent = "Open a shift";
  $("open-shift-form").hidden = false;
  $("shift-current").hidden = true;
  const select = $("shift-register");
  select.replaceChildren(...till.registers.map((r) => new Option(`${r.name} · ${r.location.name}`, r.id)));
  const chosen = chosenRegister();
  if (chosen) select.value = chosen.id;
  $("shift-float").value = "";
  $("open-shift").disabled = !till.registers.length;
  if (!till.registers.length) {
    say("shift-message", "This shop has no registers, so it sells without shifts. A manager adds registers in the back office.");
  }
  (chosen ? $("shift-float") : select).focus();
}

$("shift-register").addEventListener("change", () => {
  // Choosing a register tells the till which drawer it is, even before a shift opens.
  localStorage.setItem(REGISTER_KEY, $("shift-register").value);
  renderStatus();
});

$("open-shift-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("shift-message", "");
  const registerId = $("shift-register").value;
  localStorage.setItem(REGISTER_KEY, registerId);
  try {
    const input = { registerId, openingFloat: $("shift-float").value.trim() };
    const result = (await call(Q.OPEN_SHIFT, { input })).openShift;
    if (!result.success) return say("shift-message", describe(result));
    till.shift = result.shift;
    renderStatus();
    showCurrent();
    say("shift-info", `${result.message} Float ${result.shift.openingFloat}.`);
  } catch (error) {
    report("shift-message", error);
  }
});

function showCurrent() {
  const shift = till.shift;
  disarmClose();
  $("shift-title").textContent = `Shift at ${shift.register.name}`;
  $("open-shift-form").hidden = true;
  $("shift-current").hidden = false;
  $("shift-summary").textContent = `Opened ${clock(shift.openedAt)} with a float of ${shift.openingFloat}.`;
  for (const id of ["move-amount", "move-reason", "count-cash", "count-card", "count-transfer", "close-note"]) {
    $(id).value = "";
  }
  $("move-amount").focus();
  refreshX();
}

async function refreshX() {
  try {
    const x = (await call(Q.SHIFT_X, { shiftId: till.shift.id })).shiftReport;
    $("shift-x").textContent =
      `Sales so far: ${x.sales.count} · paid in ${x.payIns} · paid out ${x.payOuts}`;
  } catch (error) {
    report("shift-message", error);
  }
}

$("cash-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("shift-message", "");
  say("shift-info", "");
  const input = {
    shiftId: till.shift.id,
    kind: document.querySelector("input[name=move-kind]:checked").value,
    amount: $("move-amount").value.trim(),
    reason: $("move-reason").value.trim(),
  };
  try {
    const result = (await call(Q.CASH_MOVEMENT, { input })).recordCashMovement;
    if (!result.success) return say("shift-message", describe(result));
    const moved = result.cashMovement;
    say("shift-info", `${moved.kind === "PAY_IN" ? "Paid in" : "Paid out"} ${moved.amount}: ${moved.reason}.`);
    $("move-amount").value = $("move-reason").value = "";
    $("move-amount").focus();
    refreshX();
  } catch (error) {
    report("shift-message", error);
  }
});

// Closing cannot be undone: the first press shows the count back, the second closes.
let closeArmed = null;
for (const id of ["count-cash", "count-card", "count-transfer", "close-note"]) {
  $(id).addEventListener("input", () => disarmClose());
}
function disarmClose() {
  closeArmed = null;
  $("close-shift").textContent = "Close shift";
}

$("close-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("shift-message", "");
  say("shift-info", "");
  const counted = [];
  for (const tender of ["card", "transfer"]) {
    const amount = $(`count-${tender}`).value.trim();
    if (amount) counted.push({ tender: tender.toUpperCase(), amount });
  }
  const input = {
    shiftId: till.shift.id,
    countedCash: $("count-cash").value.trim(),
    countedByTender: counted,
    note: $("close-note").value.trim(),
  };
  const typed = JSON.stringify(input);
  if (closeArmed !== typed) {
    closeArmed = typed;
    const card = $("count-card").value.trim() || "none";
    const transfer = $("count-transfer").value.trim() || "none";
    say("shift-info", `You counted cash ${input.countedCash}, card slips ${card}, transfers ${transfer}. ` +
      "Press “Confirm close” (Enter) to close the shift: it cannot be undone.");
    $("close-shift").textContent = "Confirm close";
    return;
  }
  disarmClose();
  try {
    const result = (await call(Q.CLOSE_SHIFT, { input })).closeShift;
    if (!result.success) return say("shift-message", describe(result));
    const closedId = till.shift.id;
    till.shift = null;
    renderStatus();
    await showZ(closedId, result);
  } catch (error) {
    report("shift-message", error);
  }
});

async function showZ(shiftId, result) {
  const { shift } = result;
  $("shift-title").textContent = `Z ${shift.zNumber}`;
  $("shift-current").hidden = true;
  $("shift-closed").hidden = false;
  const pending = shift.status === "PENDING_APPROVAL";
  $("close-summary").textContent =
    `${result.message} Cash counted ${shift.countedCash}, variance ${shift.variance}` +
    (pending ? ": beyond what a cashier may close alone, a manager approves it." : ".");
  $("z-tenders").replaceChildren();
  $("z-frame").srcdoc = "";
  $("print-z").focus();
  try {
    const data = await call(Q.SHIFT_Z, { shiftId });
    for (const row of data.shiftReport.tenders) {
      const tr = document.createElement("tr");
      for (const [value, numeric] of [[row.tender, false], [row.expected, true], [row.counted ?? "–", true], [row.variance ?? "–", true]]) {
        const td = document.createElement("td");
        td.textContent = value;
        if (numeric) td.className = "num";
        tr.append(td);
      }
      $("z-tenders").append(tr);
    }
    $("z-frame").srcdoc = printable(data.zReport);
  } catch (error) {
    report("shift-message", error);
  }
}

$("print-z").addEventListener("click", () => $("z-frame").contentWindow.print());
$("shift-done").addEventListener("click", closeShiftScreen);
$("shift-back").addEventListener("click", closeShiftScreen);
