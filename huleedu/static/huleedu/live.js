/* HuleEdu's live channel and small helpers shared by the teacher pages.
 *
 * One WebSocket per page to /ws/teacher/ (the session authenticates it; the server puts it in
 * the teacher's own group). Socket messages are only hints: channels-redis delivers at most
 * once, so on every (re)connect a page asks the server what it missed
 * (GET /api/v1/batches/{id}/events/?after=<last sequence seen>) and re-reads its data.
 * User data is never put into innerHTML: pages build DOM with textContent, or adopt HTML that
 * the server rendered (and escaped).
 */
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /** fetch() for the JSON API with the session and the CSRF header: {ok, status, data}. */
  async function api(method, url, body) {
    const options = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    };
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    try {
      const response = await fetch(url, options);
      const data = await response.json().catch(() => null);
      return { ok: response.ok, status: response.status, data };
    } catch (error) {
      return { ok: false, status: 0, data: { error: { message: String(error) } } };
    }
  }

  function errorMessage(result) {
    const error = result && result.data && result.data.error;
    return (error && error.message) || "HTTP " + (result ? result.status : "?");
  }

  /** Server-rendered HTML (already escaped by Django) as a detached document. */
  async function fetchDocument(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return new DOMParser().parseFromString(await response.text(), "text/html");
  }

  /** Run fn at most once at a time; calls that arrive meanwhile cause exactly one more run. */
  function serialized(fn) {
    let running = null;
    let again = false;
    return function run() {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          try {
            await fn();
          } catch (error) {
            console.warn("refresh failed", error);
          }
        } while (again);
      })().finally(() => {
        running = null;
      });
      return running;
    };
  }

  /**
   * Keep a WebSocket to the teacher channel open, reconnecting with exponential backoff.
   * onOpen runs after every (re)connect (the page catches up there), onEvent for each
   * batch.event message, onState with "connecting" | "live" | "offline".
   */
  function connect({ onOpen = () => {}, onEvent = () => {}, onState = () => {} }) {
    let attempt = 0;
    let socket = null;
    let pingTimer = null;
    let retryTimer = null;

    function scheduleReconnect() {
      if (retryTimer) return;
      const delay = Math.min(30000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
      attempt += 1;
      retryTimer = setTimeout(() => {
        retryTimer = null;
        open();
      }, delay);
    }

    function open() {
      onState("connecting");
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(scheme + "://" + location.host + "/ws/teacher/");
      socket.addEventListener("open", () => {
        attempt = 0;
        onState("live");
        pingTimer = setInterval(() => {
          if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
        }, 25000);
        onOpen();
      });
      socket.addEventListener("message", (message) => {
        let data;
        try {
          data = JSON.parse(message.data);
        } catch (error) {
          return;
        }
        if (data && data.type === "batch.event") onEvent(data);
      });
      socket.addEventListener("close", () => {
        clearInterval(pingTimer);
        onState("offline");
        scheduleReconnect();
      });
    }

    // Back online, a laptop waking up, a tab coming back: reconnect at once instead of waiting.
    function reconnectNow() {
      if (socket && socket.readyState === WebSocket.OPEN) {
        onOpen();
      } else if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = null;
        attempt = 0;
        open();
      }
    }
    window.addEventListener("online", reconnectNow);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") reconnectNow();
    });
    open();
  }

  /** Pages with [data-live-region id=…] (the dashboard) re-read those regions on any event. */
  function refreshRegionsOnEvents() {
    const regions = document.querySelectorAll("[data-live-region][id]");
    if (!regions.length) return;
    const refresh = serialized(async () => {
      const fresh = await fetchDocument(location.href);
      for (const region of document.querySelectorAll("[data-live-region][id]")) {
        const replacement = fresh.getElementById(region.id);
        if (replacement) region.replaceWith(document.adoptNode(replacement));
      }
    });
    let connectedBefore = false;
    connect({
      onOpen: () => {
        if (connectedBefore) refresh();
        connectedBefore = true;
      },
      onEvent: () => refresh(),
    });
  }

  function submitLanguageOnChange() {
    const select = document.querySelector("[data-language-switch]");
    if (select) select.addEventListener("change", () => select.form.submit());
  }

  window.HuleLive = { api, errorMessage, connect, csrfToken, fetchDocument, serialized };
  document.addEventListener("DOMContentLoaded", () => {
    submitLanguageOnChange();
    refreshRegionsOnEvents();
  });
})();
