// The sign-in session shared by every Grid page (dashboard, worker page, scheduler page):
// one token under one pair of sessionStorage keys, so signing in on one page serves the others.
(() => {
  'use strict';
  const TOKEN_KEY = 'grid.token';
  // Kept beside the token so a wall screen left overnight falls back to login instead of
  // silently showing a stale map with a dead token.
  const EXPIRES_KEY = 'grid.tokenExpiresAt';

  function clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(EXPIRES_KEY);
  }

  window.GridSession = Object.freeze({
    /** The stored token, or null when there is none or it has expired (an expired one is removed). */
    read() {
      const token = sessionStorage.getItem(TOKEN_KEY);
      if (!token) return null;
      const exp = Number(sessionStorage.getItem(EXPIRES_KEY) || 0);
      if (exp && Date.now() >= exp) { clear(); return null; }
      return token;
    },
    /** Keeps the token from POST /api/auth/token with its expiry (expires_in seconds). */
    store(token, expiresIn) {
      sessionStorage.setItem(TOKEN_KEY, token);
      const secs = Number(expiresIn);
      if (secs > 0) sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + secs * 1000));
      else sessionStorage.removeItem(EXPIRES_KEY);
    },
    clear,
    /**
     * Calls onExpired when the stored token runs out; returns the timer so a page can cancel it.
     * setTimeout overflows past ~24.8 days; a token that long-lived needs no timer.
     */
    onExpiry(onExpired) {
      const exp = Number(sessionStorage.getItem(EXPIRES_KEY) || 0);
      if (!exp) return 0;
      const ms = exp - Date.now();
      return ms < 2 ** 31 - 1 ? setTimeout(onExpired, Math.max(0, ms)) : 0;
    },
  });
})();
