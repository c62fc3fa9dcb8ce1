// What every screen shares: element lookup, which screens show, messages, pick lists, print CSS.
import { ApiError, NetworkError, SessionEnded } from "./api.js";
import { explain } from "./messages.js";

export const $ = (id) => document.getElementById(id);
export const PRICE_DELAY_MS = 120; // typing pauses this long before the server is asked for a price

const SCREENS = [
  "login-screen", "ended-screen", "sale-screen", "tender-screen", "receipt-screen", "shift-screen", "returns-screen",
  "device-screen",
];
const OVERLAYS = ["tender-screen", "receipt-screen", "shift-screen", "returns-screen", "device-screen"];

export function show(...ids) {
  for (const id of SCREENS) $(id).hidden = !ids.includes(id);
}

/** The overlay (tender, receipt, shift, returns) in front of the sale screen, if any. */
export function overlay() {
  return OVERLAYS.find((id) => !$(id).hidden) ?? null;
}

export function say(id, text) {
  $(id).textContent = text ?? "";
  $(id).hidden = !text;
}

/** A refused payload (success: false) in the words a cashier needs. */
export function describe(result) {
  const errors = result.errors ?? [];
  if (!errors.length) return result.message ?? "The server refused this.";
  return errors.map((e) => explain(e.code, e.message)).join(" ");
}

/** A thrown error (network, top-level API error) as a message in element `id`. */
export function report(id, error) {
  if (error instanceof SessionEnded) return;
  if (error instanceof NetworkError) say(id, "The server could not be reached. Check the connection and try again.");
  else if (error instanceof ApiError) say(id, explain(error.code, error.message));
  else say(id, "Something went wrong in the till page; reload it.");
}

/** Indexes of the input list `list` named by the errors' fields, e.g. items.2.discount -> 2. */
export function erroredIndexes(result, list, name) {
  const pattern = new RegExp(`^${list}\\.(\\d+)\\.${name}$`);
  return new Set((result?.errors ?? []).map((e) => pattern.exec(e.field ?? "")?.[1]).filter(Boolean).map(Number));
}

// --- pick lists (products, customers): arrows move, Enter picks, Escape closes ---------------------
export function showResults(id, items, label, pick) {
  const list = $(id);
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label(item);
      button.addEventListener("click", () => {
        hideResults(id);
        pick(item);
      });
      li.append(button);
      return li;
    }),
  );
  list.hidden = false;
  list.querySelector("button").focus();
}

export function hideResults(id) {
  $(id).hidden = true;
  $(id).replaceChildren();
}

export function pickListKeys(id, backTo) {
  $(id).addEventListener("keydown", (event) => {
    const buttons = [...$(id).querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown") buttons[Math.min(at + 1, buttons.length - 1)]?.focus();
    else if (event.key === "ArrowUp") buttons[Math.max(at - 1, 0)]?.focus();
    else if (event.key === "Escape") {
      hideResults(id);
      $(backTo).focus();
    } else return;
    event.preventDefault();
    event.stopPropagation();
  });
}

// --- printing: the server's HTML documents on an 80 mm roll (74 mm printable) -----------------------
const PRINT_CSS = `<style>
  @page { size: 80mm auto; margin: 3mm; }
  @media print { body { max-width: none; width: 74mm; margin: 0; font-size: 11px; } }
</style>`;

export function printable(html) {
  return (html ?? "").replace("</head>", `${PRINT_CSS}</head>`);
}

/** The raw database id inside a Relay global id ("UHJvZHVjdDox" -> "1"); a raw id is returned as is. */
export function rawId(globalId) {
  try {
    return atob(globalId).split(":")[1] ?? globalId;
  } catch {
    return globalId;
  }
}

export function clock(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}
