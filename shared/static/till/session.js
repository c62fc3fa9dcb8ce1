// The till's one API client, shared by every screen. Whoever shows "session ended" subscribes here.
import { Api } from "./api.js";

const ended = [];
export const api = new Api({ onSessionEnded: (reason) => ended.forEach((listener) => listener(reason)) });
export const call = (query, variables) => api.request(query, variables);
export function onSessionEnded(listener) {
  ended.push(listener);
}
