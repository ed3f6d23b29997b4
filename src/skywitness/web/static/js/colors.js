// Altitude → colour, after tar1090's scale: orange near the ground, green at 10,000 ft,
// blue around 25,000 ft, magenta at 40,000 ft and above; grey on the ground or unknown.

// [altitude ft, hue deg] stops, interpolated linearly between.
const HUE_STOPS = [
  [0, 20],
  [2000, 32],
  [4000, 43],
  [6000, 54],
  [8000, 72],
  [9000, 85],
  [11000, 140],
  [40000, 300],
];

export const GROUND_COLOR = "#8c8c8c";

export function altitudeHue(altFt) {
  if (altFt <= HUE_STOPS[0][0]) return HUE_STOPS[0][1];
  for (let i = 1; i < HUE_STOPS.length; i++) {
    const [a1, h1] = HUE_STOPS[i];
    if (altFt <= a1) {
      const [a0, h0] = HUE_STOPS[i - 1];
      return h0 + ((h1 - h0) * (altFt - a0)) / (a1 - a0);
    }
  }
  return HUE_STOPS[HUE_STOPS.length - 1][1];
}

export function altitudeColor(altFt, onground = false) {
  if (onground) return GROUND_COLOR;
  if (altFt === null || altFt === undefined || !Number.isFinite(altFt)) return GROUND_COLOR;
  return `hsl(${Math.round(altitudeHue(altFt))}, 85%, 55%)`;
}

// Small legend swatches for the status bar.
export function legendStops() {
  return [0, 4000, 8000, 10000, 20000, 30000, 40000].map((alt) => [alt, altitudeColor(alt)]);
}
