// The device and sync panel (header indicator or F9): paste the device credential once, see the
// sales the server refused or flagged, send refused ones again once a manager fixed the cause.
import { clearSyncedExceptions, renderPanel, resendRefused, saveCredential, syncNow } from "./offline.js";
import { $, say, show } from "./ui.js";

let behind = ["sale-screen"]; // the screens the panel opened over, shown again when it closes
let backTo = () => {};

export function initDevicePanel({ onClose }) {
  backTo = onClose;
}

export function openDevicePanel() {
  if (!$("device-screen").hidden) return;
  behind = ["login-screen", "ended-screen", "sale-screen", "tender-screen", "receipt-screen"].filter((id) => !$(id).hidden);
  $("device-credential").value = "";
  say("device-message", "");
  show(...behind, "device-screen");
  renderPanel();
  $("device-credential").focus();
}

export function closeDevicePanel() {
  show(...behind);
  backTo();
}

$("net-status").addEventListener("click", openDevicePanel);
$("device-back").addEventListener("click", closeDevicePanel);
$("device-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const credential = $("device-credential").value.trim();
  if (!credential) return;
  say("device-message", await saveCredential(credential));
  $("device-credential").value = "";
  renderPanel();
});
$("device-forget").addEventListener("click", async () => {
  say("device-message", await saveCredential(null));
  renderPanel();
});
$("sync-now").addEventListener("click", () => syncNow().then(renderPanel));
$("resend-refused").addEventListener("click", () => resendRefused().then(renderPanel));
$("clear-exceptions").addEventListener("click", () => clearSyncedExceptions().then(renderPanel));
