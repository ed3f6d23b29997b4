// HTTP adapter for the skywitness API (docs/api.md). Every request goes through here.

const TOKEN_KEY = "skywitness.token";

export class ApiError extends Error {
  constructor(status, detail) {
    super(`${status}: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

function headers() {
  const token = window.localStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export function url(path, params = {}) {
  const u = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") u.searchParams.set(key, value);
  }
  return u.toString();
}

export async function getJSON(path, params = {}) {
  // no-cache: revalidate with the server's ETag each time (304s are cheap).
  const res = await fetch(url(path, params), { headers: headers(), cache: "no-cache" });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      const body = await res.json();
      detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch (_) {
      // a non-JSON error body: keep the status text
    }
    throw new ApiError(res.status, detail);
  }
  return res.json();
}

export async function postJSON(path, body) {
  const res = await fetch(url(path), {
    method: "POST",
    headers: { ...headers(), "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      const err = await res.json();
      detail = typeof err.detail === "string" ? err.detail : JSON.stringify(err.detail);
    } catch (_) {
      // a non-JSON error body: keep the status text
    }
    throw new ApiError(res.status, detail);
  }
  return res.json();
}

export const api = {
  aircraft: () => getJSON("/api/aircraft"),
  aircraftDetail: (icao24) => getJSON(`/api/aircraft/${encodeURIComponent(icao24)}`),
  track: (icao24, params) =>
    getJSON(`/api/aircraft/${encodeURIComponent(icao24)}/track`, params),
  flights: (params) => getJSON("/api/flights", params),
  stats: () => getJSON("/api/stats"),
  alerts: (params) => getJSON("/api/alerts", params),
  basemap: () => getJSON("/api/basemap.geojson"),
  check: (body) => postJSON("/api/check", body),
  airports: (bbox) => getJSON("/api/airports", { bbox }),
  receiver: () => getJSON("/data/receiver.json"),
  outline: () => getJSON("/data/outline.json"),
};
