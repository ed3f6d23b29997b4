// The map's user preferences (units, theme), kept in the browser's localStorage; every view
// that shows a unit asks here, and redraws when they change.

const KEY = "skywitness.settings";
const DEFAULTS = { altUnit: "ft", speedUnit: "kt", theme: "dark" };
export const CHOICES = { altUnit: ["ft", "m"], speedUnit: ["kt", "km/h"], theme: ["dark", "light"] };

function load() {
  try {
    const saved = JSON.parse(window.localStorage.getItem(KEY) || "{}");
    const out = { ...DEFAULTS };
    for (const [key, values] of Object.entries(CHOICES)) {
      if (values.includes(saved[key])) out[key] = saved[key];
    }
    return out;
  } catch (_) {
    return { ...DEFAULTS }; // unreadable storage: defaults
  }
}

let current = load();
const listeners = [];

export function settings() {
  return current;
}

export function applyTheme() {
  document.documentElement.dataset.theme = current.theme;
}

export function setSetting(key, value) {
  if (!CHOICES[key] || !CHOICES[key].includes(value)) return;
  current = { ...current, [key]: value };
  window.localStorage.setItem(KEY, JSON.stringify(current));
  applyTheme();
  for (const fn of listeners) fn(current);
}

// The next value of a setting (keyboard shortcuts cycle through them).
export function cycleSetting(key) {
  const values = CHOICES[key];
  setSetting(key, values[(values.indexOf(current[key]) + 1) % values.length]);
}

export function onSettings(fn) {
  listeners.push(fn);
}
