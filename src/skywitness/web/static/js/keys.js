// Keyboard shortcuts, in the spirit of tar1090's: one key per toggle, ignored while typing.

export const SHORTCUTS = [
  ["/", "search"],
  ["Esc", "close the aircraft panel / clear the search"],
  ["A", "Aircraft tab (the table)"],
  ["H", "History tab"],
  ["L", "labels on/off"],
  ["T", "trails on/off"],
  ["M", "military only on/off"],
  ["U", "units: ft/kt or m/km/h"],
  ["D", "dark or light theme"],
  ["Space", "play/pause the replay"],
  ["?", "this list"],
];

// actions: {search, escape, tab(name), toggle(id), units, theme, playPause, help}
export function bindKeys(actions) {
  window.addEventListener("keydown", (e) => {
    const target = e.target;
    const typing = target && (target.tagName === "INPUT" || target.tagName === "SELECT" ||
      target.tagName === "TEXTAREA" || target.isContentEditable);
    if (e.key === "Escape") {
      actions.escape();
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const run = {
      "/": actions.search,
      a: () => actions.tab("aircraft"),
      h: () => actions.tab("history"),
      l: () => actions.toggle("f-labels"),
      t: () => actions.toggle("f-trails"),
      m: () => actions.toggle("f-military"),
      u: actions.units,
      d: actions.theme,
      " ": actions.playPause,
      "?": actions.help,
    }[key];
    if (!run) return;
    e.preventDefault();
    run();
  });
}
