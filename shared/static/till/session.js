// The till's one API client, shared by every screen. Whoever shows "session ended" subscribes here;
// offline.js subscribes to whether the server answered at all.
import { Api } from "./api.js";
import { deviceCredential } from "./device.js";

const ended = [];
const reachable = [];
export const api = new Api({
  onSessionEnded: (reason) => ended.forEach((listener) => listener(reason)),
  deviceHeaders: () => {
    const credential = deviceCredential();
    return credential ? { "X-POS-Device": credential } : {};
  },
  onReachable: (ok) => reachable.forEach((listener) => listener(ok)),
});
export const call = (query, variables) => api.request(query, variables);
export function onSessionEnded(listener) {
  ended.push(listener);
}
export function onReachable(listener) {
  reachable.push(listener);
}
