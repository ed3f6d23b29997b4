// Inline SVG icons (fonts lack some glyphs: the pause sign rendered as an empty box).

const SVG_NS = "http://www.w3.org/2000/svg";
const PATHS = {
  play: "M7 4.5v15l12-7.5z",
  pause: "M6.5 4.5h4v15h-4zM13.5 4.5h4v15h-4z",
};

// An <svg> icon element: "play" or "pause".
export function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", `icon icon-${name}`);
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", PATHS[name]);
  svg.append(path);
  return svg;
}

// Replace a button's content by an icon, with a text label for screen readers.
export function setIcon(button, name, text) {
  button.replaceChildren(icon(name));
  button.setAttribute("aria-label", text);
  button.title = text;
}
