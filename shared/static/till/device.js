// The device credential a manager pasted once into the setup screen (docs/TILL.md, "Offline mode").
// It lives in localStorage, like the register choice: it says which till this is, not who sells,
// so it survives logouts. Without it the till works online only.
const KEY = "till.deviceCredential";

export function deviceCredential() {
  return localStorage.getItem(KEY) || null;
}

export function setDeviceCredential(credential) {
  if (credential) localStorage.setItem(KEY, credential);
  else localStorage.removeItem(KEY);
}
