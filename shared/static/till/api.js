// The till's only door to the server: POST /graphql/ with `Authorization: JWT <token>`.
// The tokens live in memory and in this tab's sessionStorage, so a reload (also one served by the
// service worker while the server is down) carries on with the login the tab already had; a new tab
// or window, a logout or an ended session starts at the login screen, and only tokenAuth logs in.
// The refresh token is one-time (accounts/tokens.py): a token presented twice logs every session of
// the account out, so refreshes are serialised through one promise and a used refresh token is
// dropped, from memory and storage, before it is sent.

const ENDPOINT = "/graphql/";
const REFRESH_MARGIN_MS = 60_000;
// A server that has not answered in this long is treated as unreachable (the till may go offline).
const TIMEOUT_MS = 10_000;
const SAVED_SESSION = "till.session";

export class NetworkError extends Error {}
export class SessionEnded extends Error {}
export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

const LOGIN = `mutation Login($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken payload user { username firstName lastName role } }
}`;
const REFRESH = `mutation Refresh($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { token refreshToken payload }
}`;
const REVOKE = `mutation Revoke($refreshToken: String!) { revokeToken(refreshToken: $refreshToken) { revoked } }`;

export class Api {
  /** `deviceHeaders()` adds `X-POS-Device` when the till holds a device credential; `onReachable(ok)`
   * hears, after every request, whether the server answered at all (offline.js watches it). */
  constructor({ onSessionEnded, deviceHeaders = () => ({}), onReachable = () => {} }) {
    this.onSessionEnded = onSessionEnded;
    this.deviceHeaders = deviceHeaders;
    this.onReachable = onReachable;
    this.access = null;
    this.refreshTokenValue = null;
    this.payload = null;
    this.user = null;
    this.refreshing = null;
    this.timer = null;
  }

  /**
   * The login this tab held before a reload, or null (the cashier logs in). Only a session tokenAuth
   * gave this tab comes back, and only while it can still work: with a refresh token (the server
   * judges it at the next request) or an access token that has not expired.
   */
  restore() {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SAVED_SESSION));
    } catch {
      return null;
    }
    const accessValid = saved?.token && (saved.payload?.exp ?? 0) * 1000 > Date.now();
    if (!saved?.user || !(saved.refreshToken || accessValid)) {
      this.#forget();
      return null;
    }
    this.user = saved.user;
    this.#store(saved);
    return saved.user;
  }

  async login(username, password) {
    const data = await this.#post(LOGIN, { username, password }, null);
    this.user = data.tokenAuth.user;
    this.#store(data.tokenAuth);
    return data.tokenAuth.user;
  }

  async logout() {
    const token = this.refreshTokenValue;
    this.#forget();
    if (token) {
      try {
        await this.#post(REVOKE, { refreshToken: token }, null);
      } catch {
        // The token expires on its own; logging out must not wait for the network.
      }
    }
  }

  /** Run an operation; an expired access token is refreshed once and the operation retried. */
  async request(query, variables = {}) {
    const sent = this.access;
    if (!sent) throw new SessionEnded("Not logged in.");
    try {
      return await this.#post(query, variables, sent);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "UNAUTHENTICATED")) throw error;
      // Requests refused together refresh once: a later one finds the token already replaced.
      if (this.access === sent) await this.refresh();
      if (!this.access) throw new SessionEnded("Session ended.");
      return this.#post(query, variables, this.access);
    }
  }

  refresh() {
    this.refreshing ??= this.#rotate().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  async #rotate() {
    const token = this.refreshTokenValue;
    this.refreshTokenValue = null; // one-time: never present it twice, not even after a reload
    this.#save();
    if (!token) return this.#end("Your session has ended. Log in again to carry on selling.");
    try {
      const data = await this.#post(REFRESH, { refreshToken: token }, null);
      this.#store(data.refreshToken);
    } catch (error) {
      if (error instanceof NetworkError) {
        this.refreshTokenValue = token; // never reached the server: still unused
        this.#save();
        throw error;
      }
      this.#end(error.message);
    }
  }

  #end(reason) {
    this.#forget();
    this.onSessionEnded(reason);
    throw new SessionEnded(reason);
  }

  #store(pair) {
    this.access = pair.token;
    this.refreshTokenValue = pair.refreshToken;
    this.payload = pair.payload ?? null;
    this.#save();
    clearTimeout(this.timer);
    const expiresAt = (pair.payload?.exp ?? 0) * 1000;
    const wait = Math.max(5_000, expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => this.refresh().catch(() => {}), wait);
  }

  #forget() {
    clearTimeout(this.timer);
    this.access = null;
    this.refreshTokenValue = null;
    this.payload = null;
    this.user = null;
    try {
      sessionStorage.removeItem(SAVED_SESSION);
    } catch {
      // no storage: nothing was kept
    }
  }

  #save() {
    const session = { token: this.access, refreshToken: this.refreshTokenValue, payload: this.payload, user: this.user };
    try {
      sessionStorage.setItem(SAVED_SESSION, JSON.stringify(session));
    } catch {
      // storage refused (full, disabled): the session lives in memory only and a reload logs out
    }
  }

  async #post(query, variables, token) {
    const headers = { "Content-Type": "application/json", ...this.deviceHeaders() };
    if (token) headers.Authorization = `JWT ${token}`;
    let response;
    let body;
    try {
      response = await fetch(ENDPOINT, {
        method: "POST", headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      body = await response.json();
    } catch {
      this.onReachable(false);
      throw new NetworkError("The server could not be reached.");
    }
    this.onReachable(true);
    if (body.errors?.length) {
      const first = body.errors[0];
      throw new ApiError(first.message, first.extensions?.code ?? `HTTP_${response.status}`);
    }
    return body.data;
  }
}
